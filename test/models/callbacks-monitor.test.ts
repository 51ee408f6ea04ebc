import t, { type Test } from 'tap';
import * as bn from '../../lib';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

// A callback that monitors a key the logs will never hold is refused before training (after
// the first epoch it would lose the History); Keras warns and trains on, blasnet refuses. A
// callback of the user's with onEpochEnd may add keys: the callbacks after it check at epoch end.

const make = (): bn.Sequential => {
  bn.setSeed(81);
  const m = bn.sequential([bn.layers.dense({ units: 1, inputShape: [2] })]);
  m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae'] });
  return m;
};
const x = bn.tensor([[1, 2], [3, 4], [5, 6], [7, 8]]), y = bn.tensor([[1], [2], [3], [4]]);

/** Fits with the callbacks after an epoch counter; returns how many epochs began. */
async function epochsBegun(t: Test, callbacks: object[], expected: RegExp, fitArgs: object = {}): Promise<void> {
  let begun = 0;
  await t.rejects(make().fit(x, y, { epochs: 3, verbose: 0, ...fitArgs, callbacks: [{ onEpochBegin: () => void begun++ }, ...callbacks] as never }), { name: 'ValueError', message: expected });
  t.equal(begun, 0, 'refused before the first epoch');
}

t.test('a monitored key the logs will never hold is refused before training, naming the keys', async (t) => {
  await epochsBegun(t, [bn.callbacks.earlyStopping({ monitor: 'val_loss' })],
    /^earlyStopping: monitors 'val_loss', but the logs will hold loss, mae \(validation metrics need validationData or validationSplit\)$/);
  await epochsBegun(t, [bn.callbacks.earlyStopping({ monitor: 'accuracy' })], /^earlyStopping: monitors 'accuracy', but the logs will hold loss, mae$/);
  await epochsBegun(t, [bn.callbacks.earlyStopping({ monitor: 'val_acc' })],
    /^earlyStopping: monitors 'val_acc', but the logs will hold loss, mae, val_loss, val_mae /, { validationSplit: 0.5 });
  await epochsBegun(t, [bn.callbacks.reduceLROnPlateau({ monitor: 'val_loss' })], /^reduceLROnPlateau: monitors 'val_loss', but the logs will hold loss, mae, learning_rate /);
  await epochsBegun(t, [bn.callbacks.modelCheckpoint({ filepath: path.join(tmpdir(), 'never'), saveBestOnly: true, monitor: 'val_mae' })],
    /^modelCheckpoint: monitors 'val_mae', but the logs will hold loss, mae /);
  await epochsBegun(t, [bn.callbacks.modelCheckpoint({ filepath: path.join(tmpdir(), 'never-{nope}') })], /^modelCheckpoint: filepath names \{nope\}, but the logs will hold epoch, loss, mae$/);
});

t.test('keys the logs will hold are accepted: validation keys, learning_rate after the callbacks that add it', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bn-monitor-'));
  try {
    const h = await make().fit(x, y, {
      epochs: 2, verbose: 0, validationSplit: 0.5, callbacks: [
        bn.callbacks.reduceLROnPlateau({ monitor: 'learning_rate', mode: 'min' }),
        bn.callbacks.earlyStopping({ monitor: 'val_mae', patience: 5 }),
        bn.callbacks.earlyStopping({ monitor: 'learning_rate', mode: 'min', patience: 5 }),
        bn.callbacks.modelCheckpoint({ filepath: path.join(dir, 'm-{epoch:02d}-{val_loss:.2f}-{learning_rate:.3f}'), saveBestOnly: true, monitor: 'val_mae' }),
      ],
    });
    t.equal(h.epoch.length, 2);
    t.equal(readdirSync(dir).length >= 1, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t.test('after a callback of the user that may add keys, the check waits for the epoch logs', async (t) => {
  // A plain object adding its own key: the early stopping after it monitors that key.
  const h = await make().fit(x, y, {
    epochs: 2, verbose: 0, callbacks: [{ onEpochEnd: (_e: number, logs: bn.Logs) => void (logs.custom = 1) }, bn.callbacks.earlyStopping({ monitor: 'custom', mode: 'min', patience: 5 })],
  });
  t.same(h.history.custom, [1, 1]);
  // A subclass of Callback too.
  class Adds extends bn.Callback {
    onEpochEnd(_e: number, logs: bn.Logs): void { logs.extra = 2; }
  }
  const h2 = await make().fit(x, y, { epochs: 1, verbose: 0, callbacks: [new Adds(), bn.callbacks.earlyStopping({ monitor: 'extra', mode: 'min' })] });
  t.same(h2.history.extra, [2]);
  // A key nobody adds is still refused, at the end of the first epoch.
  let ended = 0;
  await t.rejects(make().fit(x, y, {
    epochs: 3, verbose: 0, callbacks: [{ onEpochEnd: () => void ended++ }, bn.callbacks.earlyStopping({ monitor: 'nope', mode: 'min' })],
  }), { name: 'ValueError', message: /^earlyStopping: monitors 'nope', but the logs hold loss, mae$/ });
  t.equal(ended, 1);
  // A callback after the built-in one does not open the keys for it.
  await epochsBegun(t, [bn.callbacks.earlyStopping({ monitor: 'custom', mode: 'min' }), { onEpochEnd: (_e: number, logs: bn.Logs) => void (logs.custom = 1) }],
    /^earlyStopping: monitors 'custom', but the logs will hold loss, mae$/);
});

t.test('learningRateScheduler: what the schedule returned, printed as it is', async (t) => {
  const fit = (schedule: unknown) => make().fit(x, y, { epochs: 1, verbose: 0, callbacks: [bn.callbacks.learningRateScheduler(schedule as never)] });
  await t.rejects(fit(() => NaN), { message: 'learningRateScheduler: the schedule returned NaN for epoch 0; expected a finite number >= 0' });
  await t.rejects(fit(() => -Infinity), { message: /returned -Infinity for epoch 0/ });
  await t.rejects(fit(async () => 0.1), { message: /returned a Promise \(an async function's result; a plain value is expected\) for epoch 0/ });
  await t.rejects(fit(() => '0.1'), { message: /returned "0.1" for epoch 0/ });
  t.throws(() => bn.callbacks.learningRateScheduler(0.1 as never), { message: 'learningRateScheduler: expected a function (epoch, lr) => lr, got 0.1' });
});
