import t from 'tap';
import * as bn from '../../lib';
import { checkGradient, f32, randomArray, weightedSum } from '../helpers/gradcheck';
import { harness } from '../helpers/layer-call';

// The Bidirectional wrapper's backward pass (splitting, time-flipping and merging
// gradients) against central differences of its forward pass, for the input and
// every weight of both directions.
const N = 2, T = 3, I = 3, U = 2;

let seed = 500;
for (const cell of ['lstm', 'gru'] as const) {
  for (const mergeMode of ['concat', 'sum', 'mul', 'ave'] as const) {
    for (const returnSequences of [true, false]) {
      const s = (seed += 10);
      t.test(`${cell} ${mergeMode} seq=${returnSequences}`, async (t) => {
        bn.setSeed(s);
        const inner = cell === 'lstm' ? bn.layers.lstm({ units: U, returnSequences }) : bn.layers.gru({ units: U, returnSequences });
        const layer = bn.layers.bidirectional({ layer: inner, mergeMode, inputShape: [T, I] });
        layer.build([T, I]);
        // Random biases too, so no gradient is trivially zero.
        for (const p of layer.weights) p.value.data.set(randomArray(p.value.size, s + p.value.size, -0.8, 0.8));
        const x = bn.tensor(randomArray(N * T * I, s + 1), [N, T, I]);
        const out = harness(layer).forward(x, true);
        const r = randomArray(out.size, s + 2);
        const dx = harness(layer).backward(bn.tensor(r.slice(), out.shape), true)!;
        const objective = (): number => weightedSum(harness(layer).forward(x, true).data, r);
        const checks: [string, Float32Array, Float32Array][] = [['x', f32(x), f32(dx)]];
        layer.weights.forEach((p, i) => checks.push([`${i < 3 ? 'forward' : 'backward'} ${p.name}`, f32(p.value), harness(layer).grad(p)]));
        t.equal(checks.length, 7, 'input plus 3 weights per direction');
        for (const [name, input, grad] of checks) {
          const res = checkGradient(input, grad, objective);
          t.ok(res.maxRelError < 2e-3, `d(${name}): max rel error ${res.maxRelError.toExponential(2)} over ${res.checked} points`, res.worst ?? {});
        }
      });
    }
  }
}

t.test('weights are the forward layer\'s then the backward layer\'s; names and config', async (t) => {
  const layer = bn.layers.bidirectional({ layer: bn.layers.gru({ units: 4, name: 'enc' }), inputShape: [5, 3] });
  const model = bn.sequential({ layers: [layer] });
  t.same(layer.weights.map((p) => `${p.name}:${p.value.shape}`),
    ['kernel:3,12', 'recurrent_kernel:4,12', 'bias:2,12', 'kernel:3,12', 'recurrent_kernel:4,12', 'bias:2,12']);
  t.equal(layer.forwardLayer.name, 'forward_enc');
  t.equal(layer.backwardLayer.name, 'backward_enc');
  t.equal(layer.backwardLayer.goBackwards, true, 'backward copy reads the sequence reversed');
  t.same(model.outputShape, [8], 'concat doubles the units');
  const config = layer.getConfig() as { merge_mode: string; layer: { class_name: string; config: Record<string, unknown> } };
  t.equal(config.merge_mode, 'concat');
  t.equal(config.layer.class_name, 'GRU');
  t.equal(config.layer.config.name, 'enc');
  t.equal(config.layer.config.go_backwards, false);
  t.equal(model.weights.length, 6);
});
