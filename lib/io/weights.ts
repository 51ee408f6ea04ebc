// The weightsManifest of the TensorFlow.js format: entries {name, shape, dtype, group?,
// quantization?} whose raw little-endian values follow one another, in manifest order,
// across the concatenation of every group's files.
import { formatShape, formatValue } from '../errors';
import { isPlainObject } from './registry';

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool' | 'string' | 'complex64';
  group?: string;
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number };
}

export interface WeightGroup {
  paths: string[];
  weights: WeightSpec[];
}

/** A decoded entry: float values for float32 weights, null for entries a model cannot hold. */
export interface DecodedWeight {
  spec: WeightSpec;
  values: Float32Array | null;
}

const weightDTypes = ['float32', 'int32', 'bool', 'string', 'complex64'];
/** Bytes per stored value, for weight dtypes and quantized storage. */
const valueBytes: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

// Far above any real model, but small enough that sizes stay exact integers.
const maxElements = 2 ** 40;

/** Checks the manifest's structure and returns it typed; `fail` prefixes the file. */
export function parseManifest(manifest: unknown, fail: (m: string) => Error): WeightGroup[] {
  if (!Array.isArray(manifest)) throw fail(`weightsManifest must be a list of {paths, weights} groups, got ${formatValue(manifest)}`);
  return manifest.map((group, g) => {
    if (!isPlainObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw fail(`weightsManifest[${g}] must be {paths: [...], weights: [...]}, got ${formatValue(group)}`);
    }
    const paths = group.paths.map((p, i) => {
      if (typeof p !== 'string' || p === '') throw fail(`weightsManifest[${g}].paths[${i}] must be a file name, got ${formatValue(p)}`);
      return p;
    });
    const weights = group.weights.map((w, i) => parseSpec(w, `weightsManifest[${g}].weights[${i}]`, fail));
    return { paths, weights };
  });
}

function parseSpec(w: unknown, where: string, fail: (m: string) => Error): WeightSpec {
  if (!isPlainObject(w)) throw fail(`${where} must be {name, shape, dtype}, got ${formatValue(w)}`);
  const { name, shape, dtype, group, quantization } = w;
  if (typeof name !== 'string' || name === '') throw fail(`${where}.name must be a non-empty string, got ${formatValue(name)}`);
  const at = `${where} ('${name}')`;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw fail(`${at}: shape must be a list of non-negative integers, got ${formatValue(shape)}`);
  }
  if (shape.reduce((n: number, d: number) => n * d, 1) > maxElements) throw fail(`${at}: shape ${formatShape(shape)} is absurdly large`);
  if (!weightDTypes.includes(dtype as string)) {
    throw fail(`${at}: dtype must be one of ${weightDTypes.join(', ')}, got ${formatValue(dtype)}`);
  }
  if (group !== undefined && group !== null && typeof group !== 'string') throw fail(`${at}: group must be a string, got ${formatValue(group)}`);
  const spec: WeightSpec = { name, shape, dtype: dtype as WeightSpec['dtype'] };
  if (typeof group === 'string') spec.group = group;
  if (quantization !== undefined && quantization !== null) {
    const q = quantization as Record<string, unknown>;
    if (!isPlainObject(q) || !['uint8', 'uint16', 'float16'].includes(q.dtype as string)) {
      throw fail(`${at}: quantization.dtype must be uint8, uint16 or float16, got ${formatValue(isPlainObject(q) ? q.dtype : q)}`);
    }
    if (dtype !== 'float32' && dtype !== 'int32') throw fail(`${at}: quantized weights must have dtype float32 or int32, got ${dtype}`);
    if (q.dtype === 'float16' && dtype !== 'float32') throw fail(`${at}: float16 quantization needs dtype float32, got ${dtype}`);
    if (q.dtype !== 'float16' && !(Number.isFinite(q.scale) && Number.isFinite(q.min))) {
      throw fail(`${at}: ${q.dtype} quantization needs finite scale and min, got scale ${formatValue(q.scale)}, min ${formatValue(q.min)}`);
    }
    spec.quantization = { dtype: q.dtype as 'uint8' | 'uint16' | 'float16', scale: q.scale as number, min: q.min as number };
  }
  return spec;
}

/**
 * Slices `data` (every group's files, concatenated) into the manifest's entries, checking
 * that the byte counts add up exactly. `files` names the files for messages.
 */
export function decodeWeights(specs: WeightSpec[], data: Uint8Array, files: string, fail: (m: string) => Error): DecodedWeight[] {
  let offset = 0;
  const need = (bytes: number, spec: WeightSpec): void => {
    if (offset + bytes > data.length) {
      throw fail(`the weight files (${files}) hold ${data.length} bytes, but the manifest needs more: '${spec.name}' ${formatShape(spec.shape)} ends past byte ${data.length}`);
    }
  };
  const decoded = specs.map((spec) => {
    const count = spec.shape.reduce((n, d) => n * d, 1);
    if (spec.dtype === 'string') {
      for (let i = 0; i < count; i++) {
        need(4, spec);
        const length = new DataView(data.buffer, data.byteOffset + offset, 4).getUint32(0, true);
        offset += 4;
        need(length, spec);
        offset += length;
      }
      return { spec, values: null };
    }
    const storage = spec.quantization?.dtype ?? spec.dtype;
    const bytes = count * valueBytes[storage];
    need(bytes, spec);
    const raw = data.slice(offset, offset + bytes); // a copy: aligned, and independent of the file buffers
    offset += bytes;
    return { spec, values: spec.dtype === 'float32' ? toFloat32(raw, spec) : null };
  });
  if (offset !== data.length) {
    throw fail(`the weight files (${files}) hold ${data.length} bytes, but the manifest describes ${offset}; they do not belong together`);
  }
  return decoded;
}

function toFloat32(raw: Uint8Array, spec: WeightSpec): Float32Array {
  const q = spec.quantization;
  if (!q) return new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
  if (q.dtype === 'float16') return Float32Array.from(new Uint16Array(raw.buffer, raw.byteOffset, raw.length / 2), halfToFloat);
  const ints = q.dtype === 'uint8' ? raw : new Uint16Array(raw.buffer, raw.byteOffset, raw.length / 2);
  return Float32Array.from(ints, (v) => v * q.scale! + q.min!);
}

/** IEEE 754 half precision bits to a number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

