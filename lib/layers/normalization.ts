import { LayerCall } from '../engine/call';
import { ValueError, formatShape, formatValue } from '../errors';
import { Initializer, InitializerIdentifier, getInitializer } from '../initializers';
import { ConstraintIdentifier } from '../constraints';
import { camelKeys } from '../names';
import { RegularizerIdentifier } from '../regularizers';
import { native } from '../native';
import { Shape, Tensor } from '../tensor';
import { Layer, LayerArgs, Param, WeightPenalties, initializerConfig, layerOptions, penaltiesConfig, weightOptionKeys } from './layer';

export interface BatchNormalizationArgs extends LayerArgs {
  /** The channel axis, counting the batch axis; only the last (-1) is supported. */
  axis?: number;
  momentum?: number;
  epsilon?: number;
  /** Add the learned offset beta. */
  center?: boolean;
  /** Multiply by the learned scale gamma. */
  scale?: boolean;
  betaInitializer?: InitializerIdentifier;
  gammaInitializer?: InitializerIdentifier;
  movingMeanInitializer?: InitializerIdentifier;
  movingVarianceInitializer?: InitializerIdentifier;
  betaRegularizer?: RegularizerIdentifier | null;
  gammaRegularizer?: RegularizerIdentifier | null;
  betaConstraint?: ConstraintIdentifier | null;
  gammaConstraint?: ConstraintIdentifier | null;
}

/**
 * Batch normalisation over the last axis, as Keras 3: in training, normalise with the
 * batch mean and (biased) variance and move the running statistics towards them by
 * 1 - momentum; in inference (or when not trainable), normalise with the running statistics.
 * Weights: gamma, beta (trainable), moving_mean, moving_variance (not trainable).
 */
export class BatchNormalization extends Layer {
  readonly className = 'BatchNormalization';
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private readonly initializers: Record<'beta' | 'gamma' | 'movingMean' | 'movingVariance', Initializer>;
  private readonly penalty: Record<'beta' | 'gamma', WeightPenalties>;
  private gamma: Param | null = null;
  private beta: Param | null = null;
  private movingMean!: Param;
  private movingVariance!: Param;

  constructor(args: BatchNormalizationArgs = {}) {
    const a = camelKeys(args ?? {});
    super(args, 'batch_normalization', layerOptions(['axis', 'momentum', 'epsilon', 'center', 'scale', 'betaInitializer',
      'gammaInitializer', 'movingMeanInitializer', 'movingVarianceInitializer', ...weightOptionKeys('beta', 'gamma')], {
      synchronized: false, renorm: false, renormClipping: null,
      renormMomentum: 0.99, fused: null, virtualBatchSize: null, adjustment: null,
    }));
    const where = `${this.name} (BatchNormalization)`;
    this.axis = a.axis ?? -1;
    if (!Number.isInteger(this.axis) || (this.axis < 1 && this.axis !== -1)) {
      throw new ValueError(`${where}: only the last axis (axis=-1, channels last) is supported, got axis=${formatValue(a.axis)}`);
    }
    this.momentum = a.momentum ?? 0.99;
    if (typeof this.momentum !== 'number' || !(this.momentum >= 0 && this.momentum <= 1)) {
      throw new ValueError(`${where}: momentum must be a number in [0, 1], got ${formatValue(a.momentum)}`);
    }
    this.epsilon = a.epsilon ?? 1e-3;
    if (typeof this.epsilon !== 'number' || !(this.epsilon > 0) || !Number.isFinite(this.epsilon)) {
      throw new ValueError(`${where}: epsilon must be a positive number, got ${formatValue(a.epsilon)}`);
    }
    this.penalty = this.penalties(a, 'beta', 'gamma');
    this.center = a.center ?? true;
    this.scale = a.scale ?? true;
    this.initializers = {
      beta: getInitializer(a.betaInitializer ?? 'zeros', where),
      gamma: getInitializer(a.gammaInitializer ?? 'ones', where),
      movingMean: getInitializer(a.movingMeanInitializer ?? 'zeros', where),
      movingVariance: getInitializer(a.movingVarianceInitializer ?? 'ones', where),
    };
  }

  /**
   * Keras's BatchNormalization takes a mask and, while training, computes the batch
   * statistics over the unmasked positions only; that is not implemented here, so a
   * masked input is refused rather than normalized with padding in the statistics.
   */
  override get supportsMasking(): boolean {
    return true;
  }

  override outputMasked(inputsMasked: readonly boolean[]): boolean {
    if (inputsMasked[0]) {
      throw new ValueError(`${this.name} (BatchNormalization): its input carries a mask (from an Embedding with maskZero), but batch statistics over the unmasked positions only, as Keras computes them, are not implemented; move the layer after the one that consumes the mask (an LSTM, GRU or GlobalAveragePooling1D)`);
    }
    return false;
  }

  computeOutputShape(inputShape: Shape): Shape {
    if (inputShape.length < 1) throw this.shapeError(`expected an input of rank >= 2, got ${formatShape([null, ...inputShape])}`);
    const rank = inputShape.length + 1;
    if (this.axis !== -1 && this.axis !== rank - 1) {
      throw new ValueError(`${this.name} (BatchNormalization): only the last axis is supported; axis=${this.axis} is not the last axis of input ${formatShape([null, ...inputShape])} (use axis=-1 or ${rank - 1})`);
    }
    return inputShape;
  }

  override build(inputShape: Shape): void {
    super.build(inputShape);
    const shape = [inputShape[inputShape.length - 1]];
    if (this.scale) this.gamma = this.addWeight('gamma', shape, this.initializers.gamma, true, this.penalty.gamma);
    if (this.center) this.beta = this.addWeight('beta', shape, this.initializers.beta, true, this.penalty.beta);
    this.movingMean = this.addWeight('moving_mean', shape, this.initializers.movingMean, false);
    this.movingVariance = this.addWeight('moving_variance', shape, this.initializers.movingVariance, false);
  }

  forward(x: Tensor, call: LayerCall): Tensor {
    this.checkInput(x);
    call.saved.x = x;
    const C = this.movingMean.value.size;
    const R = x.size / C;
    const out = call.buffer('out', x.shape);
    const mean = call.buffer('mean', [C]).data as Float32Array;
    const invStd = call.buffer('invStd', [C]).data as Float32Array;
    const gamma = (this.gamma?.value.data as Float32Array) ?? null;
    const beta = (this.beta?.value.data as Float32Array) ?? null;
    // Keras 3: a frozen layer (trainable = false) runs in inference mode even while training.
    const batchStatistics = call.training && this.trainable;
    call.saved.batchStatistics = batchStatistics;
    if (batchStatistics) {
      native.batchnormForwardTraining(out.data as Float32Array, mean, invStd, this.movingMean.value.data as Float32Array,
        this.movingVariance.value.data as Float32Array, x.data as Float32Array, gamma, beta, R, C, this.momentum, this.epsilon);
    } else {
      native.batchnormForwardInference(out.data as Float32Array, mean, invStd, x.data as Float32Array, gamma, beta,
        this.movingMean.value.data as Float32Array, this.movingVariance.value.data as Float32Array, R, C, this.epsilon);
    }
    return out;
  }

  backward(dy: Tensor, call: LayerCall, needInputGrad: boolean): Tensor | null {
    const x = call.saved.x as Tensor;
    const C = this.movingMean.value.size;
    // dx is written over dy (the kernel allows it), saving a buffer.
    native.batchnormBackward(needInputGrad ? (dy.data as Float32Array) : null, call.gradient(this.gamma), call.gradient(this.beta),
      dy.data as Float32Array, x.data as Float32Array, (this.gamma?.value.data as Float32Array) ?? null,
      call.buffer('mean', [C]).data as Float32Array, call.buffer('invStd', [C]).data as Float32Array, x.size / C, C,
      call.saved.batchStatistics as boolean);
    return needInputGrad ? dy : null;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      axis: this.axis,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      beta_initializer: initializerConfig(this.initializers.beta),
      gamma_initializer: initializerConfig(this.initializers.gamma),
      moving_mean_initializer: initializerConfig(this.initializers.movingMean),
      moving_variance_initializer: initializerConfig(this.initializers.movingVariance),
      ...penaltiesConfig(this, this.penalty, false),
      synchronized: false,
    };
  }
}
