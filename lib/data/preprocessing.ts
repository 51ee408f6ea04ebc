// Feature scaling that returns its statistics, so the test set can be transformed with the
// training set's: `const s = standardize(xTrain); standardize(xTest, s).x`. And padding
// ragged sequences to one length (Keras's pad_sequences), for an Embedding with maskZero.
import { ShapeError, ValueError, formatShape, formatValue } from '../errors';
import { KerasOptions } from '../names';
import { readOptions } from '../options';
import { Tensor, TensorLike, toTensor } from '../tensor';

export interface PadSequencesOptions {
  /** Length of every sequence; default the longest one's. */
  maxlen?: number | null;
  /** 'int32' (default, as Keras) or 'float32'. */
  dtype?: 'int32' | 'float32';
  /** Pad before each sequence ('pre', the default) or after it ('post'). */
  padding?: 'pre' | 'post';
  /** Drop the values over maxlen from the start ('pre', the default) or the end ('post'). */
  truncating?: 'pre' | 'post';
  /** The padding value (default 0, the index an Embedding with maskZero masks). */
  value?: number;
}

/**
 * Keras's pad_sequences: a list of sequences of numbers as one [sequences, maxlen] tensor,
 * each padded with `value` and cut to maxlen as the options say (Keras's defaults: int32,
 * padding and truncating 'pre', value 0). An empty sequence is all padding.
 */
export function padSequences(sequences: readonly (readonly number[] | ArrayLike<number>)[], options?: KerasOptions<PadSequencesOptions>): Tensor {
  const where = 'padSequences';
  const o = readOptions<PadSequencesOptions>(options, where, { known: ['maxlen', 'dtype', 'padding', 'truncating', 'value'] });
  if (!Array.isArray(sequences)) throw new ValueError(`${where}: sequences must be a list of sequences (arrays of numbers), got ${formatValue(sequences)}`);
  sequences.forEach((s, i) => {
    if (!Array.isArray(s) && !ArrayBuffer.isView(s)) throw new ValueError(`${where}: sequences[${i}] must be an array of numbers, got ${formatValue(s)}`);
  });
  const dtype = o.dtype ?? 'int32';
  if (dtype !== 'int32' && dtype !== 'float32') throw new ValueError(`${where}: dtype must be 'int32' or 'float32', got ${formatValue(o.dtype)}`);
  for (const key of ['padding', 'truncating'] as const) {
    const v = o[key];
    if (v !== undefined && v !== 'pre' && v !== 'post') throw new ValueError(`${where}: ${key} must be 'pre' or 'post', got ${formatValue(v)}`);
  }
  const value = o.value ?? 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || (dtype === 'int32' && !isInt32(value))) {
    throw new ValueError(`${where}: value must be a finite number${dtype === 'int32' ? ' and a 32-bit integer with dtype int32' : ''}, got ${formatValue(o.value)}`);
  }
  const lengths = sequences.map((s) => s.length);
  const maxlen = o.maxlen ?? Math.max(0, ...lengths);
  if (!Number.isInteger(maxlen) || maxlen < 0) throw new ValueError(`${where}: maxlen must be a positive integer or null, got ${formatValue(o.maxlen)}`);
  if (sequences.length === 0 || maxlen === 0) throw new ValueError(`${where}: nothing to pad: ${sequences.length === 0 ? 'no sequences' : 'every sequence is empty'}${o.maxlen === 0 ? ' (maxlen 0)' : ''}`);
  let out: Int32Array | Float32Array;
  try {
    out = dtype === 'int32' ? new Int32Array(sequences.length * maxlen) : new Float32Array(sequences.length * maxlen);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new ValueError(`${where}: maxlen ${maxlen} for ${sequences.length} sequence${sequences.length === 1 ? '' : 's'} needs ${sequences.length * maxlen} values, more than one typed array can hold here (${e.message})`);
  }
  out.fill(value);
  sequences.forEach((s, i) => {
    const n = Math.min(s.length, maxlen);
    const from = o.truncating === 'post' ? 0 : s.length - n;
    const to = i * maxlen + (o.padding === 'post' ? 0 : maxlen - n);
    for (let k = 0; k < n; k++) {
      const v = s[from + k];
      if (typeof v !== 'number' || !Number.isFinite(v) || (dtype === 'int32' && !isInt32(v))) {
        throw new ValueError(`${where}: sequences[${i}][${from + k}] is ${formatValue(v)}; expected ${dtype === 'int32' ? 'a 32-bit integer (dtype int32)' : 'a finite number'}`);
      }
      out[to + k] = v;
    }
  });
  return new Tensor(out, [sequences.length, maxlen]);
}

const isInt32 = (v: number): boolean => Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;

/** One value for the whole tensor, or one per feature (the last axis). */
export type Statistic = number | number[];

export interface ScalingOptions {
  /** Compute one statistic per feature (the last axis) instead of one for all values. */
  perFeature?: boolean;
}

export interface StandardizeStats {
  mean: Statistic;
  /** Population standard deviation; a zero one is stored as 1 so constant data maps to 0. */
  std: Statistic;
}

export interface NormalizeStats {
  min: Statistic;
  max: Statistic;
}

/**
 * (x - mean) / std with the global mean and standard deviation of x (or per feature with
 * `{perFeature: true}`), or with the given stats. Returns the new x and the stats used.
 */
export function standardize(x: TensorLike, stats?: Partial<StandardizeStats> & ScalingOptions): { x: Tensor } & StandardizeStats {
  const t = toTensor(x, 'standardize: x');
  const [features, given] = resolve(t, stats, ['mean', 'std'], 'standardize');
  let mean: Float64Array, std: Float64Array;
  if (given) {
    [mean, std] = given;
    const bad = std.findIndex((s) => !(s > 0));
    if (bad >= 0) throw new ValueError(`standardize: std must be positive, got ${std[bad]}${features > 1 ? ` for feature ${bad}` : ''}`);
  } else {
    // Two passes (mean, then squared deviations) in double precision, for accuracy.
    const rows = t.size / features;
    mean = columnSums(t, features).map((s) => s / rows);
    std = columnSums(t, features, mean).map((s) => Math.sqrt(s / rows) || 1);
  }
  return { x: transform(t, features, mean, std), mean: exported(mean, features), std: exported(std, features) };
}

/**
 * Min-max scaling to [0, 1]: (x - min) / (max - min) with the global extremes of x (or per
 * feature), or with the given stats. A constant feature maps to 0. Returns x and the stats used.
 */
export function normalize(x: TensorLike, stats?: Partial<NormalizeStats> & ScalingOptions): { x: Tensor } & NormalizeStats {
  const t = toTensor(x, 'normalize: x');
  const [features, given] = resolve(t, stats, ['min', 'max'], 'normalize');
  let min: Float64Array, max: Float64Array;
  if (given) {
    [min, max] = given;
    const bad = min.findIndex((m, f) => !(m <= max[f]));
    if (bad >= 0) throw new ValueError(`normalize: min ${min[bad]} exceeds max ${max[bad]}${features > 1 ? ` for feature ${bad}` : ''}`);
  } else {
    [min, max] = columnRanges(t, features);
  }
  return { x: transform(t, features, min, max.map((m, f) => m - min[f] || 1)), min: exported(min, features), max: exported(max, features) };
}

/**
 * The number of statistics (1, or the last axis for per-feature ones) and, when the caller
 * passed them, the given statistics checked for type, length and finiteness.
 */
function resolve(t: Tensor, options: object | undefined, keys: [string, string], fn: string): [number, [Float64Array, Float64Array] | null] {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new ValueError(`${fn}: the second argument must be an object such as {${keys.join(', ')}} or {perFeature: true}, got ${formatValue(options)}`);
  }
  const stats = (options ?? {}) as Record<string, unknown>;
  if (t.size === 0) throw new ValueError(`${fn}: x of shape ${formatShape(t.shape)} holds no values`);
  for (let i = 0; i < t.size; i++) {
    if (!Number.isFinite(t.data[i])) throw new ValueError(`${fn}: x holds ${t.data[i]} at flat index ${i}; every value must be finite`);
  }
  const lastAxis = t.rank > 0 ? t.shape[t.rank - 1] : 1;
  const [a, b] = keys.map((k) => stats[k]);
  if (a === undefined && b === undefined) return [stats.perFeature ? lastAxis : 1, null];
  if (a === undefined || b === undefined) throw new ValueError(`${fn}: pass both ${keys[0]} and ${keys[1]} (e.g. the object a previous ${fn} call returned), or neither`);
  const parsed = [a, b].map((v, i) => {
    const values = typeof v === 'number' ? [v] : Array.isArray(v) || ArrayBuffer.isView(v) ? Array.from(v as ArrayLike<number>) : null;
    if (!values || values.some((s) => typeof s !== 'number' || !Number.isFinite(s))) {
      throw new ValueError(`${fn}: ${keys[i]} must be a finite number or a list of them, got ${formatValue(v)}`);
    }
    return Float64Array.from(values);
  });
  const features = Math.max(parsed[0].length, parsed[1].length);
  if (parsed.some((p) => p.length !== features) || (features > 1 && features !== lastAxis)) {
    throw new ShapeError(`${fn}: ${keys[0]} has ${parsed[0].length} values and ${keys[1]} ${parsed[1].length}; expected 1 each, or ${lastAxis} each (the last axis of x, shape ${formatShape(t.shape)})`);
  }
  return [features, parsed as [Float64Array, Float64Array]];
}

// The loops below run over every value of datasets such as MNIST (47M values), so they are
// plain loops with local accumulators, one feature at a time, without per-value callbacks.

/** Per-feature sums of the values, or of their squared deviations from `center`. */
function columnSums(t: Tensor, features: number, center?: Float64Array): Float64Array {
  const sums = new Float64Array(features);
  const data = t.data;
  for (let f = 0; f < features; f++) {
    let sum = 0;
    if (center) {
      const c = center[f];
      for (let i = f; i < data.length; i += features) sum += (data[i] - c) * (data[i] - c);
    } else {
      for (let i = f; i < data.length; i += features) sum += data[i];
    }
    sums[f] = sum;
  }
  return sums;
}

function columnRanges(t: Tensor, features: number): [Float64Array, Float64Array] {
  const min = new Float64Array(features), max = new Float64Array(features);
  const data = t.data;
  for (let f = 0; f < features; f++) {
    let lo = Infinity, hi = -Infinity;
    for (let i = f; i < data.length; i += features) {
      if (data[i] < lo) lo = data[i];
      if (data[i] > hi) hi = data[i];
    }
    min[f] = lo;
    max[f] = hi;
  }
  return [min, max];
}

/** (x - offset) / scale per feature, as float32. */
function transform(t: Tensor, features: number, offset: Float64Array, scale: Float64Array): Tensor {
  const out = new Float32Array(t.size);
  const data = t.data;
  for (let f = 0; f < features; f++) {
    const o = offset[f], s = scale[f];
    for (let i = f; i < data.length; i += features) out[i] = (data[i] - o) / s;
  }
  return new Tensor(out, t.shape);
}

function exported(values: Float64Array, features: number): Statistic {
  return features === 1 ? values[0] : Array.from(values);
}
