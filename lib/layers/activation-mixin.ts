import { Activation } from '../activations';
import { Tensor } from '../tensor';
import { Layer } from './layer';

/**
 * A layer that ends in an activation: subclasses compute z and call activate(z);
 * backward starts with activationGrad(dy). Keeping z lets a loss fuse with softmax
 * or sigmoid and start from the logits. Kernels that apply a fusable activation
 * themselves (linear, relu) hand their output to activated(y) instead.
 */
export abstract class ActivatedLayer extends Layer {
  protected act!: Activation;
  private z: Tensor | null = null;
  private a: Tensor | null = null;

  override get activation(): Activation {
    return this.act;
  }

  /** Null after a kernel applied relu itself: it keeps only the output. */
  override get preActivation(): Tensor | null {
    return this.z;
  }

  protected activate(z: Tensor): Tensor {
    this.z = z;
    if (this.act.isLinear) return (this.a = z);
    const a = this.buffer('activation', z.shape);
    this.act.forward(a, z);
    return (this.a = a);
  }

  /** The output of the last forward pass. */
  protected get lastOutput(): Tensor | null {
    return this.a;
  }

  /** Records the output of a kernel that applied the (fusable) activation itself. */
  protected activated(y: Tensor): Tensor {
    this.z = this.act.isLinear ? y : null;
    return (this.a = y);
  }

  /** The gradient with respect to z, written over dy. */
  protected activationGrad(dy: Tensor, dyIsPreActivation: boolean): Tensor {
    if (dyIsPreActivation || this.act.isLinear) return dy;
    this.act.backward(dy, dy, this.z!, this.a!);
    return dy;
  }
}
