import { Activation } from '../activations';
import { Constraint, getConstraint } from '../constraints';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors';
import { Initializer } from '../initializers';
import { LayerCall, CallMode } from '../engine/call';
import { Mask } from '../engine/mask';
import { Node, SymbolicTensor } from '../engine/symbolic';
import { OptionSpec, readOptions } from '../options';
import { Regularizer, RegularizerIdentifier, getRegularizer } from '../regularizers';
import { DType, Shape, Tensor, sameShape } from '../tensor';

/** Arguments every layer accepts (Keras snake_case spellings work too). */
export interface LayerArgs {
  name?: string;
  /** Shape of one sample, without the batch axis. Required on a model's first layer. */
  inputShape?: number[];
  /** Shape with the batch axis first (`null` for any batch size). */
  batchInputShape?: (number | null)[];
  /** Keras 3's name for batchInputShape. */
  batchShape?: (number | null)[];
  trainable?: boolean;
  /** Only float32 layers exist: 'float32' or Keras's DTypePolicy of it. */
  dtype?: string | { config?: { name?: string } };
  /** A penalty on the layer's output, divided by the batch size, added to the loss (Keras 3). */
  activityRegularizer?: RegularizerIdentifier | null;
}

/** Options every layer takes, and the Keras/TF.js layer options blasnet does not implement. */
const LAYER_OPTIONS: OptionSpec = {
  known: ['name', 'inputShape', 'batchInputShape', 'batchShape', 'trainable', 'dtype', 'activityRegularizer'],
  unsupported: { batchSize: null, weights: null, inputDtype: null },
};

/** A layer's options: every layer's, its own, and the Keras options it does not implement (accepted at their defaults). */
export function layerOptions(known: readonly string[], unsupported: Record<string, unknown> = {}): OptionSpec {
  return { known: [...LAYER_OPTIONS.known, ...known], unsupported: { ...LAYER_OPTIONS.unsupported, ...unsupported } };
}

/** The regularizer and constraint options (kernelRegularizer, kernelConstraint, ...) of a layer with these weights. */
export const weightOptionKeys = (...weights: string[]): string[] => weights.flatMap((w) => [`${w}Regularizer`, `${w}Constraint`]);

/**
 * A weight of a layer. It belongs to the layer, whatever models the layer is in: each
 * model call finds its gradient in the call's context, never here.
 */
export class Param {
  /** @param constraint projects the weight after each optimizer update that trains it (Keras's variable.constraint). */
  constructor(readonly name: string, readonly value: Tensor, readonly trainable: boolean, readonly constraint: Constraint | null = null) {}
}

/** A one-off inference call (layer.apply on concrete tensors): no gradients kept. */
const INFERENCE: CallMode = { training: false, recording: false, weightGradient: () => null };

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
  /** Input shapes of every input, fixed by the first build. */
  private builtInputShapes: Shape[] | null = null;
  protected readonly params: Param[] = [];
  /** Weights with a regularizer, whose penalty training adds to the loss. */
  readonly regularized: [Param, Regularizer][] = [];
  /** The penalty of each output of this layer, over the batch size, that training adds to the loss. */
  readonly activityRegularizer: Regularizer | null;
  /** Each application of this layer to symbolic inputs, in order (Keras' _inbound_nodes). */
  readonly inboundNodes: Node[] = [];
  private warnedMaskDropped = false;

  constructor(args: LayerArgs, defaultName: string, options: OptionSpec = LAYER_OPTIONS) {
    const name = (args as { name?: unknown })?.name;
    const a = readOptions<LayerArgs>(args, typeof name === 'string' ? name : defaultName, options);
    this.name = a.name ?? uniqueName(defaultName);
    const dtype = typeof a.dtype === 'object' && a.dtype !== null ? a.dtype.config?.name : a.dtype;
    if (dtype !== undefined && dtype !== null && dtype !== 'float32') {
      throw new ValueError(`${this.name}: dtype ${formatValue(dtype)} is not supported; blasnet layers compute in float32`);
    }
    if (a.batchShape && a.batchInputShape) throw new ValueError(`${this.name}: give batchInputShape or batchShape, not both`);
    a.batchInputShape ??= a.batchShape;
    this.trainable = a.trainable ?? true;
    if (a.inputShape && a.batchInputShape) throw new ValueError(`${this.name}: give inputShape or batchInputShape, not both`);
    const shape = a.inputShape ?? (a.batchInputShape ? a.batchInputShape.slice(1) : null);
    if (shape) {
      if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || (d as number) < 1)) {
        throw new ValueError(`${this.name}: inputShape must be a list of positive integers (no batch axis), got ${formatValue(shape)}`);
      }
    }
    this.declaredInputShape = shape ? (shape as number[]) : null;
    this.activityRegularizer = getRegularizer(a.activityRegularizer, `${this.name}: activityRegularizer`);
  }

  /** The per-sample output shape for a per-sample input shape; throws ShapeError when the input does not fit. */
  abstract computeOutputShape(inputShape: Shape): Shape;

  /**
   * Runs the layer on a batch. The result may be a buffer of `call`, reused by its next
   * forward. Everything backward needs goes into `call`, never onto the layer.
   */
  abstract forward(x: Tensor, call: LayerCall): Tensor;

  /**
   * Back-propagates dy (the gradient of the loss with respect to the output of the
   * forward pass `call` recorded), adding weight gradients where `call.mode` wants them.
   * Returns the input gradient, or null when not needed. May overwrite dy. When
   * dyIsPreActivation is set, dy is already the gradient with respect to the input of
   * the layer's activation (a loss fused with softmax or sigmoid).
   */
  abstract backward(dy: Tensor, call: LayerCall, needInputGrad: boolean, dyIsPreActivation?: boolean): Tensor | null;

  /** How many inputs the layer takes: 1, or [min, max] for merge layers. */
  get inputCount(): [number, number] {
    return [1, 1];
  }

  /** The per-sample output shape for the shapes of all inputs. */
  outputShapeFor(inputShapes: readonly Shape[]): Shape {
    return this.computeOutputShape(inputShapes[0]);
  }

  /** forward over all inputs: merge layers take several. */
  forwardAll(xs: readonly Tensor[], call: LayerCall): Tensor {
    return this.forward(xs[0], call);
  }

  /** backward to all inputs; a null entry where that input's gradient is not needed. */
  backwardAll(dy: Tensor, call: LayerCall, needInputGrads: readonly boolean[], dyIsPreActivation = false): (Tensor | null)[] {
    return [this.backward(dy, call, needInputGrads[0], dyIsPreActivation)];
  }

  /** Creates the weights for per-sample input shapes. Called once, by the first apply or model. */
  build(inputShape: Shape): void {
    this.outputShape = this.computeOutputShape(inputShape);
    this.inputShape = inputShape;
  }

  /** Builds for these input shapes, or checks that they are the ones the layer was built for. */
  buildFor(inputShapes: readonly Shape[]): void {
    const [lo, hi] = this.inputCount;
    if (inputShapes.length < lo || inputShapes.length > hi) {
      const want = lo === hi ? `${lo} input${lo > 1 ? 's' : ''}` : `${lo} to ${hi === Infinity ? 'any number of' : hi} inputs`;
      throw new ValueError(`${this.name} (${this.className}): takes ${want}, got ${inputShapes.length}`);
    }
    // A layer built directly (layer.build, or by a wrapper) counts as built for that one input.
    if (!this.builtInputShapes && this.inputShape !== null && this.inputCount[1] === 1) this.builtInputShapes = [this.inputShape];
    if (this.builtInputShapes) {
      const built = this.builtInputShapes;
      if (built.length !== inputShapes.length || built.some((s, i) => !sameShape(s, inputShapes[i]))) {
        const show = (shapes: readonly Shape[]): string => shapes.map((s) => formatShape([null, ...s])).join(', ');
        throw new ShapeError(`${this.name} (${this.className}) was built for input ${show(built)}, got ${show(inputShapes)}`);
      }
      return;
    }
    if (this.inputCount[1] === 1) this.build(inputShapes[0]);
    else this.buildMany(inputShapes);
    this.builtInputShapes = [...inputShapes];
  }

  /** build for layers of several inputs (merge layers). */
  protected buildMany(inputShapes: readonly Shape[]): void {
    this.outputShape = this.outputShapeFor(inputShapes);
    this.inputShape = inputShapes[0];
  }

  /**
   * Applies the layer. To symbolic tensors (from bn.input or another apply) it records a
   * node of the graph being defined and returns its symbolic output; to tensors it runs
   * the layer in inference mode and returns the result (without masks: an Embedding's
   * maskZero takes effect in a model).
   */
  apply(inputs: SymbolicTensor | readonly SymbolicTensor[]): SymbolicTensor;
  apply(inputs: Tensor | readonly Tensor[]): Tensor;
  apply(inputs: SymbolicTensor | Tensor | readonly (SymbolicTensor | Tensor)[]): SymbolicTensor | Tensor;
  apply(inputs: SymbolicTensor | Tensor | readonly (SymbolicTensor | Tensor)[]): SymbolicTensor | Tensor {
    const list = (Array.isArray(inputs) ? inputs : [inputs]) as (SymbolicTensor | Tensor)[];
    if (list.length === 0) throw new ValueError(`${this.name} (${this.className}).apply: expected an input, got an empty list`);
    if (list.every((x) => x instanceof SymbolicTensor)) return this.applySymbolic(list as SymbolicTensor[]);
    if (list.every((x) => x instanceof Tensor)) {
      const xs = list as Tensor[];
      this.buildFor(xs.map((x) => x.shape.slice(1)));
      return this.forwardAll(xs, new LayerCall(INFERENCE));
    }
    const kinds = list.map((x) => (x instanceof SymbolicTensor ? 'symbolic' : x instanceof Tensor ? 'tensor' : typeof x));
    throw new ValueError(`${this.name} (${this.className}).apply: inputs must be all symbolic (from bn.input or another layer's apply) or all tensors, got ${kinds.join(', ')}`);
  }

  private applySymbolic(inputs: SymbolicTensor[]): SymbolicTensor {
    const shapes = inputs.map((s) => s.shape);
    if (this.inputCount[1] === 1 && this.inputDType !== inputs[0].dtype) {
      const hint = this.inputDType === 'int32'
        ? "; it takes integer indices, so it must be the first layer (of a Sequential model) or read a bn.input of dtype 'int32'"
        : '; only an Embedding layer takes int32 indices';
      throw new ValueError(`${this.name} (${this.className}): expected ${this.inputDType} input, got ${inputs[0].dtype}${hint} (its input comes from ${inputs[0].sourceLayer.name})`);
    }
    const declared = this.declaredInputShape;
    if (declared && this.inputCount[1] === 1 && !sameShape(declared, shapes[0])) {
      throw new ShapeError(`${this.name} (${this.className}) declares inputShape ${formatShape([null, ...declared])} but ${inputs[0].sourceLayer.name} outputs ${formatShape([null, ...shapes[0]])}`);
    }
    this.buildFor(shapes);
    const inputsMasked = inputs.map((t) => t.masked);
    if (!this.supportsMasking && inputsMasked.some((m) => m)) this.warnMaskDropped();
    const masked = this.outputMasked(inputsMasked);
    const node = new Node(this, inputs, [this.outputShapeFor(shapes)], ['float32'], this.inboundNodes.length, masked);
    this.inboundNodes.push(node);
    return node.outputs[0];
  }

  /**
   * Keras's supports_masking: the layer takes masked inputs, and by default passes the
   * first input's mask on to its output unchanged (Dense, Dropout, Activation). A layer
   * that does not (Conv1D, Flatten, pooling) computes over every position, padding
   * included, and its output has no mask: Keras 3's behaviour, with its warning.
   */
  get supportsMasking(): boolean {
    return false;
  }

  /**
   * Whether the output carries a mask, given which inputs do (Keras's compute_mask,
   * decided once when the layer is applied to symbolic tensors). Throws where the
   * layer cannot take masked inputs.
   */
  outputMasked(inputsMasked: readonly boolean[]): boolean {
    return this.supportsMasking && inputsMasked[0];
  }

  /**
   * The output mask of the forward pass `call` just ran (called only where outputMasked
   * said there is one): by default the first input's.
   */
  computeMask(_xs: readonly Tensor[], masks: readonly (Mask | null)[], _call: LayerCall): Mask | null {
    return masks[0];
  }

  private warnMaskDropped(): void {
    if (this.warnedMaskDropped) return;
    this.warnedMaskDropped = true;
    process.emitWarning(`Layer '${this.name}' (of type ${this.className}) was passed an input with a mask attached to it. However, this layer does not support masking and will therefore destroy the mask information. Downstream layers will not see the mask.`,
      { code: 'BLASNET_MASK_DROPPED' });
  }

  get built(): boolean {
    return this.inputShape !== null;
  }

  /** The activation applied at the end of the layer, if it has one. */
  get activation(): Activation | null {
    return null;
  }

  /** The input to the activation in the forward pass `call` recorded (the logits of a softmax layer). */
  preActivation(_call: LayerCall): Tensor | null {
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
    // Keras 3 writes it only when set (layers with weights write null too, as TF.js).
    if (this.activityRegularizer) config.activity_regularizer = this.activityRegularizer.getConfig();
    return config;
  }

  protected addWeight(name: string, shape: Shape, initializer: Initializer, trainable = true, penalties: WeightPenalties | null = null): Param {
    const constraint = penalties?.constraint ?? null;
    constraint?.check(shape, `${this.name} (${this.className}): ${name} constraint`);
    const p = new Param(name, new Tensor(initializer.init(shape), shape), trainable, constraint);
    this.params.push(p);
    if (penalties?.regularizer) this.regularized.push([p, penalties.regularizer]);
    return p;
  }

  /** The `<weight>Regularizer` and `<weight>Constraint` options of these weights, checked. */
  protected penalties<W extends string>(options: object, ...weights: W[]): Record<W, WeightPenalties> {
    const args = options as Record<string, unknown>;
    const where = (key: string): string => `${this.name} (${this.className}): ${key}`;
    const out = {} as Record<W, WeightPenalties>;
    for (const w of weights) {
      out[w] = {
        regularizer: getRegularizer(args[`${w}Regularizer`], where(`${w}Regularizer`)),
        constraint: getConstraint(args[`${w}Constraint`], where(`${w}Constraint`)),
      };
    }
    return out;
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

/** The regularizer and constraint of one weight, as options give them. */
export interface WeightPenalties {
  regularizer: Regularizer | null;
  constraint: Constraint | null;
}

/**
 * The `<weight>_regularizer`, `activity_regularizer` and `<weight>_constraint` fields Keras
 * writes (null where unset), for weights named as in the options (kernel, recurrent, bias).
 * Layers whose TF.js config has no activity_regularizer (BatchNormalization) leave it to
 * Layer.getConfig, which writes it only when set.
 */
export function penaltiesConfig(layer: Layer, weights: Record<string, WeightPenalties>, withActivity = true): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const [w, p] of Object.entries(weights)) config[`${w}_regularizer`] = p.regularizer?.getConfig() ?? null;
  if (withActivity) config.activity_regularizer = layer.activityRegularizer?.getConfig() ?? null;
  for (const [w, p] of Object.entries(weights)) config[`${w}_constraint`] = p.constraint?.getConfig() ?? null;
  return config;
}

/** The config fields Keras writes for a layer with a kernel, an optional bias and an activation (Dense, Conv). */
export function kernelBiasConfig(layer: Layer, activation: string, useBias: boolean, kernelInitializer: Initializer,
  biasInitializer: Initializer, kernel: WeightPenalties, bias: WeightPenalties): Record<string, unknown> {
  return {
    activation,
    use_bias: useBias,
    kernel_initializer: initializerConfig(kernelInitializer),
    bias_initializer: initializerConfig(biasInitializer),
    ...penaltiesConfig(layer, { kernel, bias }),
  };
}
