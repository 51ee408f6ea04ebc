import { readOptions } from '../options';
import { LearningRateSchedule } from './schedules';
import { native } from '../native';
import { Optimizer, Segments, Slots, hyper, optimizerOptions } from './optimizer';

export interface RmspropArgs {
  /** A rate, or a schedule (bn.optimizers.schedules). */
  learningRate?: number | LearningRateSchedule;
  /** Gradient clipping, at most one of the three (Keras 3). */
  clipnorm?: number | null;
  clipvalue?: number | null;
  globalClipnorm?: number | null;
  rho?: number;
  momentum?: number;
  epsilon?: number;
  centered?: boolean;
  weightDecay?: number;
}

/** RMSprop with Keras 3's formula and defaults (lr 0.001, rho 0.9). */
export class RMSprop extends Optimizer {
  readonly className = 'RMSprop';
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;
  readonly weightDecay: number;

  constructor(args: RmspropArgs = {}) {
    super();
    const a = readOptions<RmspropArgs>(args, 'rmsprop', optimizerOptions(['rho', 'momentum', 'epsilon', 'centered']));
    this.readCommon(a, 0.001, 'rmsprop');
    this.rho = hyper(a.rho, 0.9, 'rho', 0, 1, 'rmsprop');
    this.momentum = hyper(a.momentum, 0, 'momentum', 0, 1, 'rmsprop');
    this.epsilon = hyper(a.epsilon, 1e-7, 'epsilon', 0, Infinity, 'rmsprop');
    this.centered = a.centered ?? false;
    this.weightDecay = hyper(a.weightDecay, 0, 'weightDecay', 0, Infinity, 'rmsprop');
  }

  protected createSlots(size: number): Slots {
    return [
      new Float32Array(size),
      this.momentum > 0 ? new Float32Array(size) : null,
      this.centered ? new Float32Array(size) : null,
    ];
  }

  protected update(values: Segments, grads: Segments, [meanSquare, momentum, meanGrad]: (Segments | null)[]): void {
    native.rmspropUpdate(values, meanSquare!, momentum, meanGrad, grads, this.currentLearningRate(), this.rho, this.momentum,
      this.epsilon, this.weightDecay, true);
  }

  getConfig(): Record<string, unknown> {
    return {
      ...this.commonConfig(), rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered,
      weight_decay: this.weightDecay || null,
    };
  }
}
