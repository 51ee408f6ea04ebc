import { Activation, ActivationIdentifier } from '../activations';
import { LayerCall } from '../engine/call';
import { Mask, checkMask } from '../engine/mask';
import { ValueError, formatShape, formatValue } from '../errors';
import { Initializer, InitializerIdentifier, getInitializer } from '../initializers';
import { ConstraintIdentifier } from '../constraints';
import { RegularizerIdentifier } from '../regularizers';
import { camelKeys } from '../names';
import { RnnGeometry, native } from '../native';
import { random, seededRandom } from '../random';
import { Shape, Tensor, sizeOf } from '../tensor';
import { Layer, LayerArgs, Param, WeightPenalties, initializerConfig, layerOptions, penaltiesConfig, weightOptionKeys } from './layer';

/** Arguments shared by LSTM and GRU (Keras 3 defaults). */
export interface RecurrentArgs extends LayerArgs {
  units: number;
  /** Applied to the candidate and the output state. Default 'tanh'. */
  activation?: ActivationIdentifier;
  /** Applied to the gates. Default 'sigmoid' (TensorFlow.js defaults to 'hardSigmoid'). */
  recurrentActivation?: ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  recurrentInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  recurrentRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
  kernelConstraint?: ConstraintIdentifier | null;
  recurrentConstraint?: ConstraintIdentifier | null;
  biasConstraint?: ConstraintIdentifier | null;
  /** Output every timestep ([timesteps, units]) instead of the last one ([units]). */
  returnSequences?: boolean;
  /** Also return the final states: Keras accepts it, but a Sequential model takes one output. */
  returnState?: boolean;
  /** Read the sequence last to first; the returned sequence is in that (reversed) order, as in Keras. */
  goBackwards?: boolean;
  /** Only false is supported. */
  stateful?: boolean;
  /** Accepted for Keras compatibility; the result is the same either way. */
  unroll?: boolean;
  /** Fraction of the input features to drop while training, in [0, 1): one mask per sequence, the same at every step. */
  dropout?: number;
  /** Fraction of the previous output to drop in the recurrent products while training, in [0, 1): one mask per gate and sequence. */
  recurrentDropout?: number;
  /** Seeds the dropout masks with a generator of the layer's own; otherwise the one bn.setSeed seeds is used. */
  seed?: number | null;
  /** Keras' 1 or 2: the same values, except that 1 (forced by recurrentDropout) draws an input dropout mask per gate. */
  implementation?: number;
  /**
   * With a mask (an Embedding with maskZero), give 0 at masked steps instead of the
   * previous step's output (Keras default false; Bidirectional sets it to returnSequences).
   */
  zeroOutputForMask?: boolean;
}

export interface LSTMArgs extends RecurrentArgs {
  /** Start the forget gate's bias at 1 (Keras default true). */
  unitForgetBias?: boolean;
}

export interface GRUArgs extends RecurrentArgs {
  /** Apply the reset gate after the recurrent matrix product (Keras 3 default true, bias [2, 3*units]); false is the TensorFlow.js GRU (bias [3*units]). */
  resetAfter?: boolean;
}

type Cell = 'lstm' | 'gru';

/** The dropout masks of a training call: input masks 0, 1 (all gates) or one per gate; recurrent masks or not. */
export interface RnnDropoutShape {
  inputMasks: number;
  recurrent: boolean;
}

/**
 * Float counts of the caller-owned buffers of the recurrent kernels; mirrors kernels.h (lstm_cache_size etc.,
 * with rnn_dropout_cache_size and rnn_dropout_scratch_size when the call has dropout masks).
 */
export function rnnBufferSizes(cell: Cell, g: { N: number; T: number; I: number; U: number }, dropout: RnnDropoutShape | null = null): { cache: number; scratch: number } {
  const { N, T, I, U } = g;
  const sizes = cell === 'lstm'
    ? { cache: T * N * (I + 11 * U), scratch: 4 * U * (T * N + I + U) + 2 * N * U }
    : { cache: T * N * (I + 10 * U), scratch: 3 * U * (2 * T * N + I + U) + 2 * N * U };
  if (dropout && (dropout.inputMasks > 0 || dropout.recurrent)) {
    const gates = cell === 'lstm' ? 4 : 3;
    sizes.cache += T * N * (dropout.inputMasks * I + (dropout.recurrent ? gates * U : 0));
    sizes.scratch += N * (I + U);
  }
  return sizes;
}

/** A training call's dropout masks (values 0 or 1/(1-rate)): input [inputMasks, N, I], recurrent [gates, N, U]. */
export interface RnnDropoutMasks {
  input: Float32Array | null;
  recurrent: Float32Array | null;
}

const f32 = (t: Tensor): Float32Array => t.data as Float32Array;

/**
 * The part of LSTM and GRU that does not depend on the cell: config, rank checks,
 * weights [kernel, recurrent_kernel, bias] and the calls into the native kernels.
 */
export abstract class Recurrent extends Layer {
  readonly units: number;
  readonly useBias: boolean;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly zeroOutputForMask: boolean;
  protected readonly cellActivation: Activation;
  protected readonly gateActivation: Activation;
  protected readonly kernelInitializer: Initializer;
  protected readonly recurrentInitializer: Initializer;
  protected readonly biasInitializer: Initializer;
  private readonly penalty: Record<'kernel' | 'recurrent' | 'bias', WeightPenalties>;
  private readonly unroll: boolean;
  private readonly implementation: number;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly seed: number | null;
  private readonly generator: { uniform(): number };
  /**
   * Internal (tests): gives the masks of each training call instead of drawing them, so that a
   * Keras golden can run with Keras's masks. Called with the batch size and the input features.
   */
  dropoutMaskSource: ((N: number, I: number) => RnnDropoutMasks) | null = null;
  /** The constructor arguments, so Bidirectional can build copies. */
  private readonly args: RecurrentArgs;
  private kernel!: Param;
  private recurrentKernel!: Param;
  private bias: Param | null = null;

  protected abstract readonly cell: Cell;
  /** Gate blocks per weight matrix: 4 for LSTM, 3 for GRU. */
  protected abstract readonly gates: number;

  constructor(args: RecurrentArgs, defaultName: string, className: string, cellOptions: string[]) {
    const a = camelKeys(args ?? ({} as RecurrentArgs));
    super(args, defaultName, layerOptions(['units', 'activation', 'recurrentActivation', 'useBias', 'kernelInitializer',
      'recurrentInitializer', 'biasInitializer', 'returnSequences', 'returnState', 'goBackwards', 'stateful', 'unroll', 'dropout',
      // useCudnn only picks a GPU kernel: it does not change what is computed.
      'recurrentDropout', 'implementation', 'seed', 'useCudnn', 'zeroOutputForMask', ...weightOptionKeys('kernel', 'recurrent', 'bias'),
      ...cellOptions],
    { timeMajor: false }));
    const where = `${this.name} (${className})`;
    this.args = a;
    if (!Number.isInteger(a.units) || a.units < 1) {
      throw new ValueError(`${where}: units must be a positive integer, got ${formatValue(a.units)}`);
    }
    this.units = a.units;
    this.cellActivation = elementwise(a.activation ?? 'tanh', 'activation', where);
    this.gateActivation = elementwise(a.recurrentActivation ?? 'sigmoid', 'recurrentActivation', where);
    this.useBias = a.useBias ?? true;
    this.kernelInitializer = getInitializer(a.kernelInitializer ?? 'glorotUniform', this.name);
    this.recurrentInitializer = getInitializer(a.recurrentInitializer ?? 'orthogonal', this.name);
    this.biasInitializer = getInitializer(a.biasInitializer ?? 'zeros', this.name);
    this.penalty = this.penalties(a, 'kernel', 'recurrent', 'bias');
    this.returnSequences = a.returnSequences ?? false;
    this.returnState = a.returnState ?? false;
    this.goBackwards = a.goBackwards ?? false;
    this.zeroOutputForMask = a.zeroOutputForMask ?? false;
    this.unroll = a.unroll ?? false;
    this.implementation = a.implementation ?? 2;
    if (a.stateful) throw new ValueError(`${where}: stateful: true is not supported; each batch starts from zero states`);
    const rate = (key: 'dropout' | 'recurrentDropout'): number => {
      const v = a[key] ?? 0;
      if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new ValueError(`${where}: ${key} must be a number in [0, 1), got ${formatValue(v)}`);
      return v;
    };
    this.dropout = rate('dropout');
    this.recurrentDropout = rate('recurrentDropout');
    if (a.seed !== undefined && a.seed !== null && (typeof a.seed !== 'number' || !Number.isFinite(a.seed))) {
      throw new ValueError(`${where}: seed must be a finite number or null, got ${formatValue(a.seed)}`);
    }
    this.seed = a.seed ?? null;
    this.generator = this.seed === null ? random : seededRandom(this.seed);
    if (this.implementation !== 1 && this.implementation !== 2) {
      throw new ValueError(`${where}: implementation must be 1 or 2, got ${formatValue(a.implementation)}`);
    }
  }

  /**
   * Why a per-sample input shape does not fit a recurrent layer, with the fix to put
   * before `where` (the layer), or null. Shared with Bidirectional so its errors name the wrapper.
   */
  static inputShapeProblem(inputShape: Shape, where = 'it'): string | null {
    if (inputShape.length === 2) return null;
    const got = `expected input of shape [null, timesteps, features], got ${formatShape([null, ...inputShape])}.`;
    if (inputShape.length > 2) {
      const target = [inputShape[0], sizeOf(inputShape.slice(1))];
      return `${got} Add bn.layers.reshape({targetShape: ${formatShape(target)}}) (or timeDistributed(flatten())) before ${where}.`;
    }
    if (inputShape.length === 1) {
      return `${got} Add bn.layers.reshape({targetShape: [${inputShape[0]}, 1]}) before ${where} to read ${inputShape[0]} timesteps of 1 feature.`;
    }
    return got;
  }

  /** Why returnState: true cannot be used in a Sequential model; shared with Bidirectional. */
  static readonly returnStateProblem =
    'would give several outputs (the output and the final states), but blasnet layers give one output each (in Sequential and functional models); remove returnState';

  computeOutputShape(inputShape: Shape): Shape {
    const problem = Recurrent.inputShapeProblem(inputShape);
    if (problem) throw this.shapeError(problem);
    if (this.returnState) throw this.shapeError(`returnState: true ${Recurrent.returnStateProblem}`);
    return this.returnSequences ? [inputShape[0], this.units] : [this.units];
  }

  override build(inputShape: Shape): void {
    super.build(inputShape);
    const G = this.gates * this.units;
    this.kernel = this.addWeight('kernel', [inputShape[1], G], this.kernelInitializer, true, this.penalty.kernel);
    this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, G], this.recurrentInitializer, true, this.penalty.recurrent);
    if (this.useBias) this.bias = this.addWeight('bias', this.biasShape(), this.biasInit(), true, this.penalty.bias);
  }

  /** Keras's RNN takes a mask and passes it on with returnSequences (unchanged, whatever the direction). */
  override get supportsMasking(): boolean {
    return true;
  }

  override outputMasked(inputsMasked: readonly boolean[]): boolean {
    return this.returnSequences && inputsMasked[0];
  }

  /**
   * Steps whose mask is 0 are skipped as Keras skips them (kernels.h): the states carry
   * over and the output there is the previous step's (0 with zeroOutputForMask).
   */
  forward(x: Tensor, call: LayerCall): Tensor {
    this.checkInput(x);
    const [N, T, I] = x.shape;
    const mask = call.mask;
    if (mask) checkMask(mask, x.shape, `${this.name} (${this.className})`);
    const g = this.geometry(N, T, I);
    const masks = call.training ? this.dropoutMasks(N, I, call) : null;
    const sizes = rnnBufferSizes(this.cell, g, masks && this.dropoutShape(masks, N, I));
    const out = call.buffer('out', this.returnSequences ? [N, T, this.units] : [N, this.units]);
    const cache = call.buffer('cache', [sizes.cache]);
    call.saved.cache = cache;
    call.saved.geom = g;
    call.saved.masks = masks;
    call.saved.stepMask = mask;
    const run = this.cell === 'lstm' ? native.lstmForward : native.gruForward;
    const args = [f32(out), f32(cache), f32(x), f32(this.kernel.value), f32(this.recurrentKernel.value),
      this.bias ? f32(this.bias.value) : null, g] as const;
    run(...args, masks?.input ?? null, masks?.recurrent ?? null, mask?.data ?? null);
    if (mask && this.zeroOutputForMask) this.zeroMaskedOutputs(out, mask, g);
    return out;
  }

  backward(dy: Tensor, call: LayerCall, needInputGrad: boolean): Tensor | null {
    const g = call.saved.geom as RnnGeometry;
    const masks = call.saved.masks as RnnDropoutMasks | null;
    const mask = call.saved.stepMask as Mask | null;
    // A zeroed output is a constant: its gradient goes nowhere.
    if (mask && this.zeroOutputForMask) this.zeroMaskedOutputs(dy, mask, g);
    const scratch = call.buffer('scratch', [rnnBufferSizes(this.cell, g, masks && this.dropoutShape(masks, g.N, g.I)).scratch]);
    const dx = needInputGrad ? call.buffer('dx', [g.N, g.T, g.I]) : null;
    const run = this.cell === 'lstm' ? native.lstmBackward : native.gruBackward;
    const args = [dx ? f32(dx) : null, call.gradient(this.kernel), call.gradient(this.recurrentKernel), call.gradient(this.bias),
      f32(scratch), f32(dy), f32(call.saved.cache as Tensor), f32(this.kernel.value), f32(this.recurrentKernel.value), g] as const;
    run(...args, masks?.input ?? null, masks?.recurrent ?? null, mask?.data ?? null);
    return dx;
  }

  /**
   * Zeroes the rows of out ([N,T,U], or [N,U]: the last step) at masked steps, as Keras's
   * zero_output_for_mask: output step s is input timestep s, or T-1-s going backwards.
   */
  private zeroMaskedOutputs(out: Tensor, mask: Mask, g: RnnGeometry): void {
    const { N, T, U } = g, m = mask.data, o = out.data;
    const timestep = (s: number): number => (g.goBackwards ? T - 1 - s : s);
    for (let n = 0; n < N; n++) {
      if (!this.returnSequences) {
        if (!m[n * T + timestep(T - 1)]) o.fill(0, n * U, (n + 1) * U);
        continue;
      }
      for (let s = 0; s < T; s++) if (!m[n * T + timestep(s)]) o.fill(0, (n * T + s) * U, (n * T + s + 1) * U);
    }
  }

  /**
   * The masks of a training call, or null without dropout. As Keras' DropoutRNNCell: drawn once per
   * call and kept for every step; one input mask for all gates, except with implementation 1 (which
   * recurrentDropout forces in Keras) one per gate; one recurrent mask per gate.
   */
  private dropoutMasks(N: number, I: number, call: LayerCall): RnnDropoutMasks | null {
    if (this.dropout === 0 && this.recurrentDropout === 0) return null;
    if (this.dropoutMaskSource) return this.dropoutMaskSource(N, I);
    const perGate = this.implementation === 1 || this.recurrentDropout > 0;
    const draw = (key: string, shape: Shape, rate: number): Float32Array => {
      const mask = f32(call.buffer(key, shape));
      const scale = Math.fround(1 / Math.fround(1 - rate)); // Keras' ones / keep_prob in float32
      for (let i = 0; i < mask.length; i++) mask[i] = this.generator.uniform() >= rate ? scale : 0;
      return mask;
    };
    return {
      input: this.dropout > 0 ? draw('inputMask', [perGate ? this.gates : 1, N, I], this.dropout) : null,
      recurrent: this.recurrentDropout > 0 ? draw('recurrentMask', [this.gates, N, this.units], this.recurrentDropout) : null,
    };
  }

  private dropoutShape(masks: RnnDropoutMasks, N: number, I: number): RnnDropoutShape {
    return { inputMasks: masks.input ? masks.input.length / (N * I) : 0, recurrent: masks.recurrent !== null };
  }

  /** A new, unbuilt layer of the same kind and config with some options replaced (Bidirectional's copies). */
  cloneWith(overrides: Partial<RecurrentArgs>): this {
    const { inputShape: _i, batchInputShape: _b, ...rest } = this.args;
    return new (this.constructor as new (a: RecurrentArgs) => this)({ ...rest, ...overrides });
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.cellActivation.name,
      recurrent_activation: this.gateActivation.name,
      use_bias: this.useBias,
      kernel_initializer: initializerConfig(this.kernelInitializer),
      recurrent_initializer: initializerConfig(this.recurrentInitializer),
      bias_initializer: initializerConfig(this.biasInitializer),
      ...penaltiesConfig(this, this.penalty),
      dropout: this.dropout,
      recurrent_dropout: this.recurrentDropout,
      seed: this.seed,
      implementation: this.implementation,
      return_sequences: this.returnSequences,
      return_state: this.returnState,
      go_backwards: this.goBackwards,
      stateful: false,
      zero_output_for_mask: this.zeroOutputForMask,
      unroll: this.unroll,
    };
  }

  protected abstract biasShape(): Shape;

  protected biasInit(): Initializer {
    return this.biasInitializer;
  }

  protected geometry(N: number, T: number, I: number): RnnGeometry {
    return {
      N, T, I, U: this.units, activation: this.cellActivation.id, recurrentActivation: this.gateActivation.id,
      goBackwards: this.goBackwards, returnSequences: this.returnSequences,
    };
  }
}

function elementwise(id: ActivationIdentifier, key: string, where: string): Activation {
  const act = new Activation(id, `${where}: ${key}`);
  if (act.isSoftmax) throw new ValueError(`${where}: ${key} must act elementwise; softmax is not supported`);
  return act;
}

/**
 * Long Short-Term Memory (Hochreiter & Schmidhuber 1997) as Keras computes it:
 * kernel [features, 4*units], recurrent_kernel [units, 4*units], bias [4*units],
 * gates in the order i, f, c, o.
 */
export class LSTM extends Recurrent {
  readonly className = 'LSTM';
  readonly unitForgetBias: boolean;
  protected readonly cell = 'lstm';
  protected readonly gates = 4;

  constructor(args: LSTMArgs) {
    super(args, 'lstm', 'LSTM', ['unitForgetBias']);
    this.unitForgetBias = camelKeys(args).unitForgetBias ?? true;
  }

  protected biasShape(): Shape {
    return [4 * this.units];
  }

  /** With unitForgetBias the forget block starts at 1: [init(U), ones(U), init(2U)], as in Keras. */
  protected override biasInit(): Initializer {
    if (!this.unitForgetBias) return this.biasInitializer;
    const base = this.biasInitializer, U = this.units;
    return {
      className: base.className,
      config: base.config,
      init: () => {
        const out = new Float32Array(4 * U);
        out.set(base.init([U]), 0);
        out.fill(1, U, 2 * U);
        out.set(base.init([2 * U]), 2 * U);
        return out;
      },
    };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), unit_forget_bias: this.unitForgetBias };
  }
}

/**
 * Gated Recurrent Unit (Cho et al. 2014) as Keras computes it: kernel [features, 3*units],
 * recurrent_kernel [units, 3*units], gates in the order z, r, h; h = z*h_prev + (1-z)*candidate.
 */
export class GRU extends Recurrent {
  readonly className = 'GRU';
  readonly resetAfter: boolean;
  protected readonly cell = 'gru';
  protected readonly gates = 3;

  constructor(args: GRUArgs) {
    super(args, 'gru', 'GRU', ['resetAfter']);
    this.resetAfter = camelKeys(args).resetAfter ?? true;
  }

  /** reset_after keeps separate input and recurrent biases: [2, 3*units]. */
  protected biasShape(): Shape {
    return this.resetAfter ? [2, 3 * this.units] : [3 * this.units];
  }

  protected override geometry(N: number, T: number, I: number): RnnGeometry {
    return { ...super.geometry(N, T, I), resetAfter: this.resetAfter };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), reset_after: this.resetAfter };
  }
}
