import { ShapeError, ValueError, formatShape } from './errors';
import { lookup } from './names';
import { native } from './native';
import { Shape, Tensor, sameShape } from './tensor';

/**
 * A training loss. `compute` returns the batch mean, as Keras reports it, and
 * when `grad` is given writes the gradient of that mean with respect to the input.
 */
export interface Loss {
  /** Keras name, e.g. 'categorical_crossentropy'. */
  readonly name: string;
  /** The final activation this loss can absorb, computing from logits for stability. */
  readonly fusesWith: 'softmax' | 'sigmoid' | null;
  /** Targets are integer class indices rather than one value per output. */
  readonly sparse: boolean;
  /**
   * Checks targets against the model's per-sample output shape and returns them
   * ready for compute (int32 labels for sparse losses). `where` names the caller.
   */
  prepareTargets(y: Tensor, outputShape: Shape, where: string): Tensor;
  /** The gradient written is that of `gradScale` times the mean (a loss weight of a multi-output model). */
  compute(input: Tensor, targets: Tensor, grad: Tensor | null, fromLogits: boolean, gradScale?: number): number;
}

const f32 = (t: Tensor): Float32Array => t.data as Float32Array;
const gradData = (g: Tensor | null): Float32Array | null => (g ? f32(g) : null);
const lastDim = (t: Tensor): number => t.shape[t.shape.length - 1];

function checkFinite(y: Tensor, where: string): void {
  // v * 0 is NaN exactly for NaN and ±Infinity: one tight pass (this runs on every trainOnBatch).
  const data = y.data;
  let probe = 0;
  for (let i = 0; i < data.length; i++) probe += data[i] * 0;
  if (probe === 0) return;
  const bad = data.findIndex((v) => !Number.isFinite(v));
  throw new ValueError(`${where}: targets hold ${data[bad]} at flat index ${bad}; every target must be a finite number`);
}

/** Targets with one value per model output: the shape must match the output exactly. */
function denseTargets(name: string) {
  return (y: Tensor, outputShape: Shape, where: string): Tensor => {
    if (!sameShape(y.shape.slice(1), outputShape)) {
      throw new ShapeError(`${where}: ${name} needs targets of shape ${formatShape([null, ...outputShape])} (one value per output), got ${formatShape(y.shape)}`);
    }
    const t = y.dtype === 'float32' ? y : new Tensor(Float32Array.from(y.data), y.shape);
    checkFinite(t, where);
    return t;
  };
}

/** Integer class labels: shape [N, ...outputShape without classes] (a trailing 1 allowed). */
function sparseTargets(y: Tensor, outputShape: Shape, where: string): Tensor {
  const want = outputShape.slice(0, -1);
  const classes = outputShape[outputShape.length - 1];
  let perSample = y.shape.slice(1);
  if (perSample.length === want.length + 1 && perSample[perSample.length - 1] === 1) perSample = perSample.slice(0, -1);
  if (!sameShape(perSample, want)) {
    throw new ShapeError(`${where}: sparse_categorical_crossentropy needs integer labels of shape ${formatShape([null, ...want])}, got ${formatShape(y.shape)}`);
  }
  const labels = new Int32Array(y.size);
  for (let i = 0; i < y.size; i++) {
    const v = y.data[i];
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new ValueError(`${where}: label ${v} at index ${i} is not a class index in [0, ${classes})`);
    }
    labels[i] = v;
  }
  return new Tensor(labels, [y.shape[0], ...want]);
}

const categorical: Loss = {
  name: 'categorical_crossentropy',
  fusesWith: 'softmax',
  sparse: false,
  prepareTargets: denseTargets('categorical_crossentropy'),
  compute(input, targets, grad, fromLogits, gradScale = 1) {
    const K = lastDim(input), R = input.size / K;
    const kernel = fromLogits ? native.softmaxCrossEntropy : native.categoricalCrossEntropy;
    return kernel(gradData(grad), f32(input), f32(targets), R, K, gradScale / R) / R;
  },
};

const sparseCategorical: Loss = {
  name: 'sparse_categorical_crossentropy',
  fusesWith: 'softmax',
  sparse: true,
  prepareTargets: sparseTargets,
  compute(input, targets, grad, fromLogits, gradScale = 1) {
    const K = lastDim(input), R = input.size / K;
    const kernel = fromLogits ? native.sparseSoftmaxCrossEntropy : native.sparseCategoricalCrossEntropy;
    return kernel(gradData(grad), f32(input), targets.data as Int32Array, R, K, gradScale / R) / R;
  },
};

const binary: Loss = {
  name: 'binary_crossentropy',
  fusesWith: 'sigmoid',
  sparse: false,
  prepareTargets: denseTargets('binary_crossentropy'),
  compute(input, targets, grad, fromLogits, gradScale = 1) {
    const kernel = fromLogits ? native.sigmoidBinaryCrossEntropy : native.binaryCrossEntropy;
    return kernel(gradData(grad), f32(input), f32(targets), input.size, gradScale / input.size) / input.size;
  },
};

const meanSquared: Loss = {
  name: 'mean_squared_error',
  fusesWith: null,
  sparse: false,
  prepareTargets: denseTargets('mean_squared_error'),
  compute(input, targets, grad, _fromLogits, gradScale = 1) {
    return native.squaredError(gradData(grad), f32(input), f32(targets), input.size, gradScale / input.size) / input.size;
  },
};

const table: Record<string, Loss> = {
  categoricalcrossentropy: categorical,
  sparsecategoricalcrossentropy: sparseCategorical,
  binarycrossentropy: binary,
  meansquarederror: meanSquared,
  mse: meanSquared,
};

/** Resolves 'categoricalCrossentropy', 'categorical_crossentropy', 'mse', ... */
export function getLoss(name: string | Loss): Loss {
  if (typeof name === 'object' && name !== null && 'compute' in name) return name;
  if (typeof name !== 'string') throw new ValueError(`compile: loss must be a name such as 'categoricalCrossentropy', got ${JSON.stringify(name)}`);
  return lookup(table, name, 'loss', (m) => new ValueError(`compile: ${m}`));
}
