import t from 'tap';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as bn from '../../lib';
import { Layer } from '../../lib/layers/layer';
import { Recurrent, RnnDropoutMasks } from '../../lib/layers/recurrent';
import { LayerHarness } from '../helpers/layer-call';

// LSTM and GRU dropout against Keras 3 (test/fixtures/rnn-dropout, made by
// tools/goldens/recurrent_dropout_keras.py): Keras's own LSTMCell / GRUCell run with
// masks injected into their mask getters, and blasnet runs with the same masks through
// the layer's dropoutMaskSource hook. Training output and the gradients of sum(out * r)
// for x and every weight; the inference output ignores the masks. Keras runs in float64.
interface CaseMasks { input_masks: number; input: number[] | null; recurrent: number[] | null }
interface Case {
  id: string; class_name: string; options: Record<string, unknown>;
  N: number; T: number; I: number;
  x: number[]; weights: { name: string; shape: number[]; value: number[] }[];
  masks: CaseMasks[]; r: number[]; out_shape: number[];
  out_train: number[]; out_infer: number[]; dx: number[]; dweights: number[][];
}
const fixture = JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'rnn-dropout', 'rnn_dropout.json'), 'utf8')) as { cases: Case[] };
const tolerance = 1e-6;

/** The largest |a - b| / max(1, |b|). */
function maxError(actual: ArrayLike<number>, expected: number[]): number {
  let worst = actual.length === expected.length ? 0 : Infinity;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
  return worst;
}

function makeLayer(c: Case): { layer: Layer; cells: Recurrent[] } {
  if (c.class_name === 'Bidirectional') {
    const { layer: inner, ...rest } = c.options;
    const make = inner === 'LSTM' ? bn.layers.lstm : bn.layers.gru;
    const layer = bn.layers.bidirectional({ layer: make(rest as never) });
    return { layer, cells: [layer.forwardLayer, layer.backwardLayer] };
  }
  const layer = (c.class_name === 'LSTM' ? bn.layers.lstm : bn.layers.gru)(c.options as never);
  return { layer, cells: [layer] };
}

for (const c of fixture.cases) {
  t.test(`${c.id}: ${c.class_name} ${JSON.stringify(c.options)}`, async (t) => {
    const { layer, cells } = makeLayer(c);
    layer.build([c.T, c.I]);
    t.equal(layer.weights.length, c.weights.length, 'the weights Keras has');
    layer.weights.forEach((p, i) => {
      t.same(p.value.shape, c.weights[i].shape, `${c.weights[i].name} shape`);
      p.value.data.set(c.weights[i].value);
    });
    cells.forEach((cell, i) => {
      const m = c.masks[i];
      const masks: RnnDropoutMasks = { input: m.input && Float32Array.from(m.input), recurrent: m.recurrent && Float32Array.from(m.recurrent) };
      cell.dropoutMaskSource = (N, I) => {
        t.equal(m.input?.length ?? 0, m.input_masks * N * I, `${cell.name}: Keras's count of input masks (${m.input_masks})`);
        return masks;
      };
    });
    const x = bn.tensor(Float32Array.from(c.x), [c.N, c.T, c.I]);
    const train = new LayerHarness(layer, true);
    const out = train.forward(x);
    t.same(out.shape, c.out_shape, 'output shape');
    t.ok(maxError(out.data, c.out_train) < tolerance, `training output: max error ${maxError(out.data, c.out_train).toExponential(2)}`);
    const dx = train.backward(bn.tensor(Float32Array.from(c.r), out.shape), true)!;
    t.ok(maxError(dx.data, c.dx) < tolerance, `dx: max error ${maxError(dx.data, c.dx).toExponential(2)}`);
    layer.weights.forEach((p, i) => {
      const err = maxError(train.grad(p), c.dweights[i]);
      t.ok(err < tolerance, `d ${c.weights[i].name}: max error ${err.toExponential(2)}`);
    });
    const infer = new LayerHarness(layer, false).forward(x);
    t.ok(maxError(infer.data, c.out_infer) < tolerance, `inference output (no dropout): max error ${maxError(infer.data, c.out_infer).toExponential(2)}`);
    t.ok(maxError(infer.data, c.out_train) > 1e-3, 'the masks change the training output');
  });
}
