import { ValueError } from './errors';
import { lookup } from './names';
import { native } from './native';
import { Tensor } from './tensor';

/** Activation ids, shared with native/kernels/kernels.h (enum class Activation). */
const ids = {
  linear: 0, relu: 1, sigmoid: 2, tanh: 3, softmax: 4, elu: 5, selu: 6, softplus: 7,
  softsign: 8, relu6: 9, hardsigmoid: 10, swish: 11, gelu: 12,
} as const;

/** Canonical names as Keras writes them in configs, by id. */
const kerasNames = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'softplus',
  'softsign', 'relu6', 'hard_sigmoid', 'swish', 'gelu'];

export type ActivationIdentifier =
  | 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax' | 'elu' | 'selu' | 'softplus' | 'softsign'
  | 'relu6' | 'hardSigmoid' | 'hard_sigmoid' | 'swish' | 'silu' | 'gelu';

const table: Record<string, number> = { ...ids, silu: ids.swish };

/** An elementwise (or, for softmax, last-axis) activation function run by the native kernels. */
export class Activation {
  readonly id: number;
  /** The Keras config name, e.g. 'hard_sigmoid'. */
  readonly name: string;

  constructor(identifier: string | undefined, where: string) {
    this.id = identifier === undefined || identifier === null ? ids.linear
      : lookup(table, String(identifier), 'activation', (m) => new ValueError(`${where}: ${m}`));
    this.name = kerasNames[this.id];
  }

  get isLinear(): boolean {
    return this.id === ids.linear;
  }

  get isSoftmax(): boolean {
    return this.id === ids.softmax;
  }

  get isSigmoid(): boolean {
    return this.id === ids.sigmoid;
  }

  /** Whether the dense and convolution kernels apply it themselves, in their epilogue (linear and relu). */
  get fusable(): boolean {
    return this.id === ids.linear || this.id === ids.relu;
  }

  /** y = f(x), acting along the last axis for softmax. */
  forward(y: Tensor, x: Tensor): void {
    const K = x.shape[x.shape.length - 1];
    native.activationForward(this.id, y.data as Float32Array, x.data as Float32Array, x.size / K, K);
  }

  /** dx = dy * f'(x); dx may be dy. */
  backward(dx: Tensor, dy: Tensor, x: Tensor, y: Tensor): void {
    const K = x.shape[x.shape.length - 1];
    native.activationBackward(this.id, dx.data as Float32Array, dy.data as Float32Array,
      x.data as Float32Array, y.data as Float32Array, x.size / K, K);
  }
}
