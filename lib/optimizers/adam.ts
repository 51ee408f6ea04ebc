import { readOptions } from '../options';
import { LearningRateSchedule } from './schedules';
import { native } from '../native';
import { Optimizer, Segments, Slots, hyper, optimizerOptions } from './optimizer';

export interface AdamArgs {
  /** A rate, or a schedule (bn.optimizers.schedules). */
  learningRate?: number | LearningRateSchedule;
  /** Gradient clipping, at most one of the three (Keras 3). */
  clipnorm?: number | null;
  clipvalue?: number | null;
  globalClipnorm?: number | null;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Decoupled weight decay (AdamW) when > 0. */
  weightDecay?: number;
}

/** Adam with Keras 3's bias correction and defaults; weightDecay > 0 gives AdamW. */
export class Adam extends Optimizer {
  readonly className: string = 'Adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;

  constructor(args: AdamArgs = {}, weightDecayDefault = 0) {
    super();
    const a = readOptions<AdamArgs>(args, 'adam', optimizerOptions(['beta1', 'beta2', 'epsilon'], { amsgrad: false })); // Keras' beta_1 camel-cases to beta1
    this.readCommon(a, 0.001, 'adam');
    this.beta1 = hyper(a.beta1, 0.9, 'beta1', 0, 1, 'adam');
    this.beta2 = hyper(a.beta2, 0.999, 'beta2', 0, 1, 'adam');
    this.epsilon = hyper(a.epsilon, 1e-7, 'epsilon', 0, Infinity, 'adam');
    this.weightDecay = hyper(a.weightDecay, weightDecayDefault, 'weightDecay', 0, Infinity, 'adam');
  }

  protected createSlots(size: number): Slots {
    return [new Float32Array(size), new Float32Array(size)];
  }

  protected update(values: Segments, grads: Segments, [m, v]: (Segments | null)[]): void {
    native.adamUpdate(values, m!, v!, grads, this.currentLearningRate(), this.beta1, this.beta2, this.epsilon, this.iterations,
      this.weightDecay, true);
  }

  getConfig(): Record<string, unknown> {
    return { ...this.commonConfig(), beta_1: this.beta1, beta_2: this.beta2, epsilon: this.epsilon, weight_decay: this.weightDecay || null };
  }
}

/** AdamW: Adam with decoupled weight decay (Keras default 0.004). */
export class AdamW extends Adam {
  override readonly className = 'AdamW';

  constructor(args: AdamArgs = {}) {
    super(args, 0.004);
  }
}
