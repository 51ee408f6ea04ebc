import { Activation, ActivationIdentifier } from '../activations';
import { LayerCall } from '../engine/call';
import { ValueError, formatShape, formatValue } from '../errors';
import { Initializer, InitializerIdentifier, getInitializer } from '../initializers';
import { ConstraintIdentifier } from '../constraints';
import { RegularizerIdentifier } from '../regularizers';
import { camelKeys } from '../names';
import { BatchGeometry, Conv2DGeometry, Pool2DGeometry, geometryByBatchSize, native, packConvGeometry } from '../native';
import { Shape, Tensor } from '../tensor';
import { ActivatedLayer } from './activation-mixin';
import { LayerArgs, Param, WeightPenalties, kernelBiasConfig, layerOptions, weightOptionKeys } from './layer';

export type ConvPadding = 'valid' | 'same' | 'causal';

export interface ConvArgs extends LayerArgs {
  filters: number;
  /** One size for every spatial axis, or one per axis ([kh, kw] for Conv2D). */
  kernelSize: number | number[];
  strides?: number | number[];
  /** 'causal' (Conv1D only) pads the start so no output sees later steps. */
  padding?: ConvPadding;
  /** Only channels-last (NHWC) is supported. */
  dataFormat?: string;
  dilationRate?: number | number[];
  activation?: ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
  kernelConstraint?: ConstraintIdentifier | null;
  biasConstraint?: ConstraintIdentifier | null;
}
export type Conv2DArgs = ConvArgs;
export type Conv1DArgs = ConvArgs;

/** Largest im2col scratch (in floats, 64 MiB) before a batch is split into several GEMMs. */
const COL_BUDGET = 1 << 24;

/** A number or a list of `rank` numbers, each a positive integer, as a list. */
export function normalizeTuple(value: unknown, rank: number, what: string, where: string): number[] {
  const list = typeof value === 'number' ? new Array<number>(rank).fill(value) : value;
  if (!Array.isArray(list) || list.length !== rank || list.some((v) => !Number.isInteger(v) || v < 1)) {
    const form = rank === 1 ? 'a positive integer (or a list of one)' : `a positive integer or a list of ${rank} positive integers`;
    throw new ValueError(`${where}: ${what} must be ${form}, got ${formatValue(value)}`);
  }
  return list as number[];
}

/** Checks data_format: only channels-last layouts are implemented. */
export function checkChannelsLast(dataFormat: unknown, where: string): void {
  if (dataFormat !== undefined && dataFormat !== null && dataFormat !== 'channelsLast' && dataFormat !== 'channels_last') {
    throw new ValueError(`${where}: only dataFormat 'channels_last' (NHWC) is supported, got ${formatValue(dataFormat)}`);
  }
}

/** TensorFlow's output length along one axis; <= 0 when a 'valid' window does not fit. */
export function convOutputLength(input: number, kernel: number, stride: number, dilation: number, padding: ConvPadding): number {
  const span = (kernel - 1) * dilation + 1;
  return padding === 'valid' ? Math.floor((input - span) / stride) + 1 : Math.ceil(input / stride);
}

/** What a convolution's forward keeps for its backward. */
interface ConvSaved {
  x: Tensor;
  geom: BatchGeometry<Conv2DGeometry>;
  col: Float32Array | null;
  colSamples: number;
  /** Set by a recorded forwardPooled: the pooling geometry and each max's window cell. */
  poolGeom: BatchGeometry<Pool2DGeometry> | null;
  argmax?: Uint8Array;
}

/** What forwardPooled needs to know of the max pooling after a convolution. */
export interface MaxPoolStage {
  readonly outputShape: Shape | null;
  geometry(N: number): BatchGeometry<Pool2DGeometry>;
}

/**
 * Convolution over channels-last inputs: direct kernels for few input channels,
 * else im2col + one GEMM per batch (split only when the column scratch would pass
 * COL_BUDGET). Linear and relu activations run inside the kernels. Conv1D runs
 * the Conv2D kernel with a height of 1: its [k, in, filters] kernel is the same memory.
 * A model may also run a convolution together with the max pooling after it
 * (forwardPooled, see Graph.planSteps in engine/graph.ts), which never stores the convolution's output.
 */
export abstract class Conv extends ActivatedLayer {
  readonly filters: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly dilationRate: number[];
  readonly padding: ConvPadding;
  readonly useBias: boolean;
  private readonly kernelInitializer: Initializer;
  private readonly biasInitializer: Initializer;
  private readonly penalty: Record<'kernel' | 'bias', WeightPenalties>;
  private kernel!: Param;
  private bias: Param | null = null;
  /** The geometry of the built input for a batch size (the last one memoised). */
  private batchGeometry!: (N: number) => BatchGeometry<Conv2DGeometry>;
  /** Whether the kernels take the im2col path (many input channels), which needs col scratch. */
  private needsCol = false;

  constructor(args: ConvArgs, private readonly rank: 1 | 2, kind: string, defaultName: string) {
    const a = camelKeys(args ?? ({} as ConvArgs));
    super(args, defaultName, layerOptions(['filters', 'kernelSize', 'strides', 'padding', 'dataFormat', 'dilationRate', 'activation',
      'useBias', 'kernelInitializer', 'biasInitializer', ...weightOptionKeys('kernel', 'bias')], { groups: 1, loraRank: null }));
    const where = `${this.name} (${kind})`;
    if (!Number.isInteger(a.filters) || a.filters < 1) {
      throw new ValueError(`${where}: filters must be a positive integer, got ${formatValue(a.filters)}`);
    }
    this.filters = a.filters;
    this.kernelSize = normalizeTuple(a.kernelSize, rank, 'kernelSize', where);
    this.strides = normalizeTuple(a.strides ?? 1, rank, 'strides', where);
    this.dilationRate = normalizeTuple(a.dilationRate ?? 1, rank, 'dilationRate', where);
    const padding = a.padding ?? 'valid';
    const paddings = rank === 1 ? ['valid', 'same', 'causal'] : ['valid', 'same'];
    if (!paddings.includes(padding)) {
      throw new ValueError(`${where}: padding must be one of ${paddings.map((p) => `'${p}'`).join(', ')}, got ${formatValue(a.padding)}`);
    }
    this.padding = padding;
    // Keras rejects this combination; matching it keeps models portable.
    if (this.strides.some((s) => s > 1) && this.dilationRate.some((d) => d > 1)) {
      throw new ValueError(`${where}: strides > 1 cannot be combined with dilationRate > 1 (as in Keras), got strides ${formatValue(this.strides)} and dilationRate ${formatValue(this.dilationRate)}`);
    }
    checkChannelsLast(a.dataFormat, where);
    this.act = new Activation(a.activation, where);
    this.useBias = a.useBias ?? true;
    this.kernelInitializer = getInitializer(a.kernelInitializer ?? 'glorotUniform', this.name);
    this.biasInitializer = getInitializer(a.biasInitializer ?? 'zeros', this.name);
    this.penalty = this.penalties(a, 'kernel', 'bias');
  }

  computeOutputShape(inputShape: Shape): Shape {
    const expected = this.rank === 2 ? '[null, height, width, channels]' : '[null, steps, channels]';
    if (inputShape.length !== this.rank + 1) {
      throw this.shapeError(`expected input of shape ${expected}, got ${formatShape([null, ...inputShape])}`);
    }
    const axes = this.rank === 2 ? ['height', 'width'] : ['steps'];
    const out = this.kernelSize.map((k, i) => {
      const length = convOutputLength(inputShape[i], k, this.strides[i], this.dilationRate[i], this.padding);
      if (length <= 0) {
        const d = this.dilationRate[i];
        const kernel = d > 1 ? `${k} (spanning ${(k - 1) * d + 1} with dilation ${d})` : String(k);
        throw this.shapeError(`kernel ${axes[i]} ${kernel} is larger than the input ${axes[i]} ${inputShape[i]} with padding 'valid' (input ${formatShape([null, ...inputShape])})`);
      }
      return length;
    });
    return [...out, this.filters];
  }

  override build(inputShape: Shape): void {
    super.build(inputShape);
    const channels = inputShape[inputShape.length - 1];
    this.kernel = this.addWeight('kernel', [...this.kernelSize, channels, this.filters], this.kernelInitializer, true, this.penalty.kernel);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], this.biasInitializer, true, this.penalty.bias);
    // Conv1D is a Conv2D of height 1.
    const [H, W] = this.rank === 2 ? inputShape : [1, inputShape[0]];
    const [OH, OW] = this.rank === 2 ? this.outputShape! : [1, this.outputShape![0]];
    const twoD = (v: number[]): number[] => (this.rank === 2 ? v : [1, v[0]]);
    const [KH, KW] = twoD(this.kernelSize), [SH, SW] = twoD(this.strides), [DH, DW] = twoD(this.dilationRate);
    this.batchGeometry = geometryByBatchSize<Conv2DGeometry>(
      { H, W, C: channels, OC: this.filters, KH, KW, SH, SW, DH, DW, OH, OW, padding: this.padding }, packConvGeometry);
    this.needsCol = native.conv2dNeedsCol(this.geometry(1).packed);
  }

  /** The native geometry for a batch of N samples. */
  geometry(N: number): BatchGeometry<Conv2DGeometry> {
    return this.batchGeometry(N);
  }

  forward(x: Tensor, call: LayerCall): Tensor {
    this.checkInput(x);
    const batchGeom = this.geometry(x.shape[0]), g = batchGeom.geom;
    const pixels = g.OH * g.OW, K = g.KH * g.KW * g.C;
    let colSamples = 1, col: Float32Array | null = null;
    if (this.needsCol) {
      colSamples = Math.max(1, Math.min(g.N, Math.floor(COL_BUDGET / (pixels * K))));
      col = call.buffer('col', [colSamples * pixels * K]).data as Float32Array;
    }
    const fused = this.act.fusable;
    const z = call.buffer('z', [g.N, ...this.outputShape!]);
    native.conv2dForward(z.data as Float32Array, col, x.data as Float32Array, this.kernel.value.data as Float32Array,
      (this.bias?.value.data as Float32Array) ?? null, batchGeom.packed, colSamples, fused ? this.act.id : 0);
    const saved = call.saved as unknown as ConvSaved;
    saved.x = x;
    saved.geom = batchGeom;
    saved.col = col;
    saved.colSamples = colSamples;
    saved.poolGeom = null;
    return fused ? this.activated(z, call) : this.activate(z, call);
  }

  backward(dy: Tensor, call: LayerCall, needInputGrad: boolean, dyIsPreActivation = false): Tensor | null {
    // A fused relu is undone inside the kernel, from the output (relu' > 0 exactly where y > 0).
    const fused = this.act.fusable && !dyIsPreActivation;
    const dz = fused ? dy : this.activationGrad(dy, call, dyIsPreActivation);
    const s = call.saved as unknown as ConvSaved;
    const dx = needInputGrad ? call.buffer('dx', s.x.shape) : null;
    native.conv2dBackward((dx?.data as Float32Array) ?? null, call.gradient(this.kernel), call.gradient(this.bias), dz.data as Float32Array,
      s.x.data as Float32Array, this.kernel.value.data as Float32Array, fused ? (this.output(call).data as Float32Array) : null,
      s.col, s.geom.packed, s.colSamples, fused ? this.act.id : 0);
    return dx;
  }

  /**
   * Whether forwardPooled can run this layer with a max pooling of its output: few
   * input channels, a linear or relu activation, non-overlapping windows inside the output.
   */
  fusesWithMaxPool(pool: MaxPoolStage): boolean {
    return this.built && this.act.fusable && native.conv2dMaxPoolFusable(this.geometry(1).packed, pool.geometry(1).packed);
  }

  /**
   * pool.forward(this.forward(x)) in one pass that never stores the convolution's output
   * (relu and max commute, so the window maxima are taken as the outputs are computed).
   * Weights and results are those of the two layers; backwardPooled continues from it.
   */
  forwardPooled(x: Tensor, pool: MaxPoolStage, call: LayerCall): Tensor {
    this.checkInput(x);
    const g = this.geometry(x.shape[0]), pg = pool.geometry(x.shape[0]);
    const out = call.buffer('pooled', [x.shape[0], ...pool.outputShape!]);
    let argmax = call.saved.argmax as Uint8Array | undefined;
    if (call.recording && argmax?.length !== out.size) argmax = new Uint8Array(out.size);
    native.conv2dMaxPoolForward(out.data as Float32Array, call.recording ? argmax! : null, x.data as Float32Array,
      this.kernel.value.data as Float32Array, (this.bias?.value.data as Float32Array) ?? null, g.packed, pg.packed, this.act.id);
    const saved = call.saved as unknown as ConvSaved;
    saved.x = x;
    saved.geom = g;
    saved.argmax = argmax;
    saved.poolGeom = call.recording ? pg : null;
    return out;
  }

  /** The backward pass of the forwardPooled `call` recorded, from the pooled gradient. */
  backwardPooled(dy: Tensor, call: LayerCall, needInputGrad: boolean): Tensor | null {
    const s = call.saved as unknown as ConvSaved;
    if (!s.poolGeom) throw new ValueError(`${this.name} (${this.className}): backwardPooled needs a recorded forwardPooled first`);
    const dx = needInputGrad ? call.buffer('dx', s.x.shape) : null;
    native.conv2dMaxPoolBackward((dx?.data as Float32Array) ?? null, call.gradient(this.kernel), call.gradient(this.bias),
      dy.data as Float32Array, s.argmax!, s.x.data as Float32Array, this.kernel.value.data as Float32Array,
      s.geom.packed, s.poolGeom.packed);
    return dx;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernel_size: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      data_format: 'channels_last',
      dilation_rate: [...this.dilationRate],
      groups: 1,
      ...kernelBiasConfig(this, this.act.name, this.useBias, this.kernelInitializer, this.biasInitializer, this.penalty.kernel, this.penalty.bias),
    };
  }
}

/** 2-D convolution over [height, width, channels] inputs; kernel [kh, kw, in, filters], then bias [filters]. */
export class Conv2D extends Conv {
  readonly className = 'Conv2D';

  constructor(args: Conv2DArgs) {
    super(args, 2, 'Conv2D', 'conv2d');
  }
}

/** 1-D convolution over [steps, channels] inputs; kernel [k, in, filters], then bias [filters]. */
export class Conv1D extends Conv {
  readonly className = 'Conv1D';

  constructor(args: Conv1DArgs) {
    super(args, 1, 'Conv1D', 'conv1d');
  }
}
