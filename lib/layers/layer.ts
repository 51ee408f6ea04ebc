import { Activation } from '../activations';
import { ShapeError, ValueError, formatShape } from '../errors';
import { Initializer } from '../initializers';
import { camelKeys } from '../names';
import { DType, Shape, Tensor, sameShape, sizeOf } from '../tensor';

/** Arguments every layer accepts (Keras snake_case spellings work too). */
export interface LayerArgs {
  name?: string;
  /** Shape of one sample, without the batch axis. Required on a model's first layer. */
  inputShape?: number[];
  /** Shape with the batch axis first (`null` for any batch size). */
  batchInputShape?: (number | null)[];
  trainable?: boolean;
  dtype?: string;
}

/** A weight and the gradient the backward pass accumulates into it. */
export class Param {
  private gradStorage: Float32Array;

  constructor(readonly name: string, public value: Tensor, readonly trainable: boolean) {
    this.gradStorage = new Float32Array(value.size);
  }

  get grad(): Float32Array {
    return this.gradStorage;
  }

  /**
   * Moves the value and gradient into storage owned by someone else (a model's flat
   * parameter buffer), copying the current values. Layers read `value` and `grad`
   * at every call, so they follow.
   */
  relocate(value: Float32Array, grad: Float32Array): void {
    value.set(this.value.data);
    grad.set(this.gradStorage);
    this.value = new Tensor(value, this.value.shape);
    this.gradStorage = grad;
  }
}

const nameCounts = new Map<string, number>();

/** Keras-style unique names: dense, dense_1, dense_2, ... */
function uniqueName(base: string): string {
  const n = nameCounts.get(base) ?? 0;
  nameCounts.set(base, n + 1);
  return n === 0 ? base : `${base}_${n}`;
}

/** Shapes are per sample (no batch axis) inside layers; a batch of N adds a leading N. */
export abstract class Layer {
  /** Keras class name, e.g. 'Dense'. */
  abstract readonly className: string;
  /** The dtype of the batches forward() takes: int32 for index layers (Embedding), float32 for the rest. */
  readonly inputDType: DType = 'float32';
  readonly name: string;
  trainable: boolean;
  /** The per-sample input shape the user gave, if any. */
  readonly declaredInputShape: Shape | null;
  /** Per-sample input and output shapes, known once built. */
  inputShape: Shape | null = null;
  outputShape: Shape | null = null;
  protected readonly params: Param[] = [];
  private readonly buffers = new Map<string, Tensor>();

  constructor(args: LayerArgs, defaultName: string) {
    const a = camelKeys(args ?? {});
    this.name = a.name ?? uniqueName(defaultName);
    this.trainable = a.trainable ?? true;
    if (a.inputShape && a.batchInputShape) throw new ValueError(`${this.name}: give inputShape or batchInputShape, not both`);
    const shape = a.inputShape ?? (a.batchInputShape ? a.batchInputShape.slice(1) : null);
    if (shape) {
      if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || (d as number) < 1)) {
        throw new ValueError(`${this.name}: inputShape must be a list of positive integers (no batch axis), got ${JSON.stringify(shape)}`);
      }
    }
    this.declaredInputShape = shape ? (shape as number[]) : null;
  }

  /** The per-sample output shape for a per-sample input shape; throws ShapeError when the input does not fit. */
  abstract computeOutputShape(inputShape: Shape): Shape;

  /** Runs the layer on a batch. The result may be a buffer the layer reuses on its next call. */
  abstract forward(x: Tensor, training: boolean): Tensor;

  /**
   * Back-propagates dy (the gradient of the loss with respect to this layer's last output),
   * accumulating parameter gradients. Returns the input gradient, or null when not needed.
   * May overwrite dy. When dyIsPreActivation is set, dy is already the gradient with respect
   * to the input of the layer's activation (a loss fused with softmax or sigmoid).
   */
  abstract backward(dy: Tensor, needInputGrad: boolean, dyIsPreActivation?: boolean): Tensor | null;

  /** Creates the weights for a per-sample input shape. Called once by the model. */
  build(inputShape: Shape): void {
    this.outputShape = this.computeOutputShape(inputShape);
    this.inputShape = inputShape;
  }

  get built(): boolean {
    return this.inputShape !== null;
  }

  /** The activation applied at the end of the layer, if it has one. */
  get activation(): Activation | null {
    return null;
  }

  /** The input to the activation from the last forward pass (the logits of a softmax layer). */
  get preActivation(): Tensor | null {
    return null;
  }

  /** Weights and their gradients, in Keras order. */
  get weights(): readonly Param[] {
    return this.params;
  }

  get trainableWeights(): Param[] {
    return this.trainable ? this.params.filter((p) => p.trainable) : [];
  }

  /** Copies of the weights, in Keras order and layout. */
  getWeights(): Tensor[] {
    return this.params.map((p) => p.value.clone());
  }

  /** Replaces the weights (copied in), checking count and shapes. */
  setWeights(weights: Tensor[]): void {
    if (weights.length !== this.params.length) {
      throw new ValueError(`${this.name} (${this.className}): setWeights expected ${this.params.length} tensors (${this.params.map((p) => p.name).join(', ')}), got ${weights.length}`);
    }
    weights.forEach((w, i) => {
      const p = this.params[i];
      if (w.shape.length !== p.value.shape.length || w.shape.some((d, k) => d !== p.value.shape[k])) {
        throw this.shapeError(`weight '${p.name}' has shape ${formatShape(p.value.shape)}, got ${formatShape(w.shape)}`);
      }
      p.value.data.set(w.data);
    });
  }

  countParams(): number {
    return this.params.reduce((n, p) => n + p.value.size, 0);
  }

  /** The layer's Keras config (snake_case keys). */
  getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { name: this.name, trainable: this.trainable, dtype: 'float32' };
    if (this.declaredInputShape) config.batch_input_shape = [null, ...this.declaredInputShape];
    return config;
  }

  protected addWeight(name: string, shape: Shape, initializer: Initializer, trainable = true): Param {
    const p = new Param(name, new Tensor(initializer.init(shape), shape), trainable);
    this.params.push(p);
    return p;
  }

  /**
   * A reusable buffer, reallocated only when the requested size changes, so a
   * training loop allocates nothing in its steady state.
   */
  protected buffer(key: string, shape: Shape): Tensor {
    const old = this.buffers.get(key);
    if (old && old.size === sizeOf(shape)) return sameShape(old.shape, shape) ? old : new Tensor(old.data, shape);
    const t = new Tensor(new Float32Array(sizeOf(shape)), shape);
    this.buffers.set(key, t);
    return t;
  }

  /** Throws unless a batch's per-sample shape equals the built input shape. */
  protected checkInput(x: Tensor): void {
    const want = this.inputShape!;
    if (x.shape.length !== want.length + 1 || want.some((d, i) => d !== x.shape[i + 1])) {
      throw this.shapeError(`expected input of shape ${formatShape([null, ...want])}, got ${formatShape(x.shape)}`);
    }
    if (x.dtype !== this.inputDType) {
      const hint = this.inputDType === 'int32' ? '; it takes integer indices, so it must be the first layer'
        : '; only an Embedding layer takes int32 indices (convert other data with bn.cast(x, \'float32\'))';
      throw new ValueError(`${this.name} (${this.className}): expected ${this.inputDType} input, got ${x.dtype}${hint}`);
    }
  }

  protected shapeError(message: string): ShapeError {
    return new ShapeError(`${this.name} (${this.className}): ${message}`);
  }
}

/** Serialises an initializer as Keras does: {class_name, config}. */
export function initializerConfig(init: Initializer): Record<string, unknown> {
  return { class_name: init.className, config: init.config };
}

/**
 * The config fields Keras writes for a layer with a kernel, an optional bias and an
 * activation (Dense, Conv): regularizers and constraints are not supported, so null.
 */
export function kernelBiasConfig(activation: string, useBias: boolean, kernelInitializer: Initializer,
  biasInitializer: Initializer): Record<string, unknown> {
  return {
    activation,
    use_bias: useBias,
    kernel_initializer: initializerConfig(kernelInitializer),
    bias_initializer: initializerConfig(biasInitializer),
    kernel_regularizer: null,
    bias_regularizer: null,
    activity_regularizer: null,
    kernel_constraint: null,
    bias_constraint: null,
  };
}
