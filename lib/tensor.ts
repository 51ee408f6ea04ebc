import { ShapeError, ValueError, formatShape, formatValue } from './errors';

export type DType = 'float32' | 'int32';
export type Shape = readonly number[];
export type TypedArray = Float32Array | Int32Array;
export type NestedArray = number | NestedArray[];
/** Typed arrays tensor() takes besides its own (copied to float32, or int32 with dtype 'int32'). */
export type NumericArray = Float64Array | Uint8Array | Uint8ClampedArray | Int8Array | Uint16Array | Int16Array | Uint32Array;
export type TensorLike = Tensor | NestedArray | TypedArray | NumericArray;

/** The number of elements of a shape. */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Whether two shapes are equal, axis by axis. */
export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function checkShape(shape: Shape, where: string): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${where}: shape ${formatShape(shape)} must hold non-negative integers`);
    }
  }
}

/**
 * A dense row-major array of float32 or int32 values. A Tensor is an ordinary
 * garbage-collected object: kernels read and write `data` in place, and there is
 * nothing to dispose.
 */
export class Tensor {
  readonly shape: Shape;
  readonly dtype: DType;
  readonly data: TypedArray;

  constructor(data: TypedArray, shape: Shape) {
    checkShape(shape, 'Tensor');
    if (data.length !== sizeOf(shape)) {
      throw new ShapeError(`Tensor: ${data.length} values do not fill shape ${formatShape(shape)} (${sizeOf(shape)} elements)`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = data instanceof Int32Array ? 'int32' : 'float32';
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** Number of axes. */
  get rank(): number {
    return this.shape.length;
  }

  /** A view of the same data with another shape; one dimension may be -1. */
  reshape(shape: Shape): Tensor {
    const unknown = shape.filter((d) => d === -1).length;
    if (unknown > 1) throw new ShapeError(`reshape: only one dimension may be -1, got ${formatShape(shape)}`);
    let resolved = [...shape];
    if (unknown === 1) {
      const known = sizeOf(shape.filter((d) => d !== -1));
      if (known === 0 || this.size % known !== 0) {
        throw new ShapeError(`reshape: cannot reshape ${formatShape(this.shape)} (${this.size} elements) to ${formatShape(shape)}`);
      }
      resolved = shape.map((d) => (d === -1 ? this.size / known : d));
    }
    if (sizeOf(resolved) !== this.size) {
      throw new ShapeError(`reshape: cannot reshape ${formatShape(this.shape)} (${this.size} elements) to ${formatShape(shape)}`);
    }
    return new Tensor(this.data, resolved);
  }

  /** The values as nested arrays (a plain number for a scalar). */
  toArray(): NestedArray {
    const build = (axis: number, offset: number): NestedArray => {
      if (axis === this.shape.length) return this.data[offset];
      const stride = sizeOf(this.shape.slice(axis + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[axis]; i++) out.push(build(axis + 1, offset + i * stride));
      return out;
    };
    return build(0, 0);
  }

  /** A deep copy. */
  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape);
  }

  toString(): string {
    return `Tensor(${this.dtype}, ${formatShape(this.shape)})`;
  }
}

function inferShape(values: NestedArray): number[] {
  const shape: number[] = [];
  let v: NestedArray = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0];
  }
  return shape;
}

function flatten(values: NestedArray, shape: number[], out: Float64Array): void {
  let k = 0;
  // The index of the element being visited, one entry per axis above it (for error messages).
  const path: number[] = [];
  const at = (): string => `[${path.join('][')}]`;
  const walk = (v: NestedArray, axis: number): void => {
    if (axis === shape.length) {
      if (typeof v !== 'number') throw new ValueError(`tensor: expected a number at ${at()}, got ${formatValue(v)}`);
      out[k++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[axis]) {
      throw new ShapeError(`tensor: ragged nested array: expected length ${shape[axis]} at ${at()}, got ${Array.isArray(v) ? v.length : typeof v}`);
    }
    for (let i = 0; i < v.length; i++) {
      path[axis] = i;
      walk(v[i], axis + 1);
    }
    path.length = axis;
  };
  walk(values, 0);
}

/**
 * Creates a tensor from nested arrays, a flat array or a typed array.
 * `tensor([[1, 2], [3, 4]])`, `tensor([1, 2, 3, 4], [2, 2])`, `tensor(labels, [n], 'int32')`.
 * A typed array of the right kind is used as is, without a copy.
 */
export function tensor(values: TensorLike, shape?: Shape, dtype?: DType): Tensor {
  if (values instanceof Tensor) {
    const t = dtype && dtype !== values.dtype ? cast(values, dtype) : values;
    return shape ? t.reshape(shape) : t;
  }
  if (dtype !== undefined && dtype !== 'float32' && dtype !== 'int32') {
    throw new ValueError(`tensor: dtype must be 'float32' or 'int32', got '${dtype}'`);
  }
  if (values instanceof Float32Array || values instanceof Int32Array) {
    const want = dtype ?? (values instanceof Int32Array ? 'int32' : 'float32');
    const data = (want === 'int32') === values instanceof Int32Array ? values : convert(values, want);
    return new Tensor(data, shape ?? [values.length]);
  }
  if (ArrayBuffer.isView(values)) return new Tensor(fromTypedArray(values, dtype ?? 'float32'), shape ?? [(values as NumericArray).length]);
  if (typeof values === 'number') values = [values], shape = shape ?? [];
  const inferred = inferShape(values);
  const flat = new Float64Array(sizeOf(inferred));
  flatten(values, inferred, flat);
  if (dtype === 'int32') {
    const bad = flat.findIndex((v) => !Number.isInteger(v));
    if (bad >= 0) throw new ValueError(`tensor: int32 values must be integers, got ${flat[bad]} at flat index ${bad}`);
    return new Tensor(Int32Array.from(flat), shape ?? inferred);
  }
  return new Tensor(Float32Array.from(flat), shape ?? inferred);
}

/**
 * A copy of any other numeric typed array (TF.js takes only Uint8Array and Uint8ClampedArray
 * besides its own): float32, or int32 for values that are 32-bit integers. 64-bit integer
 * arrays are refused rather than rounded.
 */
function fromTypedArray(values: ArrayBufferView, dtype: DType): TypedArray {
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    throw new ValueError(`tensor: ${values.constructor.name} holds 64-bit integers, which float32 and int32 cannot hold exactly; convert it first, e.g. Float32Array.from(values, Number)`);
  }
  if (values instanceof DataView || !('length' in values)) throw new ValueError(`tensor: expected numbers, an array of numbers or a numeric typed array, got a ${values.constructor.name}`);
  const data = values as NumericArray;
  if (dtype === 'float32') return Float32Array.from(data);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isInteger(data[i]) || data[i] < -2147483648 || data[i] > 2147483647) {
      throw new ValueError(`tensor: int32 values must be 32-bit integers, got ${data[i]} at flat index ${i} of the ${data.constructor.name}`);
    }
  }
  return Int32Array.from(data);
}

function convert(data: TypedArray, dtype: DType): TypedArray {
  return dtype === 'int32' ? Int32Array.from(data, Math.trunc) : Float32Array.from(data);
}

/** A copy of `t` in another dtype (float to int truncates). */
export function cast(t: Tensor, dtype: DType): Tensor {
  return dtype === t.dtype ? t : new Tensor(convert(t.data, dtype), t.shape);
}

/** A float32 tensor of zeros. */
export function zeros(shape: Shape): Tensor {
  checkShape(shape, 'zeros');
  return new Tensor(new Float32Array(sizeOf(shape)), shape);
}

/** Converts user input to a Tensor, naming the argument in errors. */
export function toTensor(x: TensorLike, what: string): Tensor {
  if (x instanceof Tensor) return x;
  if (x === undefined || x === null) throw new ValueError(`${what} is required`);
  return tensor(x);
}
