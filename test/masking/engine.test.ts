import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import * as bn from '../../lib';
import { LayerCall } from '../../lib/engine/call';
import { ExecutionContext } from '../../lib/engine/context';
import { Graph } from '../../lib/engine/graph';
import { layerFromConfig } from '../../lib/io/registry';
import { SymbolicTensor } from '../../lib/engine/symbolic';
import { maxAbsDiff } from '../helpers/gradcheck';

// How masks flow: which layers make, pass on, consume or drop them; the errors and the
// warning; graphs without masks untouched; the mask saved and loaded with the model.
tf.setBackend('cpu');
const L = bn.layers;
const graphOf = (m: bn.LayersModel): Graph => (m as unknown as { graph: Graph }).graph;
const sym = (l: bn.Layer, x: SymbolicTensor | SymbolicTensor[]): SymbolicTensor => l.apply(x as never) as SymbolicTensor;
const tokens = (): SymbolicTensor => bn.input({ shape: [4], dtype: 'int32' });
const embed = (maskZero = true): bn.Layer => L.embedding({ inputDim: 6, outputDim: 3, maskZero });

/** Captures process warnings emitted while `fn` runs. */
function warnings(fn: () => void): string[] {
  const seen: string[] = [];
  const listener = (w: Error): void => { seen.push(w.message); };
  process.on('warning', listener);
  const original = process.emitWarning;
  process.emitWarning = ((w: string | Error) => { seen.push(typeof w === 'string' ? w : w.message); }) as typeof process.emitWarning;
  try { fn(); } finally { process.emitWarning = original; process.off('warning', listener); }
  return seen;
}

t.test('which tensors carry a mask', async (t) => {
  const x = tokens();
  const e = sym(embed(), x);
  t.ok(e.masked, 'Embedding(maskZero) makes one');
  t.notOk(sym(embed(false), x).masked, 'without maskZero: none');
  const d = sym(L.dense({ units: 2 }), e);
  t.ok(d.masked && sym(L.dropout({ rate: 0.5 }), d).masked && sym(L.activation({ activation: 'relu' }), d).masked, 'Dense, Dropout, Activation pass it on');
  t.ok(sym(L.timeDistributed({ layer: L.dense({ units: 2 }) }), e).masked, 'TimeDistributed passes it on');
  t.ok(sym(L.lstm({ units: 2, returnSequences: true }), e).masked, 'an RNN with returnSequences passes it on');
  t.notOk(sym(L.gru({ units: 2 }), e).masked, 'an RNN giving its last output consumes it');
  t.ok(sym(L.bidirectional({ layer: L.lstm({ units: 2, returnSequences: true }) }), e).masked, 'Bidirectional with returnSequences passes it on');
  t.notOk(sym(L.globalAveragePooling1d(), e).masked, 'GlobalAveragePooling1D consumes it');
  t.ok(sym(L.add(), [e, sym(embed(), x)]).masked, 'Add of masked inputs: masked');
  t.notOk(sym(L.add(), [e, sym(embed(false), x)]).masked, 'Add with an unmasked input: none (Keras needs every mask)');
  t.ok(sym(L.concatenate(), [e, sym(embed(false), x)]).masked, 'Concatenate with one masked input: masked');
  t.notOk(sym(L.dot({ axes: 2 }), [e, e]).masked, 'Dot takes masked inputs and gives no mask');
});

t.test('a layer that cannot take a mask drops it with Keras\'s warning; the ones Keras changes values for are refused', async (t) => {
  const e = sym(embed(), tokens());
  for (const layer of [L.flatten(), L.conv1d({ filters: 2, kernelSize: 2 }), L.globalMaxPooling1d(), L.maxPooling1d()]) {
    let out: SymbolicTensor | null = null;
    const seen = warnings(() => { out = sym(layer, e); });
    t.match(seen, [new RegExp(`Layer '${layer.name}' \\(of type ${layer.className}\\) was passed an input with a mask attached to it. However, this layer does not support masking and will therefore destroy the mask information`)], `${layer.className} warns`);
    t.notOk(out!.masked, `${layer.className}'s output has no mask`);
  }
  t.same(warnings(() => sym(L.dense({ units: 2 }), e)), [], 'a layer that supports masking does not warn');
  t.throws(() => sym(L.batchNormalization(), e), /batch_normalization.*\(BatchNormalization\): its input carries a mask .* not implemented/);
  for (const merge of [L.multiply(), L.maximum(), L.minimum()]) {
    t.throws(() => sym(merge, [e, e]), new RegExp(`${merge.className}\\): an input carries a mask .* not implemented, so masked inputs are refused`));
  }
});

t.test('a dropped mask changes nothing: Conv1D + MaxPooling1D (one fused step) compute over every step, as without maskZero', async (t) => {
  const make = (maskZero: boolean) => {
    bn.setSeed(2);
    let m: bn.Sequential | null = null;
    warnings(() => {
      m = bn.sequential({ layers: [L.embedding({ inputDim: 6, outputDim: 3, inputShape: [6], maskZero }), L.conv1d({ filters: 2, kernelSize: 2 }),
        L.maxPooling1d({ poolSize: 2 }), L.flatten(), L.dense({ units: 2, activation: 'softmax' })] });
    });
    m!.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    return m!;
  };
  const x = bn.tensor(Int32Array.from([0, 0, 1, 2, 3, 4, 0, 5, 5, 0, 1, 1]), [2, 6], 'int32');
  const y = bn.tensor(Float32Array.from([1, 0, 0, 1]), [2, 2]);
  const a = make(true), b = make(false);
  t.notOk(graphOf(a).masking && graphOf(a).steps.some((s) => s.outputMasked && s.nodes.length > 1), 'no fused step carries a mask');
  t.same(Array.from((a.predict(x) as bn.Tensor).data), Array.from((b.predict(x) as bn.Tensor).data), 'same predictions');
  t.equal(a.trainOnBatch(x, y).loss, b.trainOnBatch(x, y).loss, 'same loss');
});

t.test('graphs without masks keep the plain forward; masked graphs hand each step its masks', async (t) => {
  const plain = bn.sequential({ layers: [L.embedding({ inputDim: 6, outputDim: 3, inputShape: [4] }), L.lstm({ units: 2 })] });
  t.notOk(graphOf(plain).masking, 'no Embedding with maskZero: no masking');
  const masked = bn.sequential({ layers: [L.embedding({ inputDim: 6, outputDim: 3, inputShape: [4], maskZero: true }), L.lstm({ units: 2, returnSequences: true }), L.dense({ units: 1 })] });
  t.ok(graphOf(masked).masking);
  const ctx = new ExecutionContext(graphOf(masked));
  ctx.forward([bn.tensor(Int32Array.from([0, 0, 3, 4, 1, 0, 2, 0]), [2, 4], 'int32')], false, false);
  t.same(Array.from(ctx.outputMask(0)!.data), [0, 0, 1, 1, 1, 0, 1, 0], 'the output\'s mask is the Embedding\'s, passed through LSTM and Dense');
  t.same(ctx.outputMask(0)!.shape, [2, 4]);
});

t.test('zeroOutputForMask and GlobalAveragePooling1D over the kept steps', async (t) => {
  const x = bn.tensor(Int32Array.from([0, 2, 0, 3, 1, 2, 3, 4]), [2, 4], 'int32');
  const seq = (zero: boolean) => bn.sequential({ layers: [L.embedding({ inputDim: 6, outputDim: 3, inputShape: [4], maskZero: true, embeddingsInitializer: 'ones' }),
    L.lstm({ units: 2, returnSequences: true, zeroOutputForMask: zero, kernelInitializer: 'ones', recurrentInitializer: 'ones' })] });
  const carry = seq(false).predict(x) as bn.Tensor, zero = seq(true).predict(x) as bn.Tensor;
  const row = (y: bn.Tensor, n: number, s: number): number[] => Array.from(y.data.subarray((n * 4 + s) * 2, (n * 4 + s + 1) * 2));
  t.same(row(carry, 0, 0), [0, 0], 'a leading masked step outputs the initial state');
  t.same(row(carry, 0, 2), row(carry, 0, 1), 'a masked step outputs the previous step\'s output');
  t.same(row(zero, 0, 2), [0, 0], 'zeroOutputForMask: 0 there');
  t.same(row(zero, 0, 3), row(carry, 0, 3), 'the kept steps are the same');
  t.equal(L.gru({ units: 2, zero_output_for_mask: true } as never).getConfig().zero_output_for_mask, true, 'zero_output_for_mask in the config');

  const pool = bn.sequential({ layers: [L.embedding({ inputDim: 6, outputDim: 2, inputShape: [4], maskZero: true }), L.globalAveragePooling1d()] });
  const table = Float32Array.from([9, 9, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1]);
  pool.setWeights([bn.tensor(table, [6, 2])]);
  const y = pool.predict(x) as bn.Tensor;
  t.same(Array.from(y.data), [(3 + 5) / 2, (4 + 6) / 2, (1 + 3 + 5 + 7) / 4, (2 + 4 + 6 + 8) / 4], 'the mean over the kept steps only');
  const none = pool.predict(bn.tensor(Int32Array.from([0, 0, 0, 0]), [1, 4], 'int32')) as bn.Tensor;
  t.ok(none.data.every((v) => Number.isNaN(v)), 'every step masked: 0/0 = NaN, as Keras');
});

t.test('the mask reaches the loss: padded positions change neither the loss nor the gradients', async (t) => {
  const make = () => {
    bn.setSeed(3);
    const m = bn.sequential({ layers: [L.embedding({ inputDim: 6, outputDim: 3, inputShape: [4], maskZero: true }), L.gru({ units: 3, returnSequences: true }), L.dense({ units: 1 })] });
    m.compile({ optimizer: bn.optimizers.sgd({ learningRate: 0.1 }), loss: 'mse', metrics: ['mae'] });
    return m;
  };
  const x = bn.tensor(Int32Array.from([0, 0, 2, 3, 0, 1, 4, 5]), [2, 4], 'int32');
  const y1 = bn.tensor(Float32Array.from([5, -5, 1, 2, 9, 3, 4, 5]), [2, 4, 1]);
  const y2 = bn.tensor(Float32Array.from([-7, 7, 1, 2, -1, 3, 4, 5]), [2, 4, 1]); // differs only where masked
  const a = make(), b = make();
  const la = a.trainOnBatch(x, y1), lb = b.trainOnBatch(x, y2);
  t.equal(la.loss, lb.loss, 'same loss');
  t.equal(la.mae, lb.mae, 'same metric');
  a.getWeights().forEach((w, i) => t.same(Array.from(w.data), Array.from(b.getWeights()[i].data), `weight ${i} after one step`));
});

t.test('mask errors name the layer', async (t) => {
  const lstm = L.lstm({ name: 'rnn', units: 2 });
  lstm.build([4, 3]);
  const call = new LayerCall({ training: false, recording: false, weightGradient: () => null });
  call.masks = [{ data: new Uint8Array(6), shape: [2, 3] }];
  t.throws(() => lstm.forward(bn.zeros([2, 4, 3]), call), /rnn \(LSTM\): its input's mask has shape \[2, 3\], expected \[2, 4\]/);
});

t.test('mask_zero is saved and loaded (blasnet, tfjs, Keras configs): the loaded model masks', async (t) => {
  bn.setSeed(9);
  const model = bn.sequential({ layers: [L.embedding({ inputDim: 7, outputDim: 3, inputShape: [5], maskZero: true }), L.lstm({ units: 2 }), L.dense({ units: 1 })] });
  const x = bn.tensor(Int32Array.from([0, 0, 1, 2, 3, 0, 4, 5, 6, 1]), [2, 5], 'int32');
  const want = model.predict(x) as bn.Tensor;
  const dir = mkdtempSync(path.join(tmpdir(), 'bn-mask-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  await model.save(dir);
  const loaded = await bn.loadLayersModel(dir);
  t.ok(graphOf(loaded).masking, 'the loaded model masks');
  t.same(Array.from((loaded.predict(x) as bn.Tensor).data), Array.from(want.data), 'same predictions');
  // TensorFlow.js masks too (its RNN carries the state over masked steps as Keras does).
  const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const weights = readFileSync(path.join(dir, 'weights.bin'));
  const ref = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights,
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.length) }));
  const diff = maxAbsDiff(want.data, (ref.predict(tf.tensor2d(Array.from(x.data), [2, 5], 'int32')) as tf.Tensor).dataSync());
  t.ok(diff < 1e-5, `tfjs loads it and masks: max |blasnet - tfjs| = ${diff.toExponential(2)}`);

  const fromKeras = layerFromConfig('Embedding', { name: 'e', input_dim: 7, output_dim: 3, mask_zero: true, embeddings_initializer: { module: 'keras.initializers', class_name: 'RandomUniform', config: { minval: -0.05, maxval: 0.05, seed: null } } });
  t.equal((fromKeras as unknown as { maskZero: boolean }).maskZero, true, 'a Keras 3 config with mask_zero masks');
  const rnn = layerFromConfig('LSTM', { name: 'l', units: 2, zero_output_for_mask: true });
  t.equal(rnn.getConfig().zero_output_for_mask, true, 'a Keras LSTM config with zero_output_for_mask');
});

t.test('padded positions never count in precision, recall or AUC (as tf.keras; Keras 3 masks only mean metrics)', async (t) => {
  // Every kept position predicts sigmoid(2) > 0.5; 4 of the 5 kept are positive, the 3 pads negative.
  const m = bn.sequential([
    L.embedding({ inputDim: 3, outputDim: 2, maskZero: true, inputShape: [4], embeddingsInitializer: 'ones' }),
    L.dense({ units: 1, activation: 'sigmoid', kernelInitializer: 'ones' }),
  ]);
  m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['binary_accuracy', bn.metrics.precision(), bn.metrics.recall()] });
  const x = bn.preprocessing.padSequences([[1, 2], [2, 1, 1]], { maxlen: 4 });
  const y = bn.tensor([[[0], [0], [1], [1]], [[0], [1], [1], [0]]]);
  const r = await m.evaluate(x, y, { verbose: 0 }) as Record<string, number>;
  t.equal(r.binary_accuracy, Math.fround(0.8), 'accuracy over the 5 kept positions (logged in float32, as Keras)');
  t.equal(r.precision, Math.fround(0.8), 'precision 4 / 5, not 4 / 8 with the pads');
  t.equal(r.recall, 1, 'recall 4 / 4');
});
