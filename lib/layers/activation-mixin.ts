import { Activation } from '../activations';
import { LayerCall } from '../engine/call';
import { Tensor } from '../tensor';
import { Layer } from './layer';

/**
 * A layer that ends in an activation: subclasses compute z and call activate(z, call);
 * backward starts with activationGrad(dy, call). Keeping z lets a loss fuse with softmax
 * or sigmoid and start from the logits. Kernels that apply a fusable activation
 * themselves (linear, relu) hand their output to activated(y, call) instead.
 */
export abstract class ActivatedLayer extends Layer {
  protected act!: Activation;

  override get activation(): Activation {
    return this.act;
  }

  /** Null after a kernel applied relu itself: it keeps only the output. */
  override preActivation(call: LayerCall): Tensor | null {
    return (call.saved.z as Tensor | null) ?? null;
  }

  protected activate(z: Tensor, call: LayerCall): Tensor {
    call.saved.z = z;
    if (this.act.isLinear) return (call.saved.a = z);
    const a = call.buffer('activation', z.shape);
    this.act.forward(a, z);
    return (call.saved.a = a);
  }

  /** The output of the forward pass `call` recorded. */
  protected output(call: LayerCall): Tensor {
    return call.saved.a as Tensor;
  }

  /** Records the output of a kernel that applied the (fusable) activation itself. */
  protected activated(y: Tensor, call: LayerCall): Tensor {
    call.saved.z = this.act.isLinear ? y : null;
    return (call.saved.a = y);
  }

  /** The gradient with respect to z, written over dy. */
  protected activationGrad(dy: Tensor, call: LayerCall, dyIsPreActivation: boolean): Tensor {
    if (dyIsPreActivation || this.act.isLinear) return dy;
    this.act.backward(dy, dy, call.saved.z as Tensor, call.saved.a as Tensor);
    return dy;
  }
}
