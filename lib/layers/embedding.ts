import { LayerCall } from '../engine/call';
import { Mask } from '../engine/mask';
import { ValueError, formatShape, formatValue } from '../errors';
import { Initializer, InitializerIdentifier, getInitializer } from '../initializers';
import { ConstraintIdentifier } from '../constraints';
import { RegularizerIdentifier } from '../regularizers';
import { camelKeys } from '../names';
import { native } from '../native';
import { DType, Shape, Tensor, sizeOf } from '../tensor';
import { Layer, LayerArgs, Param, WeightPenalties, initializerConfig, layerOptions, penaltiesConfig, weightOptionKeys } from './layer';

export interface EmbeddingArgs extends LayerArgs {
  /** Vocabulary size: indices must lie in [0, inputDim). */
  inputDim: number;
  /** Length of each embedding vector. */
  outputDim: number;
  /** Defaults to RandomUniform(-0.05, 0.05), as in Keras. */
  embeddingsInitializer?: InitializerIdentifier;
  embeddingsRegularizer?: RegularizerIdentifier | null;
  embeddingsConstraint?: ConstraintIdentifier | null;
  /** Length of the index sequences; gives the input shape [inputLength] when inputShape is not set. */
  inputLength?: number | number[] | null;
  /**
   * Index 0 is padding (Keras default false): the output carries a mask, 0 where the index
   * is 0, which recurrent layers, GlobalAveragePooling1D and the loss use to skip those
   * positions. inputDim must then leave room for index 0.
   */
  maskZero?: boolean;
}

/**
 * Turns integer indices into dense vectors: out[..., :] = embeddings[index], with embeddings
 * [inputDim, outputDim]. Takes int32 index tensors (a model converts float32 integers once per
 * call), so it is a model's first layer. The gradient scatter-adds into the rows that were used.
 */
export class Embedding extends Layer {
  readonly className = 'Embedding';
  override readonly inputDType: DType = 'int32';
  readonly inputDim: number;
  readonly outputDim: number;
  readonly maskZero: boolean;
  readonly inputLength: number | number[] | null;
  private readonly embeddingsInitializer: Initializer;
  private readonly penalty: Record<'embeddings', WeightPenalties>;
  private embeddings!: Param;

  constructor(args: EmbeddingArgs) {
    const a = camelKeys(args ?? ({} as EmbeddingArgs));
    const inputLength = a.inputLength ?? null;
    const shapeFromLength = inputLength !== null && !a.inputShape && !a.batchInputShape;
    super(shapeFromLength ? { ...args, inputShape: ([] as number[]).concat(inputLength) } : args, 'embedding',
      layerOptions(['inputDim', 'outputDim', 'embeddingsInitializer', 'inputLength', 'maskZero', ...weightOptionKeys('embeddings')],
        { sparse: false, loraRank: null, quantizationConfig: null }));
    const where = `${this.name} (Embedding)`;
    for (const key of ['inputDim', 'outputDim'] as const) {
      if (!Number.isInteger(a[key]) || a[key] < 1) throw new ValueError(`${where}: ${key} must be a positive integer, got ${formatValue(a[key])}`);
    }
    const lengths = ([] as unknown[]).concat(inputLength ?? []);
    if (lengths.some((d) => !Number.isInteger(d) || (d as number) < 1)) {
      throw new ValueError(`${where}: inputLength must be a positive integer (or a list of them), got ${formatValue(inputLength)}`);
    }
    const declared = this.declaredInputShape;
    if (lengths.length > 0 && declared && (declared.length !== lengths.length || lengths.some((d, i) => d !== declared[i]))) {
      throw new ValueError(`${where}: inputLength ${formatValue(inputLength)} disagrees with inputShape ${formatShape(declared)}`);
    }
    if (a.maskZero !== undefined && a.maskZero !== null && typeof a.maskZero !== 'boolean') {
      throw new ValueError(`${where}: maskZero must be true or false, got ${formatValue(a.maskZero)}`);
    }
    this.maskZero = a.maskZero ?? false;
    this.inputDim = a.inputDim;
    this.outputDim = a.outputDim;
    this.inputLength = inputLength;
    this.embeddingsInitializer = getInitializer(a.embeddingsInitializer ?? 'randomUniform', this.name);
    this.penalty = this.penalties(a, 'embeddings');
  }

  /** With maskZero the layer makes a mask (Keras sets supports_masking = mask_zero). */
  override get supportsMasking(): boolean {
    return this.maskZero;
  }

  override outputMasked(): boolean {
    return this.maskZero;
  }

  /** indices != 0, as Keras's compute_mask. */
  override computeMask(xs: readonly Tensor[], _masks: readonly (Mask | null)[], call: LayerCall): Mask {
    const x = xs[0];
    const mask = call.maskBuffer('mask', x.shape);
    const idx = x.data, m = mask.data;
    for (let i = 0; i < m.length; i++) m[i] = idx[i] !== 0 ? 1 : 0;
    return mask;
  }

  computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape, this.outputDim];
  }

  override build(inputShape: Shape): void {
    super.build(inputShape);
    this.embeddings = this.addWeight('embeddings', [this.inputDim, this.outputDim], this.embeddingsInitializer, true, this.penalty.embeddings);
  }

  forward(x: Tensor, call: LayerCall): Tensor {
    this.checkInput(x);
    this.checkIndices(x);
    call.saved.indices = x;
    const [N, L] = this.dims(x);
    const out = call.buffer('out', [...x.shape, this.outputDim]);
    native.embeddingForward(out.data as Float32Array, x.data as Int32Array, this.embeddings.value.data as Float32Array,
      N, L, this.inputDim, this.outputDim);
    return out;
  }

  /** Indices have no gradient, so this only accumulates into the embeddings. */
  backward(dy: Tensor, call: LayerCall, _needInputGrad: boolean): Tensor | null {
    const dtable = call.gradient(this.embeddings);
    if (!dtable) return null;
    const x = call.saved.indices as Tensor;
    const [N, L] = this.dims(x);
    native.embeddingBackward(dtable, dy.data as Float32Array, x.data as Int32Array, N, L, this.inputDim, this.outputDim);
    return null;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      input_dim: this.inputDim,
      output_dim: this.outputDim,
      embeddings_initializer: initializerConfig(this.embeddingsInitializer),
      ...penaltiesConfig(this, this.penalty),
      mask_zero: this.maskZero,
      input_length: this.inputLength,
    };
  }

  /** The batch size and the index positions per sample. */
  private dims(x: Tensor): [number, number] {
    return [x.shape[0], sizeOf(x.shape.slice(1))];
  }

  /** Names the first index outside the vocabulary by its position in the batch. */
  private checkIndices(x: Tensor): void {
    const bad = x.data.findIndex((i) => i < 0 || i >= this.inputDim);
    if (bad < 0) return;
    const position: number[] = [];
    for (let axis = x.shape.length - 1, rest = bad; axis >= 0; axis--) {
      position.unshift(rest % x.shape[axis]);
      rest = Math.floor(rest / x.shape[axis]);
    }
    throw new RangeError(`${this.name} (Embedding): index ${x.data[bad]} at [${position.join(', ')}] is outside [0, ${this.inputDim})`);
  }
}
