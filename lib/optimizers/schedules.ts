// Learning-rate schedules as Keras 3 computes them (keras/src/optimizers/schedules): a function
// of the optimizer's step count before the update (0 for the first step), accepted wherever a
// learning rate is.
import { ValueError, formatValue } from '../errors';
import { KerasOptions } from '../names';
import { readOptions } from '../options';

export abstract class LearningRateSchedule {
  abstract readonly className: string;
  /** The learning rate for the update after `step` updates. */
  abstract at(step: number): number;
  abstract getConfig(): Record<string, unknown>;
}

function positive(v: unknown, name: string, where: string, allowZero = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new ValueError(`${where}: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} finite number, got ${formatValue(v)}`);
  }
  return v;
}

export interface ExponentialDecayArgs { initialLearningRate: number; decaySteps: number; decayRate: number; staircase?: boolean }
export type InverseTimeDecayArgs = ExponentialDecayArgs;

/** A decay of the initial rate by a function of step / decaySteps (floored with staircase). */
abstract class StepDecay extends LearningRateSchedule {
  protected readonly a: Required<ExponentialDecayArgs>;
  constructor(args: KerasOptions<ExponentialDecayArgs>, where: string) {
    super();
    const a = readOptions<ExponentialDecayArgs>(args, where, { known: ['initialLearningRate', 'decaySteps', 'decayRate', 'staircase', 'name'] });
    this.a = { initialLearningRate: positive(a.initialLearningRate, 'initialLearningRate', where, true), decaySteps: positive(a.decaySteps, 'decaySteps', where),
      decayRate: positive(a.decayRate, 'decayRate', where, true), staircase: a.staircase ?? false };
  }
  at(step: number): number {
    const p = step / this.a.decaySteps;
    return this.decay(this.a.staircase ? Math.floor(p) : p);
  }
  protected abstract decay(p: number): number;
  getConfig(): Record<string, unknown> {
    return { initial_learning_rate: this.a.initialLearningRate, decay_steps: this.a.decaySteps, decay_rate: this.a.decayRate, staircase: this.a.staircase };
  }
}

/** initial * decayRate ^ (step / decaySteps). */
export class ExponentialDecay extends StepDecay {
  readonly className = 'ExponentialDecay';
  constructor(args: KerasOptions<ExponentialDecayArgs>) {
    super(args, 'exponentialDecay');
  }
  protected decay(p: number): number {
    return this.a.initialLearningRate * this.a.decayRate ** p;
  }
}

/** initial / (1 + decayRate * step / decaySteps). */
export class InverseTimeDecay extends StepDecay {
  readonly className = 'InverseTimeDecay';
  constructor(args: KerasOptions<InverseTimeDecayArgs>) {
    super(args, 'inverseTimeDecay');
  }
  protected decay(p: number): number {
    return this.a.initialLearningRate / (1 + this.a.decayRate * p);
  }
}

export interface PiecewiseConstantDecayArgs { boundaries: number[]; values: number[] }

/** values[i] while step <= boundaries[i] (and values[last] past the last boundary), as Keras. */
export class PiecewiseConstantDecay extends LearningRateSchedule {
  readonly className = 'PiecewiseConstantDecay';
  readonly boundaries: number[];
  readonly values: number[];
  constructor(args: KerasOptions<PiecewiseConstantDecayArgs>) {
    super();
    const where = 'piecewiseConstantDecay';
    const a = readOptions<PiecewiseConstantDecayArgs>(args, where, { known: ['boundaries', 'values', 'name'] });
    if (!Array.isArray(a.boundaries) || !Array.isArray(a.values) || a.values.length !== a.boundaries.length + 1) {
      throw new ValueError(`${where}: needs boundaries and values with one more value than boundaries, got ${formatValue(a.boundaries)} and ${formatValue(a.values)}`);
    }
    a.boundaries.forEach((b, i) => {
      if (!Number.isFinite(b) || (i > 0 && b <= a.boundaries[i - 1])) throw new ValueError(`${where}: boundaries must be increasing finite numbers, got ${formatValue(a.boundaries)}`);
    });
    a.values.forEach((v) => positive(v, 'each value', where, true));
    this.boundaries = [...a.boundaries];
    this.values = [...a.values];
  }
  at(step: number): number {
    const i = this.boundaries.findIndex((b) => step <= b);
    return this.values[i < 0 ? this.values.length - 1 : i];
  }
  getConfig(): Record<string, unknown> {
    return { boundaries: this.boundaries, values: this.values };
  }
}

export interface CosineDecayArgs {
  initialLearningRate: number;
  decaySteps: number;
  /** The floor, as a fraction of the initial (or warmup target) rate. */
  alpha?: number;
  /** With warmupSteps, the rate rises linearly from initialLearningRate to this first. */
  warmupTarget?: number | null;
  warmupSteps?: number;
}

/**
 * Keras 3's CosineDecay: an optional linear warmup from initialLearningRate to warmupTarget over
 * warmupSteps, then a cosine from that rate down to alpha times it over decaySteps.
 */
export class CosineDecay extends LearningRateSchedule {
  readonly className = 'CosineDecay';
  private readonly a: Required<CosineDecayArgs>;
  constructor(args: KerasOptions<CosineDecayArgs>) {
    super();
    const where = 'cosineDecay';
    const a = readOptions<CosineDecayArgs>(args, where, { known: ['initialLearningRate', 'decaySteps', 'alpha', 'warmupTarget', 'warmupSteps', 'name'] });
    this.a = {
      initialLearningRate: positive(a.initialLearningRate, 'initialLearningRate', where, true), decaySteps: positive(a.decaySteps, 'decaySteps', where),
      alpha: positive(a.alpha ?? 0, 'alpha', where, true), warmupTarget: a.warmupTarget == null ? null : positive(a.warmupTarget, 'warmupTarget', where, true),
      warmupSteps: positive(a.warmupSteps ?? 0, 'warmupSteps', where, true),
    };
  }
  at(step: number): number {
    const { initialLearningRate, decaySteps, alpha, warmupTarget, warmupSteps } = this.a;
    const decay = (from: number, s: number): number => {
      const done = Math.min(s, decaySteps) / decaySteps;
      return from * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * done)) + alpha);
    };
    if (warmupTarget === null) return decay(initialLearningRate, step);
    if (step < warmupSteps) return initialLearningRate + (warmupTarget - initialLearningRate) * (step / warmupSteps);
    return decay(warmupTarget, step - warmupSteps);
  }
  getConfig(): Record<string, unknown> {
    const a = this.a;
    return { initial_learning_rate: a.initialLearningRate, decay_steps: a.decaySteps, alpha: a.alpha, warmup_target: a.warmupTarget, warmup_steps: a.warmupSteps };
  }
}

/** Schedule factories with TF.js/Keras names: `bn.optimizers.schedules.exponentialDecay({...})`. */
export const schedules = {
  exponentialDecay: (args: KerasOptions<ExponentialDecayArgs>): LearningRateSchedule => new ExponentialDecay(args),
  inverseTimeDecay: (args: KerasOptions<InverseTimeDecayArgs>): LearningRateSchedule => new InverseTimeDecay(args),
  piecewiseConstantDecay: (args: KerasOptions<PiecewiseConstantDecayArgs>): LearningRateSchedule => new PiecewiseConstantDecay(args),
  cosineDecay: (args: KerasOptions<CosineDecayArgs>): LearningRateSchedule => new CosineDecay(args),
};
