import { Activation, ActivationIdentifier } from '../activations';
import { LayerCall } from '../engine/call';
import { ValueError, formatShape, formatValue } from '../errors';
import { Initializer, InitializerIdentifier, getInitializer } from '../initializers';
import { ConstraintIdentifier } from '../constraints';
import { RegularizerIdentifier } from '../regularizers';
import { camelKeys } from '../names';
import { native } from '../native';
import { Shape, Tensor } from '../tensor';
import { ActivatedLayer } from './activation-mixin';
import { LayerArgs, Param, WeightPenalties, kernelBiasConfig, layerOptions, weightOptionKeys } from './layer';

export interface DenseArgs extends LayerArgs {
  units: number;
  activation?: ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
  kernelConstraint?: ConstraintIdentifier | null;
  biasConstraint?: ConstraintIdentifier | null;
}

/**
 * Densely connected layer: y = activation(x @ kernel + bias), with kernel [in, units].
 * On inputs of rank > 2 it acts on the last axis, as in Keras.
 */
export class Dense extends ActivatedLayer {
  readonly className = 'Dense';
  readonly units: number;
  readonly useBias: boolean;
  private readonly kernelInitializer: Initializer;
  private readonly biasInitializer: Initializer;
  private readonly penalty: Record<'kernel' | 'bias', WeightPenalties>;
  private kernel!: Param;
  private bias: Param | null = null;

  /** Keras's supports_masking: a mask on the input passes to the output unchanged. */
  override get supportsMasking(): boolean {
    return true;
  }

  constructor(args: DenseArgs) {
    const a = camelKeys(args ?? ({} as DenseArgs));
    super(args, 'dense', layerOptions(['units', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', ...weightOptionKeys('kernel', 'bias')],
      { loraRank: null, loraAlpha: null, quantizationConfig: null, inputDim: null }));
    if (!Number.isInteger(a.units) || a.units < 1) {
      throw new ValueError(`${this.name} (Dense): units must be a positive integer, got ${formatValue(a.units)}`);
    }
    this.units = a.units;
    this.act = new Activation(a.activation, `${this.name} (Dense)`);
    this.useBias = a.useBias ?? true;
    this.kernelInitializer = getInitializer(a.kernelInitializer ?? 'glorotUniform', this.name);
    this.biasInitializer = getInitializer(a.biasInitializer ?? 'zeros', this.name);
    this.penalty = this.penalties(a, 'kernel', 'bias');
  }

  computeOutputShape(inputShape: Shape): Shape {
    if (inputShape.length < 1) throw this.shapeError(`expected an input of rank >= 2 (batch, features), got ${formatShape([null, ...inputShape])}`);
    return [...inputShape.slice(0, -1), this.units];
  }

  override build(inputShape: Shape): void {
    super.build(inputShape);
    const inFeatures = inputShape[inputShape.length - 1];
    this.kernel = this.addWeight('kernel', [inFeatures, this.units], this.kernelInitializer, true, this.penalty.kernel);
    if (this.useBias) this.bias = this.addWeight('bias', [this.units], this.biasInitializer, true, this.penalty.bias);
  }

  forward(x: Tensor, call: LayerCall): Tensor {
    this.checkInput(x);
    call.saved.x = x;
    const I = this.kernel.value.shape[0];
    const rows = x.size / I;
    // Linear and relu run in the GEMM's epilogue; other activations as a pass of their own.
    const fused = this.act.fusable;
    const z = call.buffer('z', [...x.shape.slice(0, -1), this.units]);
    native.denseForwardActivated(z.data as Float32Array, x.data as Float32Array, this.kernel.value.data as Float32Array,
      (this.bias?.value.data as Float32Array) ?? null, rows, I, this.units, fused ? this.act.id : 0);
    return fused ? this.activated(z, call) : this.activate(z, call);
  }

  backward(dy: Tensor, call: LayerCall, needInputGrad: boolean, dyIsPreActivation = false): Tensor | null {
    // A fused relu is undone inside the kernel, from the output (relu' > 0 exactly where y > 0).
    const fused = this.act.fusable && !dyIsPreActivation;
    const dz = fused ? dy : this.activationGrad(dy, call, dyIsPreActivation);
    const x = call.saved.x as Tensor;
    const I = this.kernel.value.shape[0];
    const dx = needInputGrad ? call.buffer('dx', x.shape) : null;
    native.denseBackwardActivated((dx?.data as Float32Array) ?? null, call.gradient(this.kernel), call.gradient(this.bias),
      dz.data as Float32Array, x.data as Float32Array, this.kernel.value.data as Float32Array,
      fused ? (this.output(call).data as Float32Array) : null, x.size / I, I, this.units, fused ? this.act.id : 0);
    return dx;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      units: this.units,
      ...kernelBiasConfig(this, this.act.name, this.useBias, this.kernelInitializer, this.biasInitializer, this.penalty.kernel, this.penalty.bias),
    };
  }
}

export interface ActivationArgs extends LayerArgs {
  activation: ActivationIdentifier;
}

/** Applies an activation function on its own. */
export class ActivationLayer extends ActivatedLayer {
  readonly className = 'Activation';

  /** Keras's supports_masking: a mask on the input passes to the output unchanged. */
  override get supportsMasking(): boolean {
    return true;
  }

  constructor(args: ActivationArgs) {
    super(args, 'activation', layerOptions(['activation']));
    this.act = new Activation(camelKeys(args).activation, `${this.name} (Activation)`);
  }

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  forward(x: Tensor, call: LayerCall): Tensor {
    this.checkInput(x);
    return this.activate(x, call);
  }

  backward(dy: Tensor, call: LayerCall, _needInputGrad: boolean, dyIsPreActivation = false): Tensor | null {
    return this.activationGrad(dy, call, dyIsPreActivation);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), activation: this.act.name };
  }
}
