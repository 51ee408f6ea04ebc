import { readOptions } from '../options';
import { LearningRateSchedule } from './schedules';
import { native } from '../native';
import { Optimizer, Segments, Slots, hyper, optimizerOptions } from './optimizer';

export interface SgdArgs {
  /** A rate, or a schedule (bn.optimizers.schedules). */
  learningRate?: number | LearningRateSchedule;
  /** Gradient clipping, at most one of the three (Keras 3). */
  clipnorm?: number | null;
  clipvalue?: number | null;
  globalClipnorm?: number | null;
  momentum?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

/** Stochastic gradient descent with optional (Nesterov) momentum; Keras defaults (lr 0.01). */
export class SGD extends Optimizer {
  readonly className = 'SGD';
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  constructor(args: SgdArgs = {}) {
    super();
    const a = readOptions<SgdArgs>(args, 'sgd', optimizerOptions(['momentum', 'nesterov']));
    this.readCommon(a, 0.01, 'sgd');
    this.momentum = hyper(a.momentum, 0, 'momentum', 0, 1, 'sgd');
    this.nesterov = a.nesterov ?? false;
    this.weightDecay = hyper(a.weightDecay, 0, 'weightDecay', 0, Infinity, 'sgd');
  }

  protected createSlots(size: number): Slots {
    return this.momentum > 0 ? [new Float32Array(size)] : [];
  }

  protected update(values: Segments, grads: Segments, [velocity]: (Segments | null)[]): void {
    native.sgdUpdate(values, velocity ?? null, grads, this.currentLearningRate(), this.momentum, this.nesterov, this.weightDecay, true);
  }

  getConfig(): Record<string, unknown> {
    return { ...this.commonConfig(), momentum: this.momentum, nesterov: this.nesterov, weight_decay: this.weightDecay || null };
  }
}
