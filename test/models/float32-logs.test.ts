import t from 'tap';
import * as bn from '../../lib';
import { Totals } from '../../lib/models/data';

// Logged losses and metrics are float32 as Keras's: a value beyond float32 range is Infinity
// (Keras: inf) and TerminateOnNaN stops at the first batch; the epoch means are kept in
// float32 as Keras's Mean metric (total += value * batch size; total / count).

const f = Math.fround;

const diverged = (): bn.Sequential => {
  const m = bn.sequential([bn.layers.dense({ units: 1, inputShape: [2] })]);
  m.compile({ optimizer: bn.optimizers.sgd({ learningRate: 1e-30 }), loss: 'mse', metrics: ['mse', 'mae'] });
  m.setWeights([bn.tensor([[1e20], [1e20]]), bn.tensor([0])]);
  return m;
};
const x = bn.tensor([[1, 2], [3, 4]]), y = bn.tensor([[1], [2]]);

t.test('a loss beyond float32 range is Infinity, as Keras (f4.py: loss inf, mse inf, mae 4.999999748360666e+20)', async (t) => {
  const m = diverged();
  const logs = await m.evaluate(x, y, { verbose: 0 });
  t.equal(logs.loss, Infinity);
  t.equal(logs.mse, Infinity);
  // (3e20 - 1 + 7e20 - 2) / 2 in float32.
  t.equal(logs.mae, 4.999999748360666e20);
  t.equal(m.trainOnBatch(x, y).loss, Infinity);
});

t.test('terminateOnNaN stops at the first batch of an overflowing loss', async (t) => {
  const m = diverged();
  const log = console.log;
  console.log = () => {};
  try {
    const h = await m.fit(x, y, { epochs: 3, batchSize: 1, shuffle: false, verbose: 0, callbacks: [bn.callbacks.terminateOnNaN()] });
    t.same(h.history.loss, [Infinity]);
  } finally {
    console.log = log;
  }
});

t.test('epoch means in float32, as Keras Mean', async (t) => {
  const totals = new Totals(['loss']);
  totals.add([f(0.1)], 2);
  totals.add([f(0.2)], 3);
  totals.add([f(0.3)], 1);
  // keras.metrics.Mean with these values and sample weights gives 0.18333333730697632.
  t.equal(totals.means().loss, 0.18333333730697632);
  t.equal(totals.means().loss, f(f(f(f(f(0.1) * 2) + f(f(0.2) * 3)) + f(0.3)) / 6));
  const big = new Totals(['loss']);
  big.add([f(3e38)], 2);
  // Keras: Mean().update_state(3e38, sample_weight=2) -> inf (the float32 total overflows).
  t.equal(big.means().loss, Infinity);
});

t.test('logged values are float32 numbers', async (t) => {
  bn.setSeed(3);
  const m = bn.sequential([bn.layers.dense({ units: 2, activation: 'softmax', inputShape: [2] })]);
  m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy', 'sparseCategoricalCrossentropy'] });
  const logs = await m.evaluate(bn.tensor([[0.3, -1], [2, 0.5], [1, 1]]), bn.tensor([0, 1, 1], [3], 'int32'), { verbose: 0, batchSize: 2 });
  for (const [k, v] of Object.entries(logs)) t.equal(v, f(v), `${k} ${v} is a float32 value`);
  const h = await m.fit(bn.tensor([[0.3, -1], [2, 0.5], [1, 1]]), bn.tensor([0, 1, 1], [3], 'int32'), { epochs: 2, batchSize: 2, verbose: 0 });
  for (const [k, vs] of Object.entries(h.history)) for (const v of vs) t.equal(v, f(v), `history ${k} ${v} is a float32 value`);
});
