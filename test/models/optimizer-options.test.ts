import t from 'tap';
import * as bn from '../../lib';
import { Param } from '../../lib/layers/layer';

// Learning-rate schedules (Keras 3's formulas, at the step count before each update) and
// gradient clipping (clipnorm per gradient, globalClipnorm over all, clipvalue per value).

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));

t.test('schedules', async (t) => {
  const s = bn.optimizers.schedules;
  const exp = s.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
  t.ok(close(exp.at(0), 0.1) && close(exp.at(5), 0.1 * 0.5 ** 0.5) && close(exp.at(20), 0.025), 'exponential');
  const stair = s.exponentialDecay({ initial_learning_rate: 0.1, decay_steps: 10, decay_rate: 0.5, staircase: true });
  t.ok(close(stair.at(9), 0.1) && close(stair.at(10), 0.05), 'exponential staircase, snake_case options');
  const inv = s.inverseTimeDecay({ initialLearningRate: 1, decaySteps: 2, decayRate: 0.5 });
  t.ok(close(inv.at(4), 1 / (1 + 0.5 * 2)), 'inverse time');
  const pw = s.piecewiseConstantDecay({ boundaries: [10, 20], values: [1, 0.5, 0.1] });
  t.same([pw.at(0), pw.at(10), pw.at(11), pw.at(20), pw.at(21)], [1, 1, 0.5, 0.5, 0.1], 'piecewise: values[i] while step <= boundaries[i]');
  const cos = s.cosineDecay({ initialLearningRate: 1, decaySteps: 100, alpha: 0.1 });
  t.ok(close(cos.at(50), 0.9 * 0.5 * (1 + Math.cos(Math.PI / 2)) + 0.1) && close(cos.at(500), 0.1), 'cosine, floored at alpha');
  const warm = s.cosineDecay({ initialLearningRate: 0, decaySteps: 10, warmupTarget: 1, warmupSteps: 4 });
  t.ok(close(warm.at(2), 0.5) && close(warm.at(4), 1) && close(warm.at(9), 0.5 * (1 + Math.cos(Math.PI / 2))), 'cosine with linear warmup');
  t.throws(() => s.piecewiseConstantDecay({ boundaries: [5, 2], values: [1, 2, 3] }), /boundaries must be increasing/);
  t.throws(() => s.exponentialDecay({ initialLearningRate: 1, decaySteps: 0, decayRate: 0.5 }), /decaySteps must be a positive finite number/);
  t.throws(() => s.cosineDecay({ initialLearningRate: 1, decaySteps: 5, warmup: 3 } as never), /unknown option 'warmup' — did you mean 'warmupSteps'\?/);
});

t.test('a schedule drives the optimizer, step by step', async (t) => {
  const p = new Param('w', bn.tensor([0]), true);
  const sgd = bn.optimizers.sgd({ learningRate: bn.optimizers.schedules.piecewiseConstantDecay({ boundaries: [0, 1], values: [1, 0.5, 0.25] }) });
  const seen: number[] = [];
  for (let i = 0; i < 4; i++) {
    const before = p.value.data[0];
    sgd.applyGradients([p], [Float32Array.of(1)]);
    seen.push(before - p.value.data[0]);
  }
  t.same(seen, [1, 0.5, 0.25, 0.25], 'steps 0, 1, 2, 3 take the rates of steps 0, 1, 2, 3');
  t.match(sgd.getConfig(), { learning_rate: { class_name: 'PiecewiseConstantDecay', config: { boundaries: [0, 1] } } });
});

t.test('gradient clipping', async (t) => {
  const step = (args: Record<string, number>, grads: number[][]): number[][] => {
    const params = grads.map((g, i) => new Param(`w${i}`, bn.tensor(new Float32Array(g.length), [g.length]), true));
    bn.optimizers.sgd({ learningRate: 1, ...args }).applyGradients(params, grads.map((g) => Float32Array.from(g)));
    return params.map((p) => Array.from(p.value.data, (v) => Math.round(-v * 1e6) / 1e6));
  };
  t.same(step({ clipnorm: 1 }, [[3, 4], [0.3, 0.4]]), [[0.6, 0.8], [0.3, 0.4]], 'clipnorm: each gradient to norm 1 at most');
  t.same(step({ globalClipnorm: 1 }, [[3, 4], [0, 0]]), [[0.6, 0.8], [0, 0]], 'globalClipnorm: all gradients together');
  t.same(step({ global_clipnorm: 13 } as never, [[3, 4], [12, 0]]), [[3, 4], [12, 0]], 'under the global norm: unchanged');
  t.same(step({ clipvalue: 0.5 }, [[3, -4, 0.1]]), [[0.5, -0.5, 0.1]], 'clipvalue');
  t.throws(() => bn.optimizers.adam({ clipnorm: 1, clipvalue: 1 }), /give at most one of clipnorm, clipvalue and globalClipnorm/);
});
