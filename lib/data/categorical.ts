import { ValueError, formatShape, formatValue } from '../errors';
import { Tensor, TensorLike, toTensor } from '../tensor';

/**
 * One-hot encodes integer class labels, as Keras' to_categorical: labels of shape [N] (or
 * [N, 1], whose trailing 1 is dropped) give float32 [N, numClasses]. numClasses defaults to
 * the largest label + 1. Throws on negative, fractional or too large labels, naming the first.
 */
export function toCategorical(labels: TensorLike, numClasses?: number): Tensor {
  const y = toTensor(labels, 'toCategorical: labels');
  if (numClasses !== undefined && (!Number.isInteger(numClasses) || numClasses < 1)) {
    throw new ValueError(`toCategorical: numClasses must be a positive integer, got ${formatValue(numClasses)}`);
  }
  const shape = y.rank > 1 && y.shape[y.rank - 1] === 1 ? y.shape.slice(0, -1) : [...y.shape];
  const values = y.data;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0) {
      throw new ValueError(`toCategorical: labels must be non-negative integers, got ${v} at flat index ${i}`);
    }
    if (numClasses !== undefined && v >= numClasses) {
      throw new ValueError(`toCategorical: label ${v} at flat index ${i} is outside [0, ${numClasses}); raise numClasses or check the labels`);
    }
  }
  if (numClasses === undefined && values.length === 0) {
    throw new ValueError(`toCategorical: labels of shape ${formatShape(y.shape)} are empty; pass numClasses`);
  }
  let classes = numClasses ?? 0;
  if (numClasses === undefined) for (const v of values) classes = Math.max(classes, v + 1);
  const out = new Float32Array(values.length * classes);
  for (let i = 0; i < values.length; i++) out[i * classes + values[i]] = 1;
  return new Tensor(out, [...shape, classes]);
}
