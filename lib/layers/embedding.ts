import { LayerCall } from '../engine/call';
import { ValueError, formatShape } from '../errors';
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
  /** Only false: masks are not carried through the layers yet, so true is refused rather than ignored. */
  maskZero?: false;
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
  /** Always false (see EmbeddingArgs.maskZero). */
  readonly maskZero = false;
  readonly inputLength: number | number[] | null;
  private readonly embeddingsInitializer: Initializer;
  private readonly penalty: Record<'embeddings', WeightPenalties>;
  private embeddings!: Param;

  constructor(args: EmbeddingArgs) {
    const a = camelKeys(args ?? ({} as EmbeddingArgs));
    const inputLength = a.inputLength ?? null;
    const shapeFromLength = inputLength !== null && !a.inputShape && !a.batchInputShape;
    super(shapeFromLength ? { ...args, inputShape: ([] as number[]).concat(inputLength) } : args, 'embedding',
      layerOptions(['inputDim', 'outputDim', 'embeddingsInitializer', 'inputLength', ...weightOptionKeys('embeddings')],
        // Masks are not carried through the layers yet: index 0 would be embedded and computed like any other.
        { maskZero: false, sparse: false, loraRank: null, quantizationConfig: null }));
    const where = `${this.name} (Embedding)`;
    for (const key of ['inputDim', 'outputDim'] as const) {
      if (!Number.isInteger(a[key]) || a[key] < 1) throw new ValueError(`${where}: ${key} must be a positive integer, got ${JSON.stringify(a[key])}`);
    }
    const lengths = ([] as unknown[]).concat(inputLength ?? []);
    if (lengths.some((d) => !Number.isInteger(d) || (d as number) < 1)) {
      throw new ValueError(`${where}: inputLength must be a positive integer (or a list of them), got ${JSON.stringify(inputLength)}`);
    }
    const declared = this.declaredInputShape;
    if (lengths.length > 0 && declared && (declared.length !== lengths.length || lengths.some((d, i) => d !== declared[i]))) {
      throw new ValueError(`${where}: inputLength ${JSON.stringify(inputLength)} disagrees with inputShape ${formatShape(declared)}`);
    }
    this.inputDim = a.inputDim;
    this.outputDim = a.outputDim;
    this.inputLength = inputLength;
    this.embeddingsInitializer = getInitializer(a.embeddingsInitializer ?? 'randomUniform', this.name);
    this.penalty = this.penalties(a, 'embeddings');
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
