import { LayerCall } from '../engine/call';
import { checkMask } from '../engine/mask';
import { Activation } from '../activations';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors';
import { camelKeys } from '../names';
import { Shape, Tensor } from '../tensor';
import { Layer, LayerArgs, Param, layerOptions } from './layer';

export interface TimeDistributedArgs extends LayerArgs {
  /** The layer applied to every timestep; built here on the per-timestep shape. */
  layer: Layer;
}

/**
 * Applies a layer to every timestep of [N, T, ...]: the batch is folded into
 * [N*T, ...] (a view, no copy), run through the inner layer, and unfolded. The
 * inner layer's weights (the same Param objects) are the wrapper's weights; tfjs
 * saves them as `<wrapper>/<weight>`.
 */
export class TimeDistributed extends Layer {
  readonly className = 'TimeDistributed';
  readonly layer: Layer;

  constructor(args: TimeDistributedArgs) {
    const a = camelKeys(args ?? ({} as TimeDistributedArgs));
    super(args, 'time_distributed', layerOptions(['layer']));
    if (!(a.layer instanceof Layer)) {
      throw new ValueError(`${this.name} (TimeDistributed): layer must be a layer such as bn.layers.dense({...}), got ${formatValue(a.layer)}`);
    }
    this.layer = a.layer;
  }

  /**
   * Keras's TimeDistributed gives the inner layer the mask of each timestep (here the mask
   * folded as the batch is: [N*T, ...]) and passes the mask on. Where the inner layer
   * consumes it (an LSTM's last output, GlobalAveragePooling1D) Keras's mask would not fit
   * the output's positions, so the output has none.
   */
  override get supportsMasking(): boolean {
    return true;
  }

  override outputMasked(inputsMasked: readonly boolean[]): boolean {
    return inputsMasked[0] && this.layer.outputMasked([true]);
  }

  computeOutputShape(inputShape: Shape): Shape {
    if (inputShape.length < 2) {
      throw this.shapeError(`expected input of rank >= 3 [null, timesteps, ...], got ${formatShape([null, ...inputShape])}`);
    }
    return [inputShape[0], ...this.layer.computeOutputShape(inputShape.slice(1))];
  }

  override build(inputShape: Shape): void {
    super.build(inputShape);
    const step = inputShape.slice(1);
    if (!this.layer.built) {
      this.layer.build(step);
    } else if (this.layer.inputShape!.length !== step.length || this.layer.inputShape!.some((d, i) => d !== step[i])) {
      throw new ShapeError(`${this.name} (TimeDistributed): ${this.layer.name} was built for input ${formatShape([null, ...this.layer.inputShape!])}, but each timestep is ${formatShape([null, ...step])}`);
    }
    this.params.push(...this.layer.weights);
    this.regularized.push(...this.layer.regularized);
    // The inner layer's activityRegularizer is not applied: Keras 3 runs it through layer.call, not __call__.
  }

  override get trainableWeights(): Param[] {
    return this.trainable ? this.layer.trainableWeights : [];
  }

  override get activation(): Activation | null {
    return this.layer.activation;
  }

  override preActivation(call: LayerCall): Tensor | null {
    const z = this.layer.preActivation(call.child('layer'));
    return z && this.unfold(z, call);
  }

  forward(x: Tensor, call: LayerCall): Tensor {
    this.checkInput(x);
    call.saved.batch = x.shape[0];
    const inner = call.child('layer');
    const mask = call.mask;
    if (mask) {
      checkMask(mask, x.shape, `${this.name} (TimeDistributed)`);
      inner.masks = [{ data: mask.data, shape: [mask.shape[0] * mask.shape[1], ...mask.shape.slice(2)] }];
    }
    const y = this.layer.forward(new Tensor(x.data, [x.shape[0] * x.shape[1], ...x.shape.slice(2)]), inner);
    return this.unfold(y, call);
  }

  backward(dy: Tensor, call: LayerCall, needInputGrad: boolean, dyIsPreActivation = false): Tensor | null {
    const folded = new Tensor(dy.data, [dy.shape[0] * dy.shape[1], ...dy.shape.slice(2)]);
    const dx = this.layer.backward(folded, call.child('layer'), needInputGrad, dyIsPreActivation);
    return dx && this.unfold(dx, call);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), layer: { class_name: this.layer.className, config: this.layer.getConfig() } };
  }

  /** [N*T, ...] -> [N, T, ...] for the batch of `call`. */
  private unfold(t: Tensor, call: LayerCall): Tensor {
    const batch = call.saved.batch as number;
    return new Tensor(t.data, [batch, t.shape[0] / batch, ...t.shape.slice(1)]);
  }
}
