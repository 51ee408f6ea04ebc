import * as tf from '@tensorflow/tfjs';
import t, { Test } from 'tap';
import * as bn from '../../lib';
import { maxAbsDiff, randomArray } from '../helpers/gradcheck';

// Conv2D, Conv1D and the pooling layers against tf.layers with the same weights,
// over paddings, strides, dilations and activations; then one SGD step of small
// CNNs in both libraries, which compares every backward pass through the weights.
tf.setBackend('cpu');

const N = 3;
let seed = 100;

/** Runs a one-layer blasnet model and the tfjs layer on the same input and weights. */
function compareLayer(t: Test, inputShape: number[], make: () => bn.Layer, makeRef: () => tf.layers.Layer,
  refInput: (x: tf.Tensor) => tf.Tensor = (x) => x): void {
  const layer = make();
  const model = bn.sequential({ layers: [layer] });
  const weights = layer.weights.map((p) => randomArray(p.value.size, (seed += 1)));
  layer.setWeights(weights.map((w, i) => bn.tensor(w, layer.weights[i].value.shape)));
  const x = randomArray(N * inputShape.reduce((a, b) => a * b, 1), (seed += 1));
  const got = model.predict(bn.tensor(x, [N, ...inputShape]));

  const ref = makeRef();
  const xt = refInput(tf.tensor(x, [N, ...inputShape]));
  ref.apply(tf.zerosLike(xt));
  ref.setWeights(weights.map((w, i) => tf.tensor(w, layer.weights[i].value.shape as number[])));
  const want = ref.apply(xt) as tf.Tensor;
  t.same(got.shape, want.shape, `output shape ${JSON.stringify(want.shape)}`);
  const diff = maxAbsDiff(got.data, want.dataSync());
  t.ok(diff < 1e-5, `max |blasnet - tfjs| = ${diff.toExponential(2)}`);
}

const conv2dCases: [number[], Record<string, unknown>][] = [
  [[7, 6, 3], { filters: 4, kernelSize: 3, padding: 'valid' }],
  [[7, 6, 3], { filters: 2, kernelSize: [3, 2], strides: 2, padding: 'same', activation: 'relu' }],
  [[9, 8, 2], { filters: 3, kernelSize: 3, dilationRate: 2, padding: 'same' }],
  [[9, 8, 2], { filters: 3, kernelSize: [2, 3], dilationRate: [2, 1], padding: 'valid', useBias: false }],
  [[4, 5, 3], { filters: 5, kernelSize: 1, activation: 'sigmoid' }],
  [[6, 7, 2], { filters: 4, kernelSize: 3, strides: [1, 2], padding: 'same', activation: 'softmax' }],
  [[8, 7, 1], { filters: 2, kernelSize: 4, strides: 3, padding: 'same', activation: 'tanh' }],
  [[5, 5, 2], { filters: 3, kernelSize: 5, padding: 'valid' }],
];
for (const [shape, config] of conv2dCases) {
  t.test(`conv2d ${JSON.stringify(config)} on ${JSON.stringify(shape)}`, async (t) => {
    compareLayer(t, shape, () => bn.layers.conv2d({ ...config, inputShape: shape } as bn.Conv2DArgs),
      () => tf.layers.conv2d(config as unknown as Parameters<typeof tf.layers.conv2d>[0]));
  });
}

const conv1dCases: [number[], Record<string, unknown>][] = [
  [[10, 4], { filters: 3, kernelSize: 3 }],
  [[10, 4], { filters: 2, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' }],
  [[11, 3], { filters: 2, kernelSize: 2, dilationRate: 3, padding: 'same' }],
  [[9, 1], { filters: 3, kernelSize: [3], strides: [3], useBias: false }],
];
for (const [shape, config] of conv1dCases) {
  t.test(`conv1d ${JSON.stringify(config)} on ${JSON.stringify(shape)}`, async (t) => {
    compareLayer(t, shape, () => bn.layers.conv1d({ ...config, inputShape: shape } as bn.Conv1DArgs),
      () => tf.layers.conv1d(config as unknown as Parameters<typeof tf.layers.conv1d>[0]));
  });
}

// tfjs has no causal Conv1D; Keras defines it as a 'valid' convolution of the input
// left-padded by (kernelSize - 1) * dilationRate steps.
for (const [k, d, s] of [[3, 2, 1], [4, 1, 2], [2, 3, 1]]) {
  t.test(`conv1d causal kernelSize=${k} dilationRate=${d} strides=${s}`, async (t) => {
    const config = { filters: 3, kernelSize: k, dilationRate: d, strides: s };
    compareLayer(t, [10, 2], () => bn.layers.conv1d({ ...config, padding: 'causal', inputShape: [10, 2] }),
      () => tf.layers.conv1d({ ...config, padding: 'valid' }), (x) => tf.pad(x, [[0, 0], [(k - 1) * d, 0], [0, 0]]));
  });
}

const pool2dCases: [number[], Record<string, unknown>][] = [
  [[7, 6, 3], {}],
  [[7, 5, 3], { poolSize: 2, padding: 'same' }],
  [[7, 5, 2], { poolSize: 3, strides: 2, padding: 'same' }],
  [[7, 6, 2], { poolSize: [3, 2], strides: [1, 2], padding: 'valid' }],
  [[3, 5, 2], { poolSize: 4, strides: [3, 2], padding: 'same' }],
];
const pool1dCases: [number[], Record<string, unknown>][] = [
  [[9, 3], {}],
  [[9, 3], { poolSize: 3, strides: 2, padding: 'same' }],
  [[8, 2], { poolSize: [3], strides: [1], padding: 'valid' }],
];
for (const [name, cases] of [['maxPooling2d', pool2dCases], ['averagePooling2d', pool2dCases], ['maxPooling1d', pool1dCases], ['averagePooling1d', pool1dCases]] as const) {
  for (const [shape, config] of cases) {
    t.test(`${name} ${JSON.stringify(config)} on ${JSON.stringify(shape)}`, async (t) => {
      compareLayer(t, shape, () => bn.layers[name]({ ...config, inputShape: shape }),
        () => (tf.layers[name] as (c: unknown) => tf.layers.Layer)(config));
    });
  }
}

/** Builds the same model in both libraries, takes one SGD step on one batch, and compares the weights. */
async function compareStep(t: Test, inputShape: number[], specs: [string, Record<string, unknown>][]): Promise<void> {
  const classes = 3;
  const model = bn.sequential();
  const ref = tf.sequential();
  specs.forEach(([name, config], i) => {
    const withShape = i === 0 ? { ...config, inputShape } : config;
    model.add((bn.layers as unknown as Record<string, (c: unknown) => bn.Layer>)[name](withShape));
    ref.add((tf.layers as unknown as Record<string, (c: unknown) => tf.layers.Layer>)[name](withShape));
  });
  const weights = model.weights.map((p) => randomArray(p.value.size, (seed += 1), -0.5, 0.5));
  model.setWeights(weights.map((w, i) => bn.tensor(w, model.weights[i].value.shape)));
  ref.setWeights(weights.map((w, i) => tf.tensor(w, model.weights[i].value.shape as number[])));
  const batch = 4;
  const x = randomArray(batch * inputShape.reduce((a, b) => a * b, 1), (seed += 1));
  const labels = Array.from({ length: batch }, (_, i) => i % classes);
  const y = new Float32Array(batch * classes);
  labels.forEach((c, i) => (y[i * classes + c] = 1));

  model.compile({ optimizer: bn.optimizers.sgd({ learningRate: 0.5 }), loss: 'categoricalCrossentropy' });
  await model.fit(bn.tensor(x, [batch, ...inputShape]), bn.tensor(y, [batch, classes]), { epochs: 1, batchSize: batch, shuffle: false, verbose: 0 });
  ref.compile({ optimizer: tf.train.sgd(0.5), loss: 'categoricalCrossentropy' });
  await ref.fit(tf.tensor(x, [batch, ...inputShape]), tf.tensor(y, [batch, classes]), { epochs: 1, batchSize: batch, shuffle: false, verbose: 0 });

  const got = model.getWeights(), want = ref.getWeights();
  let worst = 0;
  got.forEach((w, i) => {
    const diff = maxAbsDiff(w.data, want[i].dataSync());
    worst = Math.max(worst, diff);
    // How far the step moved the weight, so a zero gradient cannot pass unnoticed.
    const moved = maxAbsDiff(w.data, weights[i]);
    t.ok(diff < 1e-5 && moved > 1e-4, `${model.weights[i].name} #${i}: max |blasnet - tfjs| = ${diff.toExponential(2)} (moved ${moved.toExponential(2)})`);
  });
  t.ok(worst < 1e-5, `worst weight difference after one step ${worst.toExponential(2)}`);
}

t.test('one SGD step of a 2-D CNN matches tfjs', async (t) => {
  await compareStep(t, [9, 8, 2], [
    ['conv2d', { filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }],
    ['maxPooling2d', { poolSize: 2, padding: 'same' }],
    ['conv2d', { filters: 3, kernelSize: [2, 3], activation: 'tanh' }],
    ['averagePooling2d', { poolSize: 2, strides: 1 }],
    ['flatten', {}],
    ['dense', { units: 3, activation: 'softmax' }],
  ]);
});

// tfjs has no gradient for dilated convolutions, and its AvgPoolGrad divides padded
// 'same' windows by the full window size (unlike TF and unlike its own forward pass), so
// these steps avoid both; test/gradcheck/ covers them against finite differences.
t.test('one SGD step of a strided 2-D CNN and a 1-D CNN match tfjs', async (t) => {
  await compareStep(t, [9, 8, 1], [
    ['conv2d', { filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh' }],
    ['maxPooling2d', { poolSize: 3, strides: 2 }],
    ['flatten', {}],
    ['dense', { units: 3, activation: 'softmax' }],
  ]);
  await compareStep(t, [12, 3], [
    ['conv1d', { filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }],
    ['maxPooling1d', { poolSize: 2 }],
    ['conv1d', { filters: 3, kernelSize: 2, strides: 2, activation: 'tanh' }],
    ['averagePooling1d', { poolSize: 2 }],
    ['flatten', {}],
    ['dense', { units: 3, activation: 'softmax' }],
  ]);
});
