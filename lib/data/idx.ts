// Reader for IDX files, the format MNIST and Fashion-MNIST ship in:
//   bytes 0-1  zero;  byte 2  element type;  byte 3  number of dimensions
//   then one big-endian uint32 per dimension, then the values, big-endian, row-major.
// Files come from the network, so the header is checked against the file size before
// anything is allocated from it.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { ValueError, formatShape, formatValue } from '../errors';
import { DType, Tensor } from '../tensor';

interface ElementType {
  name: string;
  bytes: number;
  integer: boolean;
  read(view: DataView, offset: number): number;
}

const elementTypes: Record<number, ElementType> = {
  0x08: { name: 'unsigned byte', bytes: 1, integer: true, read: (v, o) => v.getUint8(o) },
  0x09: { name: 'signed byte', bytes: 1, integer: true, read: (v, o) => v.getInt8(o) },
  0x0b: { name: 'short', bytes: 2, integer: true, read: (v, o) => v.getInt16(o) },
  0x0c: { name: 'int', bytes: 4, integer: true, read: (v, o) => v.getInt32(o) },
  0x0d: { name: 'float', bytes: 4, integer: false, read: (v, o) => v.getFloat32(o) },
  0x0e: { name: 'double', bytes: 8, integer: false, read: (v, o) => v.getFloat64(o) },
};

export interface LoadIdxOptions {
  /** 'float32' (default) for every element type; 'int32' only for integer types (e.g. labels). */
  dtype?: DType;
}

/**
 * Reads an IDX file (plain or gzipped) into a tensor of its declared shape. Values keep their
 * numeric value: MNIST images become float32 0..255 (as Keras' mnist.load_data gives uint8
 * 0..255), labels float32 0..9 unless `{dtype: 'int32'}` is asked for. Throws naming the file
 * when it is missing, truncated, has trailing bytes, or declares an unknown type.
 */
export function loadIdx(path: string, options: LoadIdxOptions = {}): Tensor {
  const fail = (message: string): ValueError => new ValueError(`loadIdx: ${path}: ${message}`);
  if (typeof path !== 'string') throw new ValueError(`loadIdx: path must be a string, got ${typeof path}`);
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'int32') throw fail(`dtype must be 'float32' or 'int32', got ${formatValue(dtype)}`);

  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw fail(`cannot read the file (${(err as Error).message})`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw fail(`looks gzipped but does not decompress (${(err as Error).message})`);
    }
  }

  if (bytes.length < 4) throw fail(`has ${bytes.length} bytes, too short for an IDX header (4 bytes plus 4 per dimension)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw fail(`is not an IDX file: it starts with bytes 0x${hex(bytes[0])} 0x${hex(bytes[1])}, expected 0x00 0x00`);
  }
  const type = elementTypes[bytes[2]];
  if (!type) {
    throw fail(`unknown element type 0x${hex(bytes[2])}; IDX types are 0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double`);
  }
  if (dtype === 'int32' && !type.integer) throw fail(`holds ${type.name} values, which cannot load as int32`);
  const rank = bytes[3];
  if (rank === 0) throw fail('declares 0 dimensions');
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) throw fail(`is truncated: it declares ${rank} dimensions, so its header needs ${headerBytes} bytes, but the file has ${bytes.length}`);

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let d = 0; d < rank; d++) shape.push(view.getUint32(4 + 4 * d));
  const dataBytes = bytes.length - headerBytes;
  // Multiplying in doubles cannot overflow silently: any product above the data size is an error.
  const count = shape.reduce((n, d) => n * d, 1);
  const expected = count * type.bytes;
  if (expected > dataBytes) {
    throw fail(`is truncated: shape ${formatShape(shape)} of ${type.name} values needs ${expected} bytes of data, but the file has ${dataBytes}`);
  }
  if (expected < dataBytes) {
    throw fail(`has ${dataBytes - expected} trailing bytes after the ${expected} bytes that shape ${formatShape(shape)} of ${type.name} values needs`);
  }

  const out = dtype === 'int32' ? new Int32Array(count) : new Float32Array(count);
  if (type === elementTypes[0x08]) {
    out.set(bytes.subarray(headerBytes)); // the common case (images, labels): no byte order to handle
  } else {
    for (let i = 0, o = headerBytes; i < count; i++, o += type.bytes) out[i] = type.read(view, o);
  }
  return new Tensor(out, shape);
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0').toUpperCase();
}
