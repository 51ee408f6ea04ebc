import t from 'tap';
import * as bn from '../../lib';

// fit's callbacks: one object or a Keras-style list; every hook is called in order and
// awaited; a misspelled hook is refused; setting model.stopTraining stops after the epoch.

const make = (): bn.Sequential => {
  bn.setSeed(1);
  const m = bn.sequential([bn.layers.dense({ units: 1, inputShape: [2] })]);
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  return m;
};
const x = bn.tensor([[0, 1], [1, 0], [1, 1], [0, 0]]), y = bn.tensor([[1], [1], [2], [0]]);

t.test('a list of callbacks, class instances with state, snake_case hooks, setModel', async (t) => {
  const m = make();
  const events: string[] = [];
  class Counter {
    batches = 0;
    model: unknown = null;
    setModel(model: unknown): void { this.model = model; }
    onBatchEnd(): void { this.batches++; }
  }
  const counter = new Counter();
  await m.fit(x, y, {
    epochs: 2, batchSize: 2, verbose: 0, callbacks: [
      counter,
      { onTrainBegin: () => void events.push('train begin'), onEpochBegin: (e: number) => void events.push(`epoch ${e} begin`),
        onBatchBegin: (b: number) => void events.push(`batch ${b}`), onTrainEnd: (logs?: bn.Logs) => void events.push(`train end ${logs && 'loss' in logs}`) },
      { on_epoch_end: async (e: number, logs: bn.Logs) => { await new Promise((r) => setTimeout(r, 1)); events.push(`epoch ${e} end ${logs.loss > 0}`); } } as never,
    ],
  });
  t.equal(counter.batches, 4, 'the class instance counted 2 batches x 2 epochs');
  t.equal(counter.model, m, 'setModel received the model');
  t.same(events, ['train begin', 'epoch 0 begin', 'batch 0', 'batch 1', 'epoch 0 end true', 'epoch 1 begin', 'batch 0', 'batch 1', 'epoch 1 end true', 'train end true']);
});

t.test('model.stopTraining = true stops after the epoch; misspelled hooks are refused', async (t) => {
  const m = make();
  const history = await m.fit(x, y, { epochs: 10, verbose: 0, callbacks: { onEpochEnd: (e: number) => { if (e === 2) m.stopTraining = true; } } });
  t.same(history.epoch, [0, 1, 2], 'three epochs, then stopped');
  await t.rejects(m.fit(x, y, { verbose: 0, callbacks: [{ onEpochEnd: () => {} }, { onEpochEnds: () => {} } as never] }),
    /fit: callbacks\[1\]: unknown hook 'onEpochEnds' — did you mean 'onEpochEnd'\?/);
  await t.rejects(m.fit(x, y, { verbose: 0, callbacks: [new (class Nothing { x = 1; })() as never] }), /fit: callbacks\[0\] has none of the hooks/);
});

// ---- built-in callbacks ------------------------------------------------------------------
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** A stand-in model for driving a callback's hooks by hand. */
function fakeModel(lr = 0.1): { stopTraining: boolean; optimizer: { learningRate: number }; weights: number; getWeights(): number[]; setWeights(w: number[]): void } {
  return { stopTraining: false, optimizer: { learningRate: lr }, weights: 0, getWeights() { return [this.weights]; }, setWeights(w) { this.weights = w[0]; } };
}

t.test('earlyStopping: Keras patience counting, restoreBestWeights', async (t) => {
  const cb = bn.callbacks.earlyStopping({ patience: 2, restoreBestWeights: true });
  const model = fakeModel();
  cb.setModel(model);
  cb.onTrainBegin();
  const losses = [1, 0.5, 0.6, 0.7, 0.8];
  let epoch = 0;
  for (; epoch < losses.length && !model.stopTraining; epoch++) {
    model.weights = epoch * 10;
    cb.onEpochEnd(epoch, { val_loss: losses[epoch] });
  }
  t.equal(epoch, 4, 'stopped after epoch 3: two epochs without improvement');
  t.equal(cb.stoppedEpoch, 3);
  cb.onTrainEnd();
  t.equal(model.weights, 10, 'the weights of the best epoch (1) restored');
  t.throws(() => { const c = bn.callbacks.earlyStopping(); c.setModel(fakeModel()); c.onTrainBegin(); c.onEpochEnd(0, { loss: 1 }); },
    /earlyStopping: monitors 'val_loss', but the logs hold loss/);
  t.throws(() => bn.callbacks.earlyStopping({ monitor: 'foo' }).onTrainBegin(), /cannot tell whether 'foo' should go up or down/);
});

t.test('earlyStopping in fit: a diverging run stops and gets back its best weights', async (t) => {
  const m = make();
  m.compile({ optimizer: bn.optimizers.sgd({ learningRate: 1.2 }), loss: 'mse' });
  const weightsAt: number[][] = [];
  const history = await m.fit(x, y, { epochs: 20, batchSize: 4, shuffle: false, verbose: 0, callbacks: [
    { onEpochEnd: () => void weightsAt.push(Array.from(m.getWeights()[0].data)) },
    bn.callbacks.earlyStopping({ monitor: 'loss', patience: 1, restoreBestWeights: true }),
  ] });
  const losses = history.history.loss;
  t.ok(losses.length < 20, `stopped after ${losses.length} epochs (losses ${losses.map((l) => l.toExponential(1)).join(' ')})`);
  const best = losses.indexOf(Math.min(...losses));
  t.same(Array.from(m.getWeights()[0].data), weightsAt[best], `the weights after epoch ${best}, the best`);
});

t.test('reduceLROnPlateau, learningRateScheduler', async (t) => {
  const cb = bn.callbacks.reduceLROnPlateau({ monitor: 'loss', patience: 2, factor: 0.5, cooldown: 1, min_lr: 0.02 } as never);
  const model = fakeModel(0.1);
  cb.setModel(model);
  cb.onTrainBegin();
  const rates: number[] = [];
  for (let e = 0; e < 9; e++) {
    const logs: bn.Logs = { loss: 1 };
    cb.onEpochEnd(e, logs);
    rates.push(model.optimizer.learningRate);
    t.equal(logs.learning_rate, Math.fround(rates[e - 1] ?? 0.1), `epoch ${e} logs the rate it ran with (float32, as Keras reads it)`);
  }
  // Keras re-checks the cooldown after counting it down, so a cooldown of 1 costs no extra epoch here.
  // Rates are float32, as Keras keeps them in a float32 variable.
  t.same(rates, [0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02, 0.02].map((r, i) => (i < 2 ? r : Math.fround(r))), 'halved after 2 flat epochs, floored at minLr');
  const m = make();
  const history = await m.fit(x, y, { epochs: 3, verbose: 0, callbacks: bn.callbacks.learningRateScheduler((e) => 0.1 / (e + 1)) });
  t.same(history.history.learning_rate, [0.1, 0.05, 0.1 / 3].map(Math.fround), 'the scheduled rates (float32, as Keras), in the history');
});

t.test('terminateOnNaN, an aborted signal', async (t) => {
  const m = make();
  m.compile({ optimizer: bn.optimizers.sgd({ learningRate: 1e18 }), loss: 'mse' });
  const losses: number[] = [];
  const log = console.log;
  console.log = () => {};
  const history = await m.fit(x, y, { epochs: 50, batchSize: 1, verbose: 0, callbacks: [bn.callbacks.terminateOnNaN(), { onBatchEnd: (_b: number, logs: bn.Logs) => void losses.push(logs.loss) }] });
  console.log = log;
  t.equal(history.epoch.length, 1, 'stopped in the first epoch');
  const firstBad = losses.findIndex((l) => !Number.isFinite(l));
  t.ok(firstBad >= 0 && firstBad === losses.length - 1, `stopped right after the first non-finite loss (${losses.join(', ')})`);
  const m2 = make();
  const controller = new AbortController();
  let seen = 0;
  const h2 = await m2.fit(x, y, { epochs: 5, batchSize: 1, verbose: 0, signal: controller.signal, callbacks: { onBatchEnd: (b: number) => { seen++; if (b === 1) controller.abort(); } } });
  t.equal(seen, 2, 'no batch after the abort');
  t.same(h2.epoch, [0], 'fit resolves with the epoch it was in');
});

t.test('modelCheckpoint and csvLogger write their files', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'blasnet-callbacks-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const m = make();
  m.compile({ optimizer: bn.optimizers.sgd({ learningRate: 0.05 }), loss: 'mse' });
  const ckpt = bn.callbacks.modelCheckpoint({ filepath: path.join(dir, 'ckpt-{epoch:02d}-{loss:.3f}'), monitor: 'loss', save_best_only: true } as never);
  const csv = path.join(dir, 'log.csv');
  const history = await m.fit(x, y, { epochs: 3, batchSize: 4, shuffle: false, verbose: 0, callbacks: [ckpt, bn.callbacks.csvLogger(csv)] });
  t.equal(ckpt.saved.length, 3, 'a steadily falling loss saves every epoch');
  t.ok(ckpt.saved.every((d) => existsSync(path.join(d, 'model.json'))), ckpt.saved.map((d) => path.basename(d)).join(', '));
  t.match(path.basename(ckpt.saved[0]), /^ckpt-01-\d\.\d{3}$/);
  const rows = readFileSync(csv, 'utf8').trim().split('\n');
  t.same(rows[0], 'epoch,loss');
  t.same(rows.slice(1).map((r) => Number(r.split(',')[1])), history.history.loss);
  t.throws(() => bn.callbacks.modelCheckpoint({ filepath: 'x', saveFreq: 10 } as never), /option 'saveFreq' is not supported/);
});

t.test('streaming metrics: precision, recall and auc over a whole evaluation, whatever the batch size', async (t) => {
  bn.setSeed(3);
  const m = bn.sequential([bn.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [2] })]);
  m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['precision', 'recall', bn.metrics.auc()] });
  const xs = bn.tensor(Array.from({ length: 20 }, (_, i) => [Math.sin(i), Math.cos(3 * i)]));
  const ys = bn.tensor(Array.from({ length: 20 }, (_, i) => [i % 3 === 0 ? 1 : 0]));
  const whole = await m.evaluate(xs, ys, { batchSize: 20 });
  const pieces = await m.evaluate(xs, ys, { batchSize: 3 });
  for (const k of ['precision', 'recall', 'auc']) t.ok(Math.abs(whole[k] - pieces[k]) < 1e-9, `${k}: ${whole[k]} in one batch, ${pieces[k]} in batches of 3`);
  t.ok(Math.abs(whole.loss - pieces.loss) < 1e-6, 'the loss is a sample-weighted mean either way');
});
