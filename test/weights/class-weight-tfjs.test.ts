import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import * as bn from '../../lib';
import { worst } from './helpers';

// fit({classWeight}) against TF.js's model.fit({classWeight}) live: the same initial weights, SGD,
// no shuffling, two epochs; the losses and the weights after. TF.js refuses a class missing
// from classWeight (Keras weighs it 1), so every class is given here.
tf.setBackend('cpu');

const N = 9, F = 3, K = 3;
const xs = Float32Array.from({ length: N * F }, (_, i) => Math.sin(1.7 * i + 0.3));
const labels = [0, 1, 2, 2, 1, 0, 2, 2, 1];
const oneHot = Float32Array.from(labels.flatMap((c) => Array.from({ length: K }, (_, k) => (k === c ? 1 : 0))));
const kernel = Float32Array.from({ length: F * K }, (_, i) => Math.cos(2.3 * i) * 0.5);
const bias = Float32Array.from([0.1, -0.2, 0.05]);

async function tfjsRun(classWeight: Record<number, number>, loss: string, targets: tf.Tensor): Promise<{ losses: number[]; weights: Float32Array[] }> {
  const input = tf.input({ shape: [F] });
  const out = tf.layers.dense({ units: K, activation: 'softmax' }).apply(input) as tf.SymbolicTensor;
  const m = tf.model({ inputs: input, outputs: out });
  m.setWeights([tf.tensor(kernel, [F, K]), tf.tensor(bias, [K])]);
  m.compile({ optimizer: tf.train.sgd(0.2), loss });
  const h = await m.fit(tf.tensor(xs, [N, F]), targets, { classWeight, batchSize: 4, epochs: 2, shuffle: false, verbose: 0 });
  return { losses: h.history.loss as number[], weights: m.getWeights().map((w) => w.dataSync() as Float32Array) };
}

async function blasnetRun(classWeight: Record<number, number>, loss: string, targets: bn.Tensor): Promise<{ losses: number[]; weights: Float32Array[] }> {
  const m = bn.sequential([bn.layers.dense({ units: K, activation: 'softmax', inputShape: [F] })]);
  m.setWeights([new bn.Tensor(kernel, [F, K]), new bn.Tensor(bias, [K])]);
  m.compile({ optimizer: bn.optimizers.sgd({ learningRate: 0.2 }), loss });
  const h = await m.fit(new bn.Tensor(xs, [N, F]), targets, { classWeight, batchSize: 4, epochs: 2, shuffle: false, verbose: 0 });
  return { losses: h.history.loss, weights: m.getWeights().map((w) => w.data as Float32Array) };
}

const classWeight = { 0: 0.5, 1: 2, 2: 1.25 };
const runs: [string, string, () => tf.Tensor, () => bn.Tensor][] = [
  ['one-hot targets (argmax)', 'categoricalCrossentropy', () => tf.tensor(oneHot, [N, K]), () => new bn.Tensor(oneHot, [N, K])],
  ['integer labels', 'sparseCategoricalCrossentropy', () => tf.tensor(labels, [N]), () => new bn.Tensor(Int32Array.from(labels), [N])],
];
for (const [what, loss, tfY, bnY] of runs) {
  t.test(`classWeight with ${what} matches TF.js`, async (t) => {
    const want = await tfjsRun(classWeight, loss, tfY());
    const got = await blasnetRun(classWeight, loss, bnY());
    const l = worst(got.losses, want.losses);
    t.ok(l.error < 1e-5, `losses ${got.losses.join(', ')} vs TF.js ${want.losses.join(', ')}`);
    got.weights.forEach((w, i) => {
      const e = worst(w, want.weights[i]);
      t.ok(e.error < 1e-5, `weight ${i}: worst rel error ${e.error.toExponential(2)}`);
    });
    const plain = await blasnetRun({ 0: 1, 1: 1, 2: 1 }, loss, bnY());
    t.notSame(plain.losses, got.losses, 'class weights change the training');
  });
}
