import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import * as bn from '../../lib';
import { ExecutionContext } from '../../lib/engine/context';
import { Graph } from '../../lib/engine/graph';
import { SymbolicTensor } from '../../lib/engine/symbolic';
import { Param } from '../../lib/layers/layer';
import { checkGradient, randomArray } from '../helpers/gradcheck';

// Activity regularizers and weight constraints: the penalty's gradient by central differences,
// which fusions step aside, options, configs that save and load, and errors.

const apply = (layer: bn.Layer, x: SymbolicTensor | SymbolicTensor[]): SymbolicTensor => layer.apply(x) as SymbolicTensor;
const graphOf = (m: bn.LayersModel): Graph => (m as unknown as { graph: Graph }).graph;

for (const on of ['conv', 'pool'] as const) t.test(`the activity penalty: value and gradient by central differences, through a fan-out and a regularized ${on === 'conv' ? 'convolution (not fused with its max pooling)' : 'max pooling fused with its convolution'}`, async (t) => {
  bn.setSeed(3);
  const x = bn.input({ shape: [5, 5, 1] });
  const penalty = bn.regularizers.l1l2({ l1: 0.03, l2: 0.05 });
  // relu (not tanh) so the convolution may fuse with its pooling; no point of this seeded case sits on a kink.
  const c = apply(bn.layers.conv2d({ filters: 2, kernelSize: 2, activation: 'relu', activityRegularizer: on === 'conv' ? penalty : null }), x);
  const p = apply(bn.layers.maxPooling2d({ poolSize: 2, activityRegularizer: on === 'pool' ? penalty : null }), c);
  const f = apply(bn.layers.flatten({ activity_regularizer: 'l2' } as never), p);
  const a = apply(bn.layers.dense({ units: 3, activation: 'tanh', activityRegularizer: bn.regularizers.l2({ l2: 0.2 }) }), f);
  // The dense output fans out to two layers and is an input of an add: gradients meet there.
  const b = apply(bn.layers.dense({ units: 3, activityRegularizer: bn.regularizers.l1({ l1: 0.1 }) }), a);
  const y = apply(bn.layers.add(), [a, b]);
  const model = bn.model({ inputs: x, outputs: y });
  const graph = graphOf(model);
  t.equal(graph.steps.length, graph.nodes.length - (on === 'pool' ? 1 : 0), on === 'conv' ? 'the regularized convolution is not fused' : 'the convolution runs with its pooling');
  const N = 3;
  const input = bn.tensor(randomArray(N * 25, 4), [N, 5, 5, 1]);
  const r = randomArray(N * 3, 5);
  const grads = new Map<Param, Float32Array>(model.trainableWeights.map((w) => [w, new Float32Array(w.value.size)]));
  const ctx = new ExecutionContext(graph, grads);
  const objective = (): number => {
    const [out] = ctx.forward([input], true, false);
    let s = 0;
    for (let i = 0; i < out.size; i++) s += out.data[i] * r[i];
    return s + ctx.activityPenalty();
  };
  // By hand: the penalty of the last forward is the sum of each layer's over N.
  const [out] = ctx.forward([input], true, true);
  t.ok(ctx.activityPenalty() > 0, 'a penalty');
  const dy = bn.tensor(r.slice(), out.shape);
  ctx.backward([dy], { activity: true });
  for (const [w, g] of grads) {
    const res = checkGradient(w.value.data as Float32Array, g, objective, { eps: 1e-3 });
    t.ok(res.maxRelError < 2e-3, `${w.name} [${w.value.shape}]: max rel error ${res.maxRelError.toExponential(2)} over ${res.checked} points`);
  }
  // Without the request (an explanation's backward) the penalty does not enter the gradients.
  const plain = new Map<Param, Float32Array>(model.trainableWeights.map((w) => [w, new Float32Array(w.value.size)]));
  const ctx2 = new ExecutionContext(graph, plain);
  ctx2.forward([input], true, true);
  ctx2.backward([bn.tensor(r.slice(), out.shape)]);
  const [k] = model.trainableWeights;
  t.notSame(Array.from(plain.get(k)!), Array.from(grads.get(k)!), 'a backward without activity: true leaves the penalty out');
});

t.test('the activity penalty by hand: over the batch size, in the logged loss only, and the softmax fusion steps aside', async (t) => {
  const dense = bn.layers.dense({ units: 2, inputShape: [2], activation: 'softmax', useBias: false, activityRegularizer: bn.regularizers.l1({ l1: 0.5 }) });
  const m = bn.sequential([dense]);
  m.setWeights([bn.tensor([[0, 0], [0, 0]])]);
  m.compile({ optimizer: bn.optimizers.sgd({ learningRate: 0.1 }), loss: 'categoricalCrossentropy' });
  const x = bn.tensor([[1, 2], [3, 4], [5, 6]]);
  const y = bn.tensor([[1, 0], [0, 1], [1, 0]]);
  // Zero kernel: softmax is 0.5 everywhere; the L1 penalty is 0.5 * 6 * 0.5 / 3 = 0.5.
  const logs = m.trainOnBatch(x, y);
  t.ok(Math.abs(logs.loss - (Math.log(2) + 0.5)) < 1e-6, `loss ${logs.loss} = ln 2 + 0.5`);
  // The L1 gradient on a softmax output sums to zero over the classes, so the step is the crossentropy's alone.
  const ce = bn.sequential([bn.layers.dense({ units: 2, inputShape: [2], activation: 'softmax', useBias: false })]);
  ce.setWeights([bn.tensor([[0, 0], [0, 0]])]);
  ce.compile({ optimizer: bn.optimizers.sgd({ learningRate: 0.1 }), loss: 'categoricalCrossentropy' });
  ce.trainOnBatch(x, y);
  const diff = Math.max(...m.getWeights()[0].data.map((v, i) => Math.abs(v - ce.getWeights()[0].data[i])));
  t.ok(diff < 1e-7, `same step (diff ${diff})`);
  const evaluated = await m.evaluate(x, y);
  t.ok(evaluated.loss > Math.log(2), 'evaluate includes the penalty');
});

t.test('constraints and activity regularizers: options in both spellings, configs that save and load', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'blasnet-constraints-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const m = bn.sequential([
    bn.layers.conv2d({ filters: 2, kernelSize: 2, inputShape: [4, 4, 1], kernelConstraint: bn.constraints.maxNorm({ maxValue: 3, axis: [0, 1, 2] }), bias_constraint: 'non_neg', activityRegularizer: 'l1' } as never),
    bn.layers.batchNormalization({ gammaConstraint: 'unitNorm', beta_constraint: bn.constraints.minMaxNorm({ min_value: 0.5, rate: 0.5 } as never), activityRegularizer: 'l2', gammaRegularizer: 'l1' } as never),
    bn.layers.flatten(),
    bn.layers.dense({ units: 4, kernelConstraint: 'UnitNorm' }),
    bn.layers.reshape({ targetShape: [2, 2] }),
    bn.layers.lstm({ units: 2, recurrentConstraint: 'MaxNorm', kernelConstraint: { class_name: 'MinMaxNorm', config: { min_value: 0.1, max_value: 2, rate: 1, axis: 1 } }, activity_regularizer: bn.regularizers.l1l2({ l1: 0.01, l2: 0.02 }) } as never),
  ]);
  await m.save(dir);
  const loaded = await bn.loadLayersModel(dir);
  loaded.layers.forEach((l, i) => t.same(l.getConfig(), m.layers[i].getConfig(), `${l.name} config round trip`));
  t.match(loaded.layers[0].getConfig(), {
    kernel_constraint: { class_name: 'MaxNorm', config: { max_value: 3, axis: [0, 1, 2] } },
    bias_constraint: { class_name: 'NonNeg', config: {} },
    activity_regularizer: { class_name: 'L1', config: { l1: 0.01 } },
  });
  t.match(loaded.layers[1].getConfig(), {
    gamma_constraint: { class_name: 'UnitNorm', config: { axis: 0 } },
    beta_constraint: { class_name: 'MinMaxNorm', config: { min_value: 0.5, max_value: 1, rate: 0.5, axis: 0 } },
    gamma_regularizer: { class_name: 'L1', config: { l1: 0.01 } },
    activity_regularizer: { class_name: 'L2', config: { l2: 0.01 } },
  });
  t.match(loaded.layers[5].getConfig(), { recurrent_constraint: { class_name: 'MaxNorm', config: { max_value: 2, axis: 0 } }, activity_regularizer: { class_name: 'L1L2' } });
  t.notOk('activity_regularizer' in loaded.layers[2].getConfig(), 'a layer without one writes none (as Keras 3)');
  // Keras 3 writes module and registered_name too.
  const keras3 = bn.layers.dense({ units: 2, kernel_constraint: { module: 'keras.constraints', class_name: 'MaxNorm', config: { max_value: 2, axis: 0 }, registered_name: null } } as never);
  t.match(keras3.getConfig(), { kernel_constraint: { class_name: 'MaxNorm', config: { max_value: 2, axis: 0 } } });
});

t.test('constraints: bad options are refused, naming the layer', async (t) => {
  t.throws(() => bn.layers.dense({ units: 1, kernelConstraint: 'maxnorm2' as never }), /dense(_\d+)? \(Dense\): kernelConstraint: unknown constraint "maxnorm2"; use 'max_norm', 'non_neg', 'unit_norm', 'min_max_norm'/);
  t.throws(() => bn.constraints.maxNorm({ max_value: 2, axes: 0 } as never), /maxNorm: unknown option 'axes' — did you mean 'axis'\?/);
  t.throws(() => bn.constraints.maxNorm({ maxValue: 'big' } as never), /maxNorm: maxValue must be a finite number, got "big"/);
  t.throws(() => bn.constraints.unitNorm({ axis: 0.5 }), /UnitNorm: axis must be an integer, a non-empty list of integers or null, got 0.5/);
  t.throws(() => bn.sequential([bn.layers.dense({ name: 'd', units: 2, inputShape: [3], kernelConstraint: bn.constraints.maxNorm({ axis: 2 }) })]), /d \(Dense\): kernel constraint: MaxNorm axis 2 is out of range for a weight of shape \[3, 2\] \(rank 2\)/);
  t.throws(() => bn.layers.dense({ units: 1, activityRegularizer: 'l3' as never }), /activityRegularizer: unknown regularizer "l3"/);
  t.throws(() => bn.layers.bidirectional({ layer: bn.layers.lstm({ units: 2, activityRegularizer: 'l2' }) }), /wrapped lstm(_\d+)? has an activityRegularizer, which Keras applies to each direction's output/);
  t.throws(() => bn.layers.dense({ units: 1, kernel_constrant: 'non_neg' } as never), /unknown option 'kernel_constrant' — did you mean 'kernel_constraint'\?/);
});

t.test('a constraint on a frozen layer leaves it alone; constraints shared by weights of several shapes', async (t) => {
  bn.setSeed(4);
  const shared = bn.constraints.maxNorm({ maxValue: 0.1, axis: 0 });
  const frozen = bn.layers.dense({ units: 3, inputShape: [2], kernelConstraint: shared, trainable: false });
  const m = bn.sequential([frozen, bn.layers.dense({ units: 1, kernelConstraint: shared })]);
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  const before = frozen.getWeights()[0].data.slice();
  m.trainOnBatch(bn.tensor([[1, 2]]), bn.tensor([[1]]));
  t.same(Array.from(frozen.getWeights()[0].data), Array.from(before), 'not trained, so not projected (as Keras: only trained variables)');
  const k = m.layers[1].getWeights()[0].data;
  t.ok(Math.hypot(...k) <= 0.1 + 1e-6, `the trained kernel's column norm ${Math.hypot(...k)} <= 0.1`);
});
