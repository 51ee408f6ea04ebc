import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import * as bn from '../../lib';
import { Layer } from '../../lib/layers/layer';
import { maxAbsDiff, randomArray } from '../helpers/gradcheck';
import { harness } from '../helpers/layer-call';

// BatchNormalization, Flatten, Reshape and the global pools against tf.layers with the
// same weights; max |blasnet - tfjs| must stay below 1e-5.
tf.setBackend('cpu');
const tolerance = 1e-5;

/** Runs our layer on one batch after building it for the batch's per-sample shape. */
function run(layer: Layer, x: Float32Array, shape: number[], training: boolean): bn.Tensor {
  if (!layer.built) layer.build(shape.slice(1));
  return harness(layer).forward(bn.tensor(x, shape), training);
}

function reference(layer: tf.layers.Layer, x: Float32Array, shape: number[], training: boolean): Float32Array {
  return (layer.apply(tf.tensor(x, shape), { training }) as tf.Tensor).dataSync() as Float32Array;
}

for (const shape of [[8, 6], [4, 3, 2, 5], [2, 7, 3]]) {
  for (const momentum of [0.99, 0.8]) {
    t.test(`batchNormalization on ${JSON.stringify(shape)}, momentum ${momentum}`, async (t) => {
      const C = shape[shape.length - 1];
      const size = shape.reduce((a, b) => a * b, 1);
      const x = randomArray(size, 1, -3, 3);
      const weights = [randomArray(C, 2, 0.5, 1.5), randomArray(C, 3), randomArray(C, 4, -0.5, 0.5), randomArray(C, 5, 0.5, 2)];
      const ours = bn.layers.batchNormalization({ momentum });
      ours.build(shape.slice(1));
      ours.setWeights(weights.map((w) => bn.tensor(w, [C])));
      const ref = tf.layers.batchNormalization({ momentum });
      ref.build([null, ...shape.slice(1)]);
      ref.setWeights(weights.map((w) => tf.tensor1d(w)));

      for (const training of [false, true, false]) {
        const mode = training ? 'training' : 'inference';
        const diff = maxAbsDiff(run(ours, x, shape, training).data, reference(ref, x, shape, training));
        t.ok(diff < tolerance, `${mode} output: max |blasnet - tfjs| = ${diff.toExponential(2)}`);
      }
      // After the training call both moved their statistics the same way.
      const want = ref.getWeights().map((w) => w.dataSync());
      ours.getWeights().forEach((w, i) => {
        const diff = maxAbsDiff(w.data, want[i]);
        t.ok(diff < tolerance, `${ours.weights[i].name}: max |blasnet - tfjs| = ${diff.toExponential(2)}`);
      });
      t.not(ours.getWeights()[2].data[0], weights[2][0], 'moving_mean moved');
    });
  }
}

t.test('batchNormalization weights, config and errors', async (t) => {
  const layer = bn.layers.batchNormalization({ name: 'bn1', center: false });
  layer.build([4, 3]);
  t.same(layer.weights.map((p) => [p.name, p.trainable]), [['gamma', true], ['moving_mean', false], ['moving_variance', false]]);
  t.same(layer.trainableWeights.map((p) => p.name), ['gamma']);
  const config = layer.getConfig();
  t.match(config, {
    name: 'bn1', axis: -1, momentum: 0.99, epsilon: 1e-3, center: false, scale: true,
    gamma_initializer: { class_name: 'Ones', config: {} }, moving_variance_initializer: { class_name: 'Ones', config: {} },
  });
  t.throws(() => bn.layers.batchNormalization({ axis: 1 }).build([4, 3]), /only the last axis is supported; axis=1/);
  t.throws(() => bn.layers.batchNormalization({ axis: -2 }), /only the last axis \(axis=-1, channels last\) is supported, got axis=-2/);
  t.throws(() => bn.layers.batchNormalization({ momentum: 2 }), /momentum must be a number in \[0, 1\]/);
  // axis given as the last index works like -1.
  t.doesNotThrow(() => bn.layers.batchNormalization({ axis: 2 }).build([4, 3]));
});

t.test('one SGD step of Dense -> BatchNormalization -> Dense matches tfjs (gradients and moving stats)', async (t) => {
  const N = 6, I = 4, U = 5;
  const x = randomArray(N * I, 10), y = randomArray(N * 2, 11);
  const weights = [randomArray(I * U, 12), randomArray(U, 13), randomArray(U, 14, 0.5, 1.5), randomArray(U, 15),
    randomArray(U, 16, -0.2, 0.2), randomArray(U, 17, 0.5, 2), randomArray(U * 2, 18), randomArray(2, 19)];
  const shapes = [[I, U], [U], [U], [U], [U], [U], [U, 2], [2]];
  const model = bn.sequential({ layers: [bn.layers.dense({ units: U, inputShape: [I] }), bn.layers.batchNormalization({ momentum: 0.9 }), bn.layers.dense({ units: 2 })] });
  model.setWeights(weights.map((w, i) => bn.tensor(w, shapes[i])));
  model.compile({ optimizer: bn.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
  await model.fit(bn.tensor(x, [N, I]), bn.tensor(y, [N, 2]), { epochs: 1, batchSize: N, shuffle: false, verbose: 0 });

  const ref = tf.sequential({ layers: [tf.layers.dense({ units: U, inputShape: [I] }), tf.layers.batchNormalization({ momentum: 0.9 }), tf.layers.dense({ units: 2 })] });
  // Per layer: a tfjs model lists all trainable weights before the non-trainable ones.
  const perLayer = [[0, 2], [2, 6], [6, 8]];
  perLayer.forEach(([from, to], l) => ref.layers[l].setWeights(weights.slice(from, to).map((w, i) => tf.tensor(w, shapes[from + i]))));
  ref.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
  await ref.fit(tf.tensor(x, [N, I]), tf.tensor(y, [N, 2]), { epochs: 1, batchSize: N, shuffle: false, verbose: 0 });

  const want = ref.layers.flatMap((l) => l.getWeights().map((w) => w.dataSync()));
  const names = ['dense/kernel', 'dense/bias', 'gamma', 'beta', 'moving_mean', 'moving_variance', 'dense_1/kernel', 'dense_1/bias'];
  model.getWeights().forEach((w, i) => {
    const diff = maxAbsDiff(w.data, want[i]);
    t.ok(diff < tolerance, `${names[i]} after one step: max |blasnet - tfjs| = ${diff.toExponential(2)}`);
  });
  const diff = maxAbsDiff(model.predict(bn.tensor(x, [N, I])).data, (ref.predict(tf.tensor(x, [N, I])) as tf.Tensor).dataSync());
  t.ok(diff < tolerance, `predict (moving statistics): max |blasnet - tfjs| = ${diff.toExponential(2)}`);
});

t.test('flatten and reshape match tfjs', async (t) => {
  const shape = [3, 4, 2, 5];
  const x = randomArray(120, 20);
  const cases: [Layer, tf.layers.Layer][] = [
    [bn.layers.flatten(), tf.layers.flatten()],
    [bn.layers.reshape({ targetShape: [5, -1] }), tf.layers.reshape({ targetShape: [5, -1] })],
    [bn.layers.reshape({ targetShape: [2, 4, 5] }), tf.layers.reshape({ targetShape: [2, 4, 5] })],
  ];
  for (const [ours, ref] of cases) {
    const got = run(ours, x, shape, true);
    const want = ref.apply(tf.tensor(x, shape)) as tf.Tensor;
    t.same(got.shape, want.shape, `${ours.className}: shape ${JSON.stringify(want.shape)}`);
    t.equal(maxAbsDiff(got.data, want.dataSync()), 0, `${ours.className}: same values`);
    t.equal(got.data, x, `${ours.className}: a view, no copy`);
    const dx = harness(ours).backward(got, true)!;
    t.same(dx.shape, shape, `${ours.className}: dy reshaped back to the input shape`);
    t.equal(harness(ours).backward(got, false), null, `${ours.className}: no input gradient when not needed`);
  }
});

t.test('global pools match tfjs', async (t) => {
  const cases: [string, Layer, tf.layers.Layer, number[]][] = [
    ['globalAveragePooling2d', bn.layers.globalAveragePooling2d(), tf.layers.globalAveragePooling2d({}), [3, 4, 5, 6]],
    ['globalMaxPooling2d', bn.layers.globalMaxPooling2d(), tf.layers.globalMaxPooling2d({}), [3, 4, 5, 6]],
    ['globalAveragePooling1d', bn.layers.globalAveragePooling1d(), tf.layers.globalAveragePooling1d(), [3, 7, 6]],
    ['globalMaxPooling1d', bn.layers.globalMaxPooling1d(), tf.layers.globalMaxPooling1d(), [3, 7, 6]],
  ];
  for (const [name, ours, ref, shape] of cases) {
    const x = randomArray(shape.reduce((a, b) => a * b, 1), 21, -5, 5);
    const got = run(ours, x, shape, false);
    const want = ref.apply(tf.tensor(x, shape)) as tf.Tensor;
    t.same(got.shape, want.shape, `${name}: shape`);
    const diff = maxAbsDiff(got.data, want.dataSync());
    t.ok(diff < tolerance, `${name}: max |blasnet - tfjs| = ${diff.toExponential(2)}`);
  }
});
