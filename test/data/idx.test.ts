import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import * as bn from '../../lib';

const dir = mkdtempSync(path.join(tmpdir(), 'blasnet-idx-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const writers: Record<number, [number, (v: DataView, o: number, x: number) => void]> = {
  0x08: [1, (v, o, x) => v.setUint8(o, x)],
  0x09: [1, (v, o, x) => v.setInt8(o, x)],
  0x0b: [2, (v, o, x) => v.setInt16(o, x)],
  0x0c: [4, (v, o, x) => v.setInt32(o, x)],
  0x0d: [4, (v, o, x) => v.setFloat32(o, x)],
  0x0e: [8, (v, o, x) => v.setFloat64(o, x)],
};

/** An IDX file as bytes: magic, big-endian dims, big-endian values. */
function idx(type: number, dims: number[], values: number[]): Buffer {
  const [size, write] = writers[type];
  const header = 4 + 4 * dims.length;
  const buf = Buffer.alloc(header + size * values.length);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  buf[2] = type;
  buf[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  values.forEach((x, i) => write(view, header + size * i, x));
  return buf;
}

function file(name: string, bytes: Uint8Array): string {
  const p = path.join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

t.test('every element type, plain and gzipped', async (t) => {
  const cases: [number, number[]][] = [
    [0x08, [0, 1, 128, 255, 7, 9]],
    [0x09, [-128, -1, 0, 1, 127, 5]],
    [0x0b, [-32768, -2, 0, 300, 32767, 1]],
    [0x0c, [-2147483648, -5, 0, 70000, 2147483647, 3]],
    [0x0d, [-1.5, 0, 0.25, 3e10, 1e-3, 7]],
    [0x0e, [-1.5, 0, 0.25, 1e300, 1e-3, 7]],
  ];
  for (const [type, values] of cases) {
    const bytes = idx(type, [2, 3], values);
    for (const [suffix, content] of [['', bytes], ['.gz', gzipSync(bytes)]] as const) {
      const x = bn.data.loadIdx(file(`t${type}${suffix}`, content));
      t.equal(x.dtype, 'float32');
      t.same(x.shape, [2, 3], `type 0x${type.toString(16)}${suffix}: shape`);
      t.same(Array.from(x.data), values.map(Math.fround), `type 0x${type.toString(16)}${suffix}: values`);
    }
  }
});

t.test('MNIST-shaped images and int32 labels', async (t) => {
  const pixels = Array.from({ length: 4 * 28 * 28 }, (_, i) => (i * 37) % 256);
  const images = bn.data.loadIdx(file('images-idx3-ubyte.gz', gzipSync(idx(0x08, [4, 28, 28], pixels))));
  t.same(images.shape, [4, 28, 28]);
  t.equal(images.data[28 * 28 + 5], pixels[28 * 28 + 5]);
  const labels = bn.data.loadIdx(file('labels-idx1-ubyte', idx(0x08, [4], [3, 0, 9, 1])), { dtype: 'int32' });
  t.equal(labels.dtype, 'int32');
  t.same(Array.from(labels.data), [3, 0, 9, 1]);
});

t.test('corrupt and hostile files are errors naming the file and the problem', async (t) => {
  const good = idx(0x08, [2, 3], [1, 2, 3, 4, 5, 6]);
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty', new Uint8Array(0), /has 0 bytes, too short for an IDX header/],
    ['bad-magic', Buffer.concat([Buffer.from([1, 0]), good.subarray(2)]), /not an IDX file: it starts with bytes 0x01 0x00, expected 0x00 0x00/],
    ['unknown-type', Buffer.concat([Buffer.from([0, 0, 0x0a]), good.subarray(3)]), /unknown element type 0x0A/],
    ['zero-dims', Buffer.from([0, 0, 8, 0]), /declares 0 dimensions/],
    ['short-header', good.subarray(0, 9), /truncated: it declares 2 dimensions, so its header needs 12 bytes, but the file has 9/],
    ['truncated', good.subarray(0, good.length - 1), /truncated: shape \[2, 3\] of unsigned byte values needs 6 bytes of data, but the file has 5/],
    ['trailing', Buffer.concat([good, Buffer.from([0, 0])]), /has 2 trailing bytes after the 6 bytes/],
    ['absurd-dims', idx(0x0e, [0xffffffff, 0xffffffff, 0xffffffff], []), /truncated: shape \[4294967295, 4294967295, 4294967295\] of double values needs/],
    ['bad-gzip', gzipSync(good).subarray(0, 15), /looks gzipped but does not decompress/],
    ['gzipped-truncated', gzipSync(good.subarray(0, 10)), /truncated/],
  ];
  for (const [name, bytes, message] of cases) {
    const p = file(name, bytes);
    t.throws(() => bn.data.loadIdx(p), { name: 'ValueError', message }, name);
    t.throws(() => bn.data.loadIdx(p), { message: new RegExp(`^loadIdx: ${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `) }, `${name} names the file`);
  }
  t.throws(() => bn.data.loadIdx(path.join(dir, 'missing')), /loadIdx: .*missing: cannot read the file \(ENOENT/);
  t.throws(() => bn.data.loadIdx(file('floats', idx(0x0d, [1], [1.5])), { dtype: 'int32' }), /holds float values, which cannot load as int32/);
});
