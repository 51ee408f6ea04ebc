import { Activation, ActivationIdentifier } from '../activations';
import { LayerCall } from '../engine/call';
import { ValueError, formatShape } from '../errors';
import { Initializer, InitializerIdentifier, getInitializer } from '../initializers';
import { ConstraintIdentifier } from '../constraints';
import { RegularizerIdentifier } from '../regularizers';
import { camelKeys } from '../names';
import { RnnGeometry, native } from '../native';
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
  /** Only 0 is supported. */
  dropout?: number;
  /** Only 0 is supported. */
  recurrentDropout?: number;
  /** Keras' 1 or 2; both compute the same values. */
  implementation?: number;
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

/** Float counts of the caller-owned buffers of the recurrent kernels; mirrors kernels.h (lstm_cache_size etc.). */
export function rnnBufferSizes(cell: Cell, g: { N: number; T: number; I: number; U: number }): { cache: number; scratch: number } {
  const { N, T, I, U } = g;
  return cell === 'lstm'
    ? { cache: T * N * (I + 11 * U), scratch: 4 * U * (T * N + I + U) + 2 * N * U }
    : { cache: T * N * (I + 10 * U), scratch: 3 * U * (2 * T * N + I + U) + 2 * N * U };
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
  protected readonly cellActivation: Activation;
  protected readonly gateActivation: Activation;
  protected readonly kernelInitializer: Initializer;
  protected readonly recurrentInitializer: Initializer;
  protected readonly biasInitializer: Initializer;
  private readonly penalty: Record<'kernel' | 'recurrent' | 'bias', WeightPenalties>;
  private readonly unroll: boolean;
  private readonly implementation: number;
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
      // seed only seeds dropout (0 here) and useCudnn only picks a GPU kernel: neither changes what is computed.
      'recurrentDropout', 'implementation', 'seed', 'useCudnn', ...weightOptionKeys('kernel', 'recurrent', 'bias'), ...cellOptions],
    { timeMajor: false, zeroOutputForMask: false }));
    const where = `${this.name} (${className})`;
    this.args = a;
    if (!Number.isInteger(a.units) || a.units < 1) {
      throw new ValueError(`${where}: units must be a positive integer, got ${JSON.stringify(a.units)}`);
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
    this.unroll = a.unroll ?? false;
    this.implementation = a.implementation ?? 2;
    if (a.stateful) throw new ValueError(`${where}: stateful: true is not supported; each batch starts from zero states`);
    for (const key of ['dropout', 'recurrentDropout'] as const) {
      const v = a[key] ?? 0;
      if (v !== 0) throw new ValueError(`${where}: ${key} ${JSON.stringify(v)} is not supported (only 0); add a bn.layers.dropout() layer after this one instead`);
    }
    if (this.implementation !== 1 && this.implementation !== 2) {
      throw new ValueError(`${where}: implementation must be 1 or 2, got ${JSON.stringify(a.implementation)}`);
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

  forward(x: Tensor, call: LayerCall): Tensor {
    this.checkInput(x);
    const [N, T, I] = x.shape;
    const g = this.geometry(N, T, I);
    const sizes = rnnBufferSizes(this.cell, g);
    const out = call.buffer('out', this.returnSequences ? [N, T, this.units] : [N, this.units]);
    const cache = call.buffer('cache', [sizes.cache]);
    call.saved.cache = cache;
    call.saved.geom = g;
    const run = this.cell === 'lstm' ? native.lstmForward : native.gruForward;
    run(f32(out), f32(cache), f32(x), f32(this.kernel.value), f32(this.recurrentKernel.value),
      this.bias ? f32(this.bias.value) : null, g);
    return out;
  }

  backward(dy: Tensor, call: LayerCall, needInputGrad: boolean): Tensor | null {
    const g = call.saved.geom as RnnGeometry;
    const scratch = call.buffer('scratch', [rnnBufferSizes(this.cell, g).scratch]);
    const dx = needInputGrad ? call.buffer('dx', [g.N, g.T, g.I]) : null;
    const run = this.cell === 'lstm' ? native.lstmBackward : native.gruBackward;
    run(dx ? f32(dx) : null, call.gradient(this.kernel), call.gradient(this.recurrentKernel), call.gradient(this.bias), f32(scratch),
      f32(dy), f32(call.saved.cache as Tensor), f32(this.kernel.value), f32(this.recurrentKernel.value), g);
    return dx;
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
      dropout: 0,
      recurrent_dropout: 0,
      implementation: this.implementation,
      return_sequences: this.returnSequences,
      return_state: this.returnState,
      go_backwards: this.goBackwards,
      stateful: false,
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
