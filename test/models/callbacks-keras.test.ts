import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import * as bn from '../../lib';

// The built-in callbacks against Keras 3's, from test/fixtures/callbacks
// (tools/goldens/callbacks_keras.py): each driven as fit drives it over scripted epoch logs,
// with the kernel set to the epoch number before each epoch ends; compared: the epochs that
// ran, stopTraining and the learning rate after each, the logs as the callback left them,
// the kernel at the end (whose epoch restoreBestWeights restored) and the epochs a checkpoint
// wrote. Learning rates are compared as float32, the variable Keras keeps them in.

type Num = number | string;
interface EpochRecord { epoch: number; stop: boolean; lr: number; logs: Record<string, Num> }
interface Case {
  callback: 'EarlyStopping' | 'ReduceLROnPlateau' | 'LearningRateScheduler' | 'ModelCheckpoint' | 'TerminateOnNaN';
  args: Record<string, unknown>;
  lr: number;
  logs: Record<string, Num>[];
  epochs: EpochRecord[];
  kernel: number;
  schedule?: string;
  saved?: number[];
  stopped_epoch?: number;
  best_epoch?: number;
  batch_losses?: Num[];
  stopped_batch?: number | null;
  raised?: boolean;
}

const fixture = JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'callbacks', 'callbacks.json'), 'utf8')) as { cases: Case[] };
const num = (v: Num): number => (typeof v === 'number' ? v : v === 'nan' ? NaN : v === 'inf' ? Infinity : -Infinity);
const logsOf = (l: Record<string, Num>): bn.Logs => Object.fromEntries(Object.entries(l).map(([k, v]) => [k, num(v)]));
const SCHEDULES: Record<string, (epoch: number, lr: number) => number> = {
  decay: (_epoch, lr) => lr * 0.9,
  step: (epoch, lr) => (epoch >= 2 ? 0.05 : lr),
  linear: (epoch) => 0.01 * (epoch + 1),
};
const snakeToCamel = (args: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(args).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));

function modelFor(lr: number): bn.Sequential {
  const m = bn.sequential([bn.layers.dense({ units: 1, inputShape: [1] })]);
  m.compile({ optimizer: bn.optimizers.sgd({ learningRate: lr }), loss: 'mse' });
  return m;
}

function describe(c: Case): string {
  const values = c.batch_losses ?? c.logs.map((l) => Object.values(l)[0]);
  return `${c.callback}(${JSON.stringify(c.args)}${c.schedule ? ` ${c.schedule}` : ''}) on ${JSON.stringify(values)}`;
}

for (const c of fixture.cases) {
  t.test(describe(c), async (t) => {
    if (c.callback === 'TerminateOnNaN') {
      const m = modelFor(0.1);
      const cb = bn.callbacks.terminateOnNaN(snakeToCamel(c.args));
      cb.setModel(m);
      let stopped: number | null = null, raised = false;
      const quiet = t.capture(console, 'log');
      for (let b = 0; b < c.batch_losses!.length; b++) {
        try {
          cb.onBatchEnd(b, { loss: num(c.batch_losses![b]) });
        } catch (err) {
          t.match((err as Error).message, /NaN or Inf loss encountered at batch \d+/);
          [raised, stopped] = [true, b];
          break;
        }
        if (m.stopTraining) { stopped = b; break; }
      }
      quiet();
      t.equal(stopped, c.stopped_batch, 'the batch that stops training');
      t.equal(raised, c.raised, 'raised');
      return;
    }
    const m = modelFor(c.lr);
    const dir = mkdtempSync(path.join(tmpdir(), 'blasnet-cb-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const args = snakeToCamel(c.args);
    const cb = c.callback === 'EarlyStopping' ? bn.callbacks.earlyStopping(args)
      : c.callback === 'ReduceLROnPlateau' ? bn.callbacks.reduceLROnPlateau(args)
        : c.callback === 'LearningRateScheduler' ? bn.callbacks.learningRateScheduler(SCHEDULES[c.schedule!])
          : bn.callbacks.modelCheckpoint({ filepath: path.join(dir, 'm-{epoch:02d}'), ...args });
    const hooks = cb as unknown as {
      onTrainBegin?(): void; onEpochBegin?(epoch: number): void; onEpochEnd?(epoch: number, logs: bn.Logs): void | Promise<void>; onTrainEnd?(): void;
    };
    cb.setModel(m);
    m.stopTraining = false;
    hooks.onTrainBegin?.();
    const ran: EpochRecord[] = [];
    const saved: number[] = [];
    for (let epoch = 0; epoch < c.logs.length; epoch++) {
      hooks.onEpochBegin?.(epoch);
      m.setWeights([bn.tensor([[epoch]]), bn.tensor([0])]);
      const logs = logsOf(c.logs[epoch]);
      const before = cb instanceof bn.ModelCheckpoint ? cb.saved.length : 0;
      await hooks.onEpochEnd?.(epoch, logs);
      if (cb instanceof bn.ModelCheckpoint && cb.saved.length > before) saved.push(epoch);
      ran.push({ epoch, stop: m.stopTraining, lr: m.optimizer.learningRate as number, logs: logs as Record<string, Num> });
      if (m.stopTraining) break;
    }
    hooks.onTrainEnd?.();
    t.equal(ran.length, c.epochs.length, `ran ${ran.length} epochs (Keras ${c.epochs.length})`);
    c.epochs.forEach((want, i) => {
      const got = ran[i];
      if (!got) return;
      t.equal(got.stop, want.stop, `epoch ${i}: stopTraining ${got.stop}`);
      t.equal(Math.fround(got.lr), want.lr, `epoch ${i}: learning rate ${got.lr} (float32 ${Math.fround(got.lr)}) vs Keras ${want.lr}`);
      t.same(Object.keys(got.logs).sort(), Object.keys(want.logs).sort(), `epoch ${i}: log keys`);
      for (const [k, v] of Object.entries(want.logs)) {
        t.ok(Object.is(got.logs[k] as number, num(v)), `epoch ${i}: logs.${k} ${got.logs[k]} vs Keras ${v}`);
      }
    });
    t.equal(m.getWeights()[0].data[0], c.kernel, `the kernel at the end is epoch ${c.kernel}'s`);
    if (c.saved) t.same(saved, c.saved, 'the epochs that saved');
    if (cb instanceof bn.EarlyStopping) {
      t.equal(cb.stoppedEpoch, c.stopped_epoch, 'stoppedEpoch');
      t.equal(cb.bestEpoch, c.best_epoch, 'bestEpoch');
    }
  });
}
