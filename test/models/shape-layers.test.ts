import t from 'tap';
import * as bn from '../../lib/index';
import { maxAbsDiff, randomArray } from '../helpers/gradcheck';
import { twoSpirals } from '../helpers/data';

// Shape layers in models: Reshape errors name the layer; TimeDistributed(Dense) is Dense on
// rank-3 input; BatchNormalization and Dropout train inside a Sequential.

t.test('reshape errors name the layer and the sizes', async (t) => {
  const model = bn.sequential();
  model.add(bn.layers.dense({ units: 6, inputShape: [4] }));
  t.throws(() => model.add(bn.layers.reshape({ name: 'to_grid', targetShape: [4, 2] })),
    { name: 'ShapeError', message: 'to_grid (Reshape): cannot reshape input [null, 6] (6 elements per sample) to target shape [null, 4, 2] (8 elements)' });
  t.throws(() => model.add(bn.layers.reshape({ name: 'to_rows', targetShape: [-1, 4] })),
    { name: 'ShapeError', message: 'to_rows (Reshape): cannot reshape input [null, 6] (6 elements per sample) to target shape [null, -1, 4] (a multiple of 4 elements)' });
  t.throws(() => bn.layers.reshape({ name: 'r', targetShape: [-1, -1] }), /r \(Reshape\): only one entry of targetShape may be -1/);
  t.throws(() => bn.layers.reshape({ name: 'r', targetShape: [0, 2] }), /r \(Reshape\): targetShape must be a non-empty list of positive integers/);
  model.add(bn.layers.reshape({ targetShape: [3, -1] }));
  t.same(model.outputShape, [3, 2], '-1 is inferred');
  t.same(model.layers[1].getConfig().target_shape, [3, -1]);
});

t.test('flatten and reshape as a first layer (no input gradient) train in a model', async (t) => {
  bn.setSeed(3);
  const model = bn.sequential({ layers: [bn.layers.reshape({ targetShape: [2, 1], inputShape: [2] }), bn.layers.flatten(), bn.layers.dense({ units: 2, activation: 'softmax' })] });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  const data = twoSpirals(64, 1);
  const history = await model.fit(data.x, data.y, { epochs: 2, verbose: 0 });
  t.ok(history.history.loss.every(Number.isFinite), 'finite losses');
});

t.test('timeDistributed(dense) matches dense on rank-3 input, forward and one training step', async (t) => {
  const N = 3, T = 4, I = 5, U = 6;
  const x = bn.tensor(randomArray(N * T * I, 1), [N, T, I]);
  const y = bn.tensor(randomArray(N * T * U, 2), [N, T, U]);
  const kernel = bn.tensor(randomArray(I * U, 3), [I, U]), bias = bn.tensor(randomArray(U, 4), [U]);
  const build = (wrap: boolean): bn.Sequential => {
    const dense = bn.layers.dense({ units: U, activation: 'tanh', ...(wrap ? {} : { inputShape: [T, I] }) });
    const model = bn.sequential({ layers: [wrap ? bn.layers.timeDistributed({ layer: dense, inputShape: [T, I] }) : dense] });
    model.setWeights([kernel, bias]);
    model.compile({ optimizer: bn.optimizers.sgd({ learningRate: 0.3 }), loss: 'meanSquaredError' });
    return model;
  };
  const wrapped = build(true), plain = build(false);
  t.same(wrapped.outputShape, [T, U]);
  t.equal(maxAbsDiff(wrapped.predict(x).data, plain.predict(x).data), 0, 'same outputs');
  await wrapped.fit(x, y, { epochs: 1, batchSize: N, shuffle: false, verbose: 0 });
  await plain.fit(x, y, { epochs: 1, batchSize: N, shuffle: false, verbose: 0 });
  wrapped.getWeights().forEach((w, i) => t.equal(maxAbsDiff(w.data, plain.getWeights()[i].data), 0, `weight ${i} after one step`));

  const td = wrapped.layers[0] as bn.TimeDistributed;
  t.equal(td.countParams(), I * U + U, 'the inner weights are the wrapper\'s');
  t.same(td.trainableWeights.map((p) => p.name), ['kernel', 'bias']);
  t.match(td.getConfig(), { name: td.name, layer: { class_name: 'Dense', config: { units: U, activation: 'tanh' } } });
});

t.test('timeDistributed(dense softmax) as the last layer fuses with the loss and learns', async (t) => {
  bn.setSeed(5);
  const N = 64, T = 3;
  // Each timestep is classified by the sign of its single feature.
  const xs = randomArray(N * T, 5);
  const ys = new Float32Array(N * T * 2);
  xs.forEach((v, i) => (ys[2 * i + (v > 0 ? 1 : 0)] = 1));
  const model = bn.sequential({ layers: [bn.layers.timeDistributed({ layer: bn.layers.dense({ units: 2, activation: 'softmax' }), inputShape: [T, 1] })] });
  model.compile({ optimizer: bn.optimizers.adam({ learningRate: 0.1 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const history = await model.fit(bn.tensor(xs, [N, T, 1]), bn.tensor(ys, [N, T, 2]), { epochs: 20, batchSize: 16, verbose: 0 });
  const acc = history.history.accuracy;
  t.ok(acc[acc.length - 1] > 0.9, `accuracy ${acc[acc.length - 1].toFixed(3)}`);
  t.throws(() => bn.sequential({ layers: [bn.layers.timeDistributed({ name: 'td', layer: bn.layers.dense({ units: 2 }), inputShape: [3] })] }),
    /td \(TimeDistributed\): expected input of rank >= 3 \[null, timesteps, \.\.\.\], got \[null, 3\]/);
  t.throws(() => bn.layers.timeDistributed({ name: 'td', layer: 'dense' as unknown as bn.Layer }), /td \(TimeDistributed\): layer must be a layer/);
});

/** Quadrant XOR: class 1 when both features have the same sign. */
function quadrants(n: number, seed: number): { x: bn.Tensor; y: bn.Tensor } {
  const x = randomArray(n * 2, seed), y = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) y[2 * i + (x[2 * i] * x[2 * i + 1] > 0 ? 1 : 0)] = 1;
  return { x: bn.tensor(x, [n, 2]), y: bn.tensor(y, [n, 2]) };
}

t.test('batchNormalization and dropout train inside a model; predict uses moving statistics', async (t) => {
  bn.setSeed(11);
  const train = quadrants(512, 6), test = quadrants(256, 7);
  const model = bn.sequential({
    layers: [
      bn.layers.dense({ units: 16, inputShape: [2] }),
      bn.layers.batchNormalization(),
      bn.layers.activation({ activation: 'relu' }),
      bn.layers.dropout({ rate: 0.1 }),
      bn.layers.dense({ units: 16, activation: 'relu' }),
      bn.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: bn.optimizers.adam({ learningRate: 0.02 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const lines: string[] = [];
  model.summary((s) => lines.push(s));
  t.match(lines.join('\n'), /Non-trainable params: 32/, 'moving statistics are non-trainable');
  const history = await model.fit(train.x, train.y, { epochs: 10, batchSize: 32, verbose: 0 });
  const losses = history.history.loss;
  t.ok(losses[losses.length - 1] < losses[0] / 1.5, `loss fell from ${losses[0].toFixed(3)} to ${losses[losses.length - 1].toFixed(3)}`);
  const { accuracy } = await model.evaluate(test.x, test.y);
  t.ok(accuracy > 0.85, `held-out accuracy ${(accuracy * 100).toFixed(1)}%`);
  const first = model.predict(test.x), second = model.predict(test.x);
  t.equal(maxAbsDiff(first.data, second.data), 0, 'inference is deterministic (no dropout, moving statistics)');
});
