import { formatShape } from '../errors';
import { DType, Shape } from '../tensor';
import type { Layer } from '../layers/layer';

let nextTensorId = 0;

/**
 * A placeholder for a batch of values flowing through a model being defined
 * (TensorFlow.js' SymbolicTensor, Keras' KerasTensor): the per-sample shape and
 * dtype, and the node that produces it. It holds no data.
 */
export class SymbolicTensor {
  readonly id = nextTensorId++;

  constructor(
    /** Per-sample shape (no batch axis). */
    readonly shape: Shape,
    readonly dtype: DType,
    /** The application of a layer that produces this tensor. */
    readonly node: Node,
    /** Which of the node's outputs it is. */
    readonly index: number,
    readonly name: string,
    /** Whether values of this tensor come with a mask (Keras's `_keras_mask` on a KerasTensor). */
    readonly masked = false,
  ) {}

  /** The layer that produces this tensor. */
  get sourceLayer(): Layer {
    return this.node.layer;
  }

  toString(): string {
    return `SymbolicTensor ${this.name} ${formatShape([null, ...this.shape])} ${this.dtype}`;
  }
}

/**
 * One application of a layer to symbolic inputs. Nodes never change once made: a
 * layer applied several times (a shared layer) has several nodes over the same
 * weights, and each model call keeps the values of each node apart.
 */
export class Node {
  readonly outputs: SymbolicTensor[];

  constructor(
    readonly layer: Layer,
    readonly inputs: readonly SymbolicTensor[],
    outputShapes: readonly Shape[],
    outputDTypes: readonly DType[],
    /** Position among the layer's nodes (Keras' node_index). */
    readonly index: number,
    /** Whether the outputs carry a mask (Layer.outputMasked). */
    masked = false,
  ) {
    this.outputs = outputShapes.map((shape, i) => new SymbolicTensor(
      shape, outputDTypes[i], this, i, outputShapes.length === 1 ? `${layer.name}/${index}` : `${layer.name}/${index}/${i}`, masked));
  }
}
