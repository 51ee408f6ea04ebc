import t from 'tap';
import * as bn from '../../lib/index';
import { twoSpirals } from '../helpers/data';
import { rng } from '../helpers/gradcheck';

t.test('an MLP learns two spirals to >= 97% held-out accuracy', async (t) => {
  bn.setSeed(42);
  const train = twoSpirals(2000, 1);
  const test = twoSpirals(1000, 2);
  const model = bn.sequential();
  model.add(bn.layers.dense({ units: 64, activation: 'relu', inputShape: [2] }));
  model.add(bn.layers.dense({ units: 64, activation: 'relu' }));
  model.add(bn.layers.dense({ units: 2, activation: 'softmax' }));
  model.compile({ optimizer: bn.optimizers.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const history = await model.fit(train.x, train.y, { epochs: 40, batchSize: 32, verbose: 0 });
  const losses = history.history.loss;
  t.ok(losses[losses.length - 1] < losses[0] / 4, `loss fell from ${losses[0].toFixed(3)} to ${losses[losses.length - 1].toFixed(3)}`);
  const { loss, accuracy } = await model.evaluate(test.x, test.y);
  t.ok(accuracy >= 0.97, `held-out accuracy ${(accuracy * 100).toFixed(2)}% (loss ${loss.toFixed(4)})`);
  // predict agrees with evaluate's accuracy.
  const probs = model.predict(test.x);
  t.same(probs.shape, [1000, 2]);
  let hits = 0;
  for (let i = 0; i < 1000; i++) if ((probs.data[2 * i + 1] > probs.data[2 * i]) === (test.y.data[2 * i + 1] === 1)) hits++;
  t.equal(hits / 1000, accuracy, 'predict and evaluate agree');
});

t.test('fit is reproducible under setSeed', async (t) => {
  const run = async (): Promise<number[]> => {
    bn.setSeed(7);
    const data = twoSpirals(256, 3);
    const model = bn.sequential({ layers: [bn.layers.dense({ units: 8, activation: 'tanh', inputShape: [2] }), bn.layers.dense({ units: 2, activation: 'softmax' })] });
    model.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy' });
    return (await model.fit(data.x, data.y, { epochs: 3, verbose: 0 })).history.loss;
  };
  t.same(await run(), await run());
});

t.test('every loss and optimizer learns a separable problem', async (t) => {
  // Class 1 when x0 + x1 > 0: learnable by one hidden layer within a few epochs.
  const n = 512;
  const r = rng(4);
  const x = bn.tensor(Float32Array.from({ length: 2 * n }, () => 2 * r() - 1), [n, 2]);
  const cls = Array.from({ length: n }, (_, i) => (x.data[2 * i] + x.data[2 * i + 1] > 0 ? 1 : 0));
  const labels = bn.tensor(cls, [n], 'int32');
  const binary = bn.tensor(cls, [n, 1]);
  const oneHot = bn.tensor(cls.flatMap((c) => (c ? [0, 1] : [1, 0])), [n, 2]);
  const configs: [string, string, bn.Tensor, string, number][] = [
    ['softmax', 'sparse_categorical_crossentropy', labels, 'rmsprop', 2],
    ['sigmoid', 'binaryCrossentropy', binary, 'adam', 1],
    ['linear', 'mse', binary, 'sgd', 1],
    ['softmax', 'meanSquaredError', oneHot, 'adamw', 2],
    ['softmax', 'categoricalCrossentropy', oneHot, 'adam', 2],
  ];
  for (const [activation, loss, y, optimizer, units] of configs) {
    bn.setSeed(3);
    const model = bn.sequential();
    model.add(bn.layers.dense({ units: 16, activation: 'relu', inputShape: [2] }));
    model.add(bn.layers.dense({ units, activation: activation as 'relu' }));
    model.compile({ optimizer, loss, metrics: ['accuracy'] });
    const h = await model.fit(x, y, { epochs: 15, verbose: 0 });
    const l = h.history.loss;
    t.ok(l.every(Number.isFinite) && l[l.length - 1] < l[0], `${loss}/${optimizer}: loss ${l[0].toFixed(4)} -> ${l[l.length - 1].toFixed(4)}`);
    const acc = h.history.accuracy[l.length - 1];
    t.ok(acc > 0.85, `${loss}/${optimizer}: accuracy ${acc.toFixed(3)}`);
  }
});

t.test('validationSplit and validationData add val_ metrics', async (t) => {
  bn.setSeed(5);
  const data = twoSpirals(200, 5);
  const model = bn.sequential({ layers: [bn.layers.dense({ units: 2, inputShape: [2], activation: 'softmax' })] });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const h = await model.fit(data.x, data.y, { epochs: 2, verbose: 0, validationSplit: 0.25 });
  t.same(Object.keys(h.history).sort(), ['accuracy', 'loss', 'val_accuracy', 'val_loss']);
  t.equal(h.history.val_loss.length, 2);
  const h2 = await model.fit(data.x, data.y, { epochs: 1, verbose: 0, validationData: [data.x, data.y] });
  const ev = await model.evaluate(data.x, data.y);
  t.ok(Math.abs(h2.history.val_loss[0] - ev.loss) < 1e-9, 'val_loss equals evaluate on the same data after training');
});

t.test('trainOnBatch takes one step and reports the loss before it', async (t) => {
  bn.setSeed(11);
  const data = twoSpirals(64, 6);
  const model = bn.sequential({ layers: [bn.layers.dense({ units: 16, activation: 'tanh', inputShape: [2] }), bn.layers.dense({ units: 2, activation: 'softmax' })] });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const before = (await model.evaluate(data.x, data.y, { batchSize: 64 })).loss;
  const first = model.trainOnBatch(data.x, data.y);
  t.ok(Math.abs(first.loss - before) < 1e-6, `first step reports the pre-update loss (${first.loss} vs ${before})`);
  t.ok('accuracy' in first);
  let last = first.loss;
  for (let i = 0; i < 20; i++) last = model.trainOnBatch(data.x, data.y).loss;
  t.ok(last < first.loss, `loss fell from ${first.loss.toFixed(4)} to ${last.toFixed(4)}`);
});
