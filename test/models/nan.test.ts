import t from 'tap';
import * as bn from '../../lib/index';
import { randomArray } from '../helpers/gradcheck';

// One NaN pixel used to vanish inside the seed CNN (relu mapped it to 0, max pooling
// skipped it): the loss stayed near ln 10 while the weights silently turned NaN. As in
// TensorFlow, it now reaches the loss.

t.test('the seed CNN with one NaN pixel: NaN loss from trainOnBatch, NaN prediction for that sample only', async (t) => {
  bn.setSeed(3);
  const model = bn.sequential({ layers: [
    bn.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
    bn.layers.maxPooling2d({ poolSize: 2 }),
    bn.layers.flatten(),
    bn.layers.dense({ units: 10, activation: 'softmax' }),
  ] });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  const N = 4, pixels = randomArray(N * 784, 1, 0, 1), labels = new Float32Array(N * 10);
  for (let n = 0; n < N; n++) labels[n * 10 + n] = 1;
  pixels[2 * 784 + 14 * 28 + 9] = NaN;
  const x = new bn.Tensor(pixels, [N, 28, 28, 1]), y = new bn.Tensor(labels, [N, 10]);

  const probs = model.predict(x) as bn.Tensor;
  const nanRows = [...Array(N).keys()].filter((n) => probs.data.slice(n * 10, n * 10 + 10).some(Number.isNaN));
  t.same(nanRows, [2], 'predict: NaN probabilities for the NaN sample only');
  t.ok(probs.data.every((v, i) => Math.floor(i / 10) === 2 || Number.isFinite(v)), 'the other samples are finite');

  const { loss } = model.trainOnBatch(x, y);
  t.ok(Number.isNaN(loss), `trainOnBatch loss ${loss} (was about ln 10 = ${Math.LN10.toFixed(3)})`);
});
