import { LayerCall } from './call';
import { ValueError, formatShape, formatValue } from '../errors';
import { Layer } from '../layers/layer';
import { KerasOptions } from '../names';
import { readOptions } from '../options';
import { DType, Shape, Tensor } from '../tensor';
import { Node, SymbolicTensor } from './symbolic';

export interface InputArgs {
  /** Shape of one sample, without the batch axis. */
  shape?: number[];
  /** Shape with the batch axis first (`null` for any batch size). */
  batchShape?: (number | null)[];
  /** 'float32' (default) or 'int32' (indices for an Embedding). */
  dtype?: DType;
  name?: string;
}

/** A model's entry point: it produces the symbolic tensor bn.input returns. */
export class InputLayer extends Layer {
  readonly className = 'InputLayer';
  readonly dtype: DType;
  /** The symbolic tensor this input feeds. */
  readonly output: SymbolicTensor;

  constructor(args: InputArgs) {
    const a = readOptions<InputArgs>(args, 'input', {
      known: ['shape', 'batchShape', 'dtype', 'name'],
      unsupported: { sparse: false, ragged: false, batchSize: null, optional: false, tensor: null, inputTensor: null },
    });
    super({ name: a.name }, 'input_layer');
    const where = `${this.name} (InputLayer)`;
    if (a.shape && a.batchShape) throw new ValueError(`${where}: give shape or batchShape, not both`);
    const shape = a.shape ?? a.batchShape?.slice(1);
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || (d as number) < 1)) {
      throw new ValueError(`${where}: shape must be a list of positive integers (one sample, no batch axis), e.g. shape: [784], got ${formatValue(a.shape ?? a.batchShape)}`);
    }
    const dtype = a.dtype ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'int32') throw new ValueError(`${where}: dtype must be 'float32' or 'int32', got ${formatValue(a.dtype)}`);
    this.dtype = dtype;
    this.inputShape = this.outputShape = shape as Shape;
    const node = new Node(this, [], [this.inputShape], [dtype], 0);
    this.inboundNodes.push(node);
    this.output = node.outputs[0];
  }

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  override apply(): never {
    throw new ValueError(`${this.name} (InputLayer): an input layer is not applied; use the tensor bn.input returns`);
  }

  forward(x: Tensor, _call: LayerCall): Tensor {
    return x;
  }

  backward(dy: Tensor, _call: LayerCall, needInputGrad: boolean): Tensor | null {
    return needInputGrad ? dy : null;
  }

  override getConfig(): Record<string, unknown> {
    return { batch_input_shape: [null, ...this.inputShape!], dtype: this.dtype, sparse: false, name: this.name };
  }

  override toString(): string {
    return `${this.name} ${formatShape([null, ...this.inputShape!])}`;
  }
}

/** A symbolic input of a functional model: `const x = bn.input({shape: [784]})`. */
export function input(args: KerasOptions<InputArgs>): SymbolicTensor {
  return new InputLayer(args as InputArgs).output;
}
