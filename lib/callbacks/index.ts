// Keras's built-in callbacks (keras/src/callbacks), with their defaults and semantics:
// bn.callbacks.earlyStopping, reduceLROnPlateau, learningRateScheduler, terminateOnNaN,
// modelCheckpoint, csvLogger. Each is a class with fit's hooks; fit hands it the model.
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ValueError, formatValue } from '../errors';
import { KerasOptions } from '../names';
import { readOptions } from '../options';
import type { Logs } from '../models/callbacks';
import type { LayersModel } from '../models/model';
import type { Tensor } from '../tensor';

/** What a callback needs of the model it is given. */
export abstract class Callback {
  protected model: LayersModel | null = null;
  /** The keys each epoch's logs will hold when this callback sees them; null when fit cannot tell. */
  protected logKeys: readonly string[] | null = null;
  /** Keys this callback adds to the epoch logs (for the callbacks after it). */
  readonly addsLogs: readonly string[] = [];

  setModel(model: unknown): void {
    this.model = model as LayersModel;
  }

  /** Called by fit before onTrainBegin (null: an earlier callback of the user's may add keys of its own). */
  setLogKeys(keys: readonly string[] | null): void {
    this.logKeys = keys;
  }

  protected requireModel(): LayersModel {
    if (!this.model) throw new ValueError(`${this.constructor.name}: not attached to a model; pass it to fit({callbacks})`);
    return this.model;
  }
}

type Mode = 'auto' | 'min' | 'max';

/** Keras's direction for 'auto' (each metric's _direction): losses and errors go down, accuracy-like metrics up. */
function direction(monitor: string, mode: Mode, where: string): 'min' | 'max' {
  if (mode === 'min' || mode === 'max') return mode;
  const name = monitor.replace(/^val_/, '');
  if (/loss|error|crossentropy|hinge|poisson|divergence|logcosh|^kld$|^mae$|^mse$|^rmse$|^msle$|^mape$/.test(name)) return 'min';
  if (/acc|auc|precision|recall|cosine|r2|f1|fbeta|iou|pearson|correlation/.test(name)) return 'max';
  throw new ValueError(`${where}: cannot tell whether '${monitor}' should go up or down; give mode: 'min' or 'max'`);
}

/**
 * Whether `value` improves on `reference` as Keras 3's MonitorCallback._is_improvement tests
 * it: no reference yet (null) always does, even NaN; else value shifted by minDelta against
 * the reference, compared in float32 as ops.less/ops.greater compare Python floats.
 */
function improves(lower: boolean, minDelta: number, value: number, reference: number | null): boolean {
  if (reference === null) return true;
  const shifted = Math.fround(lower ? value + minDelta : value - minDelta);
  return lower ? shifted < Math.fround(reference) : shifted > Math.fround(reference);
}

/** The learning rate as Keras reads it from the optimizer's float32 variable. */
function learningRateOf(optimizer: { learningRate: unknown }, where: string, what: string): number {
  const lr = optimizer.learningRate;
  if (typeof lr !== 'number') throw new ValueError(`${where}: the optimizer follows a learning-rate schedule, which it cannot ${what}`);
  return Math.fround(lr);
}

const missing = (monitor: string, keys: readonly string[], will: string, where: string): ValueError =>
  new ValueError(`${where}: monitors '${monitor}', but the logs ${will} ${keys.join(', ')}${monitor.startsWith('val_') ? ' (validation metrics need validationData or validationSplit)' : ''}`);

function monitored(logs: Logs, monitor: string, where: string): number {
  const v = logs[monitor];
  if (v === undefined) throw missing(monitor, Object.keys(logs), 'hold', where);
  return v;
}

/**
 * Refuses a monitored key the logs will never hold before training starts rather than after
 * the first epoch (Keras warns and trains on; blasnet refuses, and early, when fit can tell).
 */
function checkMonitor(keys: readonly string[] | null, monitor: string, where: string): void {
  if (keys && !keys.includes(monitor)) throw missing(monitor, keys, 'will hold', where);
}

function checkMode(mode: unknown, where: string): Mode {
  const m = mode ?? 'auto';
  if (m !== 'auto' && m !== 'min' && m !== 'max') throw new ValueError(`${where}: mode must be 'auto', 'min' or 'max', got ${formatValue(mode)}`);
  return m;
}

export interface EarlyStoppingArgs {
  monitor?: string;
  minDelta?: number;
  patience?: number;
  verbose?: number;
  mode?: Mode;
  baseline?: number | null;
  restoreBestWeights?: boolean;
  startFromEpoch?: number;
}

/** Stops training when the monitored value has not improved for `patience` epochs (Keras 3's EarlyStopping). */
export class EarlyStopping extends Callback {
  readonly monitor: string;
  readonly patience: number;
  readonly baseline: number | null;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  private readonly mode: Mode;
  private readonly minDelta: number;
  private readonly verbose: number;
  private wait = 0;
  private best: number | null = null;
  private lower = true;
  private bestWeights: Tensor[] | null = null;
  /** The epoch training stopped at (0 when it did not stop), and the best epoch. */
  stoppedEpoch = 0;
  bestEpoch = 0;

  constructor(args: KerasOptions<EarlyStoppingArgs> = {}) {
    super();
    const where = 'earlyStopping';
    const a = readOptions<EarlyStoppingArgs>(args, where, { known: ['monitor', 'minDelta', 'patience', 'verbose', 'mode', 'baseline', 'restoreBestWeights', 'startFromEpoch'] });
    this.monitor = a.monitor ?? 'val_loss';
    this.minDelta = Math.abs(a.minDelta ?? 0);
    this.patience = a.patience ?? 0;
    this.verbose = a.verbose ?? 0;
    this.mode = checkMode(a.mode, where);
    this.baseline = a.baseline ?? null;
    this.restoreBestWeights = a.restoreBestWeights ?? false;
    this.startFromEpoch = a.startFromEpoch ?? 0;
  }

  onTrainBegin(): void {
    checkMonitor(this.logKeys, this.monitor, 'earlyStopping');
    this.lower = direction(this.monitor, this.mode, 'earlyStopping') === 'min';
    this.wait = 0;
    this.stoppedEpoch = 0;
    // Keras 3 starts from no best value (the baseline only gates resetting the patience).
    this.best = null;
    this.bestWeights = null;
    this.bestEpoch = 0;
  }

  private improves(value: number, reference: number | null): boolean {
    return improves(this.lower, this.minDelta, value, reference);
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    const model = this.requireModel();
    const current = monitored(logs, this.monitor, 'earlyStopping');
    if (epoch < this.startFromEpoch) return;
    if (this.restoreBestWeights && this.bestWeights === null) {
      this.bestWeights = model.getWeights();
      this.bestEpoch = epoch;
    }
    this.wait++;
    if (this.improves(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = model.getWeights();
      if (this.baseline === null || this.improves(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      model.stopTraining = true;
    }
  }

  onTrainEnd(): void {
    if (this.stoppedEpoch > 0 && this.verbose > 0) console.log(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (this.restoreBestWeights && this.bestWeights !== null) {
      if (this.verbose > 0) console.log(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      this.requireModel().setWeights(this.bestWeights);
    }
  }
}

export interface ReduceLROnPlateauArgs {
  monitor?: string;
  factor?: number;
  patience?: number;
  verbose?: number;
  mode?: Mode;
  minDelta?: number;
  cooldown?: number;
  minLr?: number;
}

/** Multiplies the learning rate by `factor` when the monitored value stops improving (Keras 3's ReduceLROnPlateau). */
export class ReduceLROnPlateau extends Callback {
  readonly monitor: string;
  readonly factor: number;
  readonly patience: number;
  readonly minLr: number;
  private readonly mode: Mode;
  private readonly minDelta: number;
  private readonly cooldown: number;
  private readonly verbose: number;
  override readonly addsLogs = ['learning_rate'];
  private wait = 0;
  private cooldownCounter = 0;
  private best: number | null = null;
  private lower = true;

  constructor(args: KerasOptions<ReduceLROnPlateauArgs> = {}) {
    super();
    const where = 'reduceLROnPlateau';
    const a = readOptions<ReduceLROnPlateauArgs>(args, where, { known: ['monitor', 'factor', 'patience', 'verbose', 'mode', 'minDelta', 'cooldown', 'minLr'], aliases: { epsilon: 'minDelta' } });
    this.monitor = a.monitor ?? 'val_loss';
    this.factor = a.factor ?? 0.1;
    if (!(this.factor < 1 && this.factor >= 0)) throw new ValueError(`${where}: factor must be in [0, 1) (it lowers the rate), got ${formatValue(a.factor)}`);
    this.patience = a.patience ?? 10;
    this.verbose = a.verbose ?? 0;
    this.mode = checkMode(a.mode, where);
    this.minDelta = Math.abs(a.minDelta ?? 1e-4);
    this.cooldown = a.cooldown ?? 0;
    this.minLr = a.minLr ?? 0;
  }

  onTrainBegin(): void {
    checkMonitor(this.logKeys, this.monitor, 'reduceLROnPlateau');
    this.lower = direction(this.monitor, this.mode, 'reduceLROnPlateau') === 'min';
    this.best = null;
    this.cooldownCounter = 0;
    this.wait = 0;
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    const optimizer = this.requireModel().optimizer;
    const old = learningRateOf(optimizer, 'reduceLROnPlateau', 'lower');
    logs.learning_rate = old;
    const current = monitored(logs, this.monitor, 'reduceLROnPlateau');
    const inCooldown = this.cooldownCounter > 0;
    if (inCooldown) {
      this.cooldownCounter--;
      this.wait = 0;
    }
    if (improves(this.lower, this.minDelta, current, this.best)) {
      this.best = current;
      this.wait = 0;
    } else if (!(this.cooldownCounter > 0)) {
      this.wait++;
      if (this.wait >= this.patience) {
        // Keras compares the float32 rate with float32 minLr, and keeps the new rate in float32.
        if (old > Math.fround(this.minLr)) {
          optimizer.learningRate = Math.fround(Math.max(old * this.factor, this.minLr));
          if (this.verbose > 0) console.log(`Epoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${optimizer.learningRate}.`);
          this.cooldownCounter = this.cooldown;
          this.wait = 0;
        }
      }
    }
  }
}

/** Sets the learning rate at each epoch's start from `schedule(epoch, lr)` (Keras's LearningRateScheduler). */
export class LearningRateScheduler extends Callback {
  override readonly addsLogs = ['learning_rate'];

  constructor(private readonly schedule: (epoch: number, lr: number) => number, private readonly verbose = 0) {
    super();
    if (typeof schedule !== 'function') throw new ValueError(`learningRateScheduler: expected a function (epoch, lr) => lr, got ${formatValue(schedule)}`);
  }

  onEpochBegin(epoch: number): void {
    const optimizer = this.requireModel().optimizer;
    // Keras hands the schedule the float32 rate and keeps what it returns in float32.
    const next = this.schedule(epoch, learningRateOf(optimizer, 'learningRateScheduler', 'also follow'));
    if (typeof next !== 'number' || !Number.isFinite(next) || next < 0) throw new ValueError(`learningRateScheduler: the schedule returned ${formatValue(next)} for epoch ${epoch}; expected a finite number >= 0`);
    optimizer.learningRate = Math.fround(next);
    if (this.verbose > 0) console.log(`Epoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${next}.`);
  }

  onEpochEnd(_epoch: number, logs: Logs): void {
    logs.learning_rate = learningRateOf(this.requireModel().optimizer, 'learningRateScheduler', 'also follow');
  }
}

export interface TerminateOnNaNArgs {
  /** Throw at once instead of stopping after the batch (Keras 3's raise_error). */
  raiseError?: boolean;
}

/** Stops training after a batch whose loss is NaN or infinite, or throws (Keras 3's TerminateOnNaN). */
export class TerminateOnNaN extends Callback {
  readonly raiseError: boolean;

  constructor(args: KerasOptions<TerminateOnNaNArgs> = {}) {
    super();
    this.raiseError = readOptions<TerminateOnNaNArgs>(args, 'terminateOnNaN', { known: ['raiseError'] }).raiseError ?? false;
  }

  onBatchEnd(batch: number, logs: Logs): void {
    const loss = logs.loss;
    if (loss !== undefined && !Number.isFinite(loss)) {
      if (this.raiseError) throw new Error(`NaN or Inf loss encountered at batch ${batch}. Loss value: ${loss}. Terminating training immediately.`);
      console.log(`Batch ${batch}: Invalid loss, terminating training`);
      this.requireModel().stopTraining = true;
    }
  }
}

export interface ModelCheckpointArgs {
  /** A directory per save; Python format fields fill in the epoch (from 1) and logs: 'ckpt/{epoch:02d}-{val_loss:.2f}'. */
  filepath: string;
  monitor?: string;
  verbose?: number;
  saveBestOnly?: boolean;
  mode?: Mode;
  initialValueThreshold?: number | null;
}

/** Fills Python format fields: {name}, {name:02d}, {name:.4f}. */
function formatPath(template: string, values: Record<string, number>, will = 'hold'): string {
  return template.replace(/\{(\w+)(?::([^}]*))?\}/g, (whole, name: string, spec: string | undefined) => {
    const v = values[name];
    if (v === undefined) throw new ValueError(`modelCheckpoint: filepath names {${name}}, but the logs ${will} epoch, ${Object.keys(values).filter((k) => k !== 'epoch').join(', ')}`);
    if (!spec) return String(v);
    const m = /^(0?)(\d*)(?:\.(\d+))?([dfe])$/.exec(spec);
    if (!m) throw new ValueError(`modelCheckpoint: format ${whole} is not supported (use d, .Nf or .Ne)`);
    const [, zero, width, precision, kind] = m;
    let text = kind === 'd' ? String(Math.trunc(v)) : kind === 'f' ? v.toFixed(precision ? Number(precision) : 6) : v.toExponential(precision ? Number(precision) : 6);
    if (width) text = text.padStart(Number(width), zero ? '0' : ' ');
    return text;
  });
}

/** Saves the model (TF.js layers format, one directory per save) after each epoch, or only the best (Keras's ModelCheckpoint). */
export class ModelCheckpoint extends Callback {
  readonly filepath: string;
  readonly monitor: string;
  readonly saveBestOnly: boolean;
  private readonly mode: Mode;
  private readonly verbose: number;
  /** The best value so far: initialValueThreshold, or none (the first value then saves). */
  private best: number | null;
  private lower = true;
  /** Where each save went, in order. */
  readonly saved: string[] = [];

  constructor(args: KerasOptions<ModelCheckpointArgs>) {
    super();
    const where = 'modelCheckpoint';
    const a = readOptions<ModelCheckpointArgs>(args, where, {
      known: ['filepath', 'monitor', 'verbose', 'saveBestOnly', 'mode', 'initialValueThreshold'],
      unsupported: { saveWeightsOnly: false, saveFreq: 'epoch' },
    });
    if (typeof a.filepath !== 'string' || a.filepath === '') throw new ValueError(`${where}: filepath must be a directory path, got ${formatValue(a.filepath)}`);
    this.filepath = a.filepath;
    this.monitor = a.monitor ?? 'val_loss';
    this.verbose = a.verbose ?? 0;
    this.saveBestOnly = a.saveBestOnly ?? false;
    this.mode = checkMode(a.mode, where);
    this.best = a.initialValueThreshold ?? null;
  }

  onTrainBegin(): void {
    if (this.logKeys) {
      // Fill the path once with the keys it will get, so that a field no log holds fails now.
      formatPath(this.filepath, Object.fromEntries([['epoch', 1], ...this.logKeys.map((k) => [k, 0])]), 'will hold');
      if (this.saveBestOnly) checkMonitor(this.logKeys, this.monitor, 'modelCheckpoint');
    }
    // As Keras, best carries over from one fit to the next.
    if (this.saveBestOnly) this.lower = direction(this.monitor, this.mode, 'modelCheckpoint') === 'min';
  }

  async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    const model = this.requireModel();
    const file = formatPath(this.filepath, { epoch: epoch + 1, ...logs });
    if (this.saveBestOnly) {
      const current = monitored(logs, this.monitor, 'modelCheckpoint');
      if (!improves(this.lower, 0, current, this.best)) return;
      if (this.verbose > 0) console.log(`Epoch ${epoch + 1}: ${this.monitor} improved from ${this.best} to ${current}, saving model to ${file}`);
      this.best = current;
    }
    await model.save(file);
    this.saved.push(file);
  }
}

export interface CSVLoggerArgs {
  filename: string;
  separator?: string;
  append?: boolean;
}

/** Writes each epoch's logs as a CSV row: epoch, then the log keys in sorted order (Keras's CSVLogger). */
export class CSVLogger extends Callback {
  private readonly filename: string;
  private readonly separator: string;
  private readonly append: boolean;
  private keys: string[] | null = null;

  constructor(args: KerasOptions<CSVLoggerArgs> | string) {
    super();
    const a = typeof args === 'string' ? { filename: args } : readOptions<CSVLoggerArgs>(args, 'csvLogger', { known: ['filename', 'separator', 'append'] });
    if (typeof a.filename !== 'string' || a.filename === '') throw new ValueError(`csvLogger: filename must be a path, got ${formatValue(a.filename)}`);
    this.filename = a.filename;
    this.separator = a.separator ?? ',';
    this.append = a.append ?? false;
  }

  async onTrainBegin(): Promise<void> {
    this.keys = null;
    await mkdir(path.dirname(path.resolve(this.filename)), { recursive: true });
    if (!this.append) await writeFile(this.filename, '');
  }

  async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    const lines: string[] = [];
    if (!this.keys) {
      this.keys = Object.keys(logs).sort();
      if (!this.append) lines.push(['epoch', ...this.keys].join(this.separator));
    }
    lines.push([String(epoch), ...this.keys.map((k) => (logs[k] === undefined ? 'NA' : String(logs[k])))].join(this.separator));
    await appendFile(this.filename, `${lines.join('\n')}\n`);
  }
}

const BUILT_IN: ReadonlySet<unknown> = new Set([EarlyStopping, ReduceLROnPlateau, LearningRateScheduler, TerminateOnNaN, ModelCheckpoint, CSVLogger]);

/** Whether a callback is one of the built-ins (not a subclass), which add to the logs only their addsLogs. */
export const isBuiltIn = (cb: object): cb is Callback => cb instanceof Callback && BUILT_IN.has(cb.constructor);

/** Built-in callbacks with TF.js/Keras names: `bn.callbacks.earlyStopping({patience: 3})`. */
export const callbacks = {
  earlyStopping: (args?: KerasOptions<EarlyStoppingArgs>): EarlyStopping => new EarlyStopping(args),
  reduceLROnPlateau: (args?: KerasOptions<ReduceLROnPlateauArgs>): ReduceLROnPlateau => new ReduceLROnPlateau(args),
  learningRateScheduler: (schedule: (epoch: number, lr: number) => number, verbose = 0): LearningRateScheduler => new LearningRateScheduler(schedule, verbose),
  terminateOnNaN: (args?: KerasOptions<TerminateOnNaNArgs>): TerminateOnNaN => new TerminateOnNaN(args),
  modelCheckpoint: (args: KerasOptions<ModelCheckpointArgs>): ModelCheckpoint => new ModelCheckpoint(args),
  csvLogger: (args: KerasOptions<CSVLoggerArgs> | string): CSVLogger => new CSVLogger(args),
};
