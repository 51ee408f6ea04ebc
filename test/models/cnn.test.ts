import t from 'tap';
import * as bn from '../../lib/index';
import { rng } from '../helpers/gradcheck';

// End to end: small CNNs learn to tell horizontal from vertical bars (2-D) and a rising
// from a falling edge (1-D) on seeded synthetic data.

function bars(n: number, seed: number): { x: bn.Tensor; y: bn.Tensor } {
  const S = 8, r = rng(seed);
  const x = new Float32Array(n * S * S), y = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const vertical = i % 2, at = Math.floor(r() * S);
    for (let p = 0; p < S * S; p++) x[i * S * S + p] = 0.2 * r();
    for (let k = 0; k < S; k++) x[i * S * S + (vertical ? k * S + at : at * S + k)] += 1;
    y[i * 2 + vertical] = 1;
  }
  return { x: new bn.Tensor(x, [n, S, S, 1]), y: new bn.Tensor(y, [n, 2]) };
}

function edges(n: number, seed: number): { x: bn.Tensor; y: bn.Tensor } {
  const L = 16, r = rng(seed);
  const x = new Float32Array(n * L), y = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const rising = i % 2, at = 2 + Math.floor(r() * (L - 4));
    for (let k = 0; k < L; k++) x[i * L + k] = ((k >= at) === (rising === 1) ? 1 : 0) + 0.2 * (r() - 0.5);
    y[i * 2 + rising] = 1;
  }
  return { x: new bn.Tensor(x, [n, L, 1]), y: new bn.Tensor(y, [n, 2]) };
}

t.test('a 2-D CNN learns bar orientation', async (t) => {
  bn.setSeed(1);
  const model = bn.sequential({ layers: [
    bn.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [8, 8, 1] }),
    bn.layers.maxPooling2d({ poolSize: 2 }),
    bn.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }),
    bn.layers.averagePooling2d({ poolSize: 2, padding: 'same' }),
    bn.layers.flatten(),
    bn.layers.dense({ units: 2, activation: 'softmax' }),
  ] });
  model.compile({ optimizer: bn.optimizers.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const train = bars(200, 1), test = bars(100, 2);
  await model.fit(train.x, train.y, { epochs: 15, batchSize: 16, verbose: 0 });
  const { accuracy } = await model.evaluate(test.x, test.y);
  t.ok(accuracy >= 0.95, `held-out accuracy ${accuracy}`);
});

t.test('a 1-D CNN learns edge direction', async (t) => {
  bn.setSeed(2);
  const model = bn.sequential({ layers: [
    bn.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'causal', activation: 'relu', inputShape: [16, 1] }),
    bn.layers.maxPooling1d({ poolSize: 2 }),
    bn.layers.conv1d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
    bn.layers.averagePooling1d({ poolSize: 2 }),
    bn.layers.flatten(),
    bn.layers.dense({ units: 2, activation: 'softmax' }),
  ] });
  model.compile({ optimizer: bn.optimizers.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const train = edges(200, 3), test = edges(100, 4);
  await model.fit(train.x, train.y, { epochs: 15, batchSize: 16, verbose: 0 });
  const { accuracy } = await model.evaluate(test.x, test.y);
  t.ok(accuracy >= 0.95, `held-out accuracy ${accuracy}`);
});
