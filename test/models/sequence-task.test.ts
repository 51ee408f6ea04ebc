import t from 'tap';
import * as bn from '../../lib/index';
import { rng } from '../helpers/gradcheck';

// An LSTM learns, per timestep, whether the running sum of a random +-1 sequence is
// positive: it has to count, which a feed-forward layer on one timestep cannot.
const T = 20;

function runningSumTask(n: number, seed: number): { x: bn.Tensor; y: bn.Tensor } {
  const next = rng(seed);
  const x = new Float32Array(n * T), y = new Int32Array(n * T);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let s = 0; s < T; s++) {
      const v = next() < 0.5 ? -1 : 1;
      sum += v;
      x[i * T + s] = v;
      y[i * T + s] = sum > 0 ? 1 : 0;
    }
  }
  return { x: new bn.Tensor(x, [n, T, 1]), y: new bn.Tensor(y, [n, T]) };
}

for (const cell of ['lstm', 'gru'] as const) {
  t.test(`${cell} with returnSequences -> per-timestep softmax learns the sign of the running sum`, async (t) => {
    bn.setSeed(1);
    const train = runningSumTask(1000, 2), test = runningSumTask(300, 3);
    const rnn = cell === 'lstm' ? bn.layers.lstm({ units: 12, returnSequences: true, inputShape: [T, 1] })
      : bn.layers.gru({ units: 12, returnSequences: true, inputShape: [T, 1] });
    const model = bn.sequential({ layers: [rnn, bn.layers.dense({ units: 2, activation: 'softmax' })] });
    model.compile({ optimizer: bn.optimizers.adam({ learningRate: 0.02 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    // A random recurrent layer already tracks the sum loosely, so check that training cuts the loss too.
    const before = await model.evaluate(test.x, test.y);
    const start = Date.now();
    await model.fit(train.x, train.y, { epochs: 8, batchSize: 32, verbose: 0 });
    const { accuracy, loss } = await model.evaluate(test.x, test.y);
    t.ok(accuracy >= 0.9, `held-out per-timestep accuracy ${(100 * accuracy).toFixed(1)}% (untrained ${(100 * before.accuracy).toFixed(1)}%) after ${Date.now() - start} ms`);
    t.ok(loss < before.loss / 4, `held-out loss ${before.loss.toFixed(3)} -> ${loss.toFixed(3)}`);
  });
}
