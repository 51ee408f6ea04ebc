import t from 'tap';
import { Conv2DGeometry, Pool2DGeometry, native, packConvGeometry, packPoolGeometry } from '../../lib/native';
import { Call, rejectsBadArguments } from '../helpers/binding';

// The conv and pool exports check every array against the geometry, and the
// geometry against TensorFlow's output-size rules, before any kernel runs.
// C = 5 takes the im2col path (col scratch); C <= 4 the direct kernels (no col).
const g: Conv2DGeometry = { N: 2, H: 5, W: 4, C: 5, OC: 2, KH: 3, KW: 2, SH: 2, SW: 1, DH: 1, DW: 1, OH: 3, OW: 4, padding: 'same' };
const K = g.KH * g.KW * g.C;
const x = new Float32Array(g.N * g.H * g.W * g.C), w = new Float32Array(K * g.OC), b = new Float32Array(g.OC);
const out = new Float32Array(g.N * g.OH * g.OW * g.OC), col = new Float32Array(g.N * g.OH * g.OW * K);
const p: Pool2DGeometry = { N: 2, H: 5, W: 4, C: 3, KH: 2, KW: 2, SH: 2, SW: 2, OH: 2, OW: 2, padding: 'valid' };
const px = new Float32Array(p.N * p.H * p.W * p.C), py = new Float32Array(p.N * p.OH * p.OW * p.C);

t.test('arrays and colSamples', async (t) => {
  rejectsBadArguments(t, 'conv2dForward', native.conv2dForward as Call, [out, col, x, w, b, g, 2, 1], [6]);
  rejectsBadArguments(t, 'conv2dBackward', native.conv2dBackward as Call, [x.slice(), w.slice(), b.slice(), out, x, w, out, col, g, 2, 1], [9]);
  rejectsBadArguments(t, 'maxPool2dForward', native.maxPool2dForward as Call, [py, px, p], []);
  rejectsBadArguments(t, 'maxPool2dBackward', native.maxPool2dBackward as Call, [px.slice(), py, px, p], []);
  rejectsBadArguments(t, 'avgPool2dForward', native.avgPool2dForward as Call, [py, px, p], []);
  rejectsBadArguments(t, 'avgPool2dBackward', native.avgPool2dBackward as Call, [px.slice(), py, p], []);
  t.throws(() => native.conv2dForward(out, col, new Float32Array(7), w, b, g, 2, 0),
    new RangeError(`conv2dForward: x has 7 elements, expected N*H*W*C = ${x.length}`));
  t.throws(() => native.conv2dForward(out, col, x, w, b, g, 3, 0), RangeError, 'colSamples > N');
  t.throws(() => native.conv2dForward(out, col, x, w, b, g, 1, 0), RangeError, 'col sized for another colSamples');
  t.doesNotThrow(() => native.conv2dForward(out, col.subarray(0, col.length / 2), x, w, b, g, 1, 0), 'col for one sample at a time');
});

t.test('col may be null when conv2dNeedsCol says so: few input channels or 1x1 stride 1', async (t) => {
  t.equal(native.conv2dNeedsCol(g), true);
  t.throws(() => native.conv2dForward(out, null, x, w, b, g, 2, 0), TypeError);
  const pw: Conv2DGeometry = { ...g, KH: 1, KW: 1, SH: 1, OH: 5, OW: 4 };
  t.equal(native.conv2dNeedsCol(pw), false);
  t.doesNotThrow(() => native.conv2dForward(new Float32Array(2 * 5 * 4 * 2), null, x, new Float32Array(5 * 2), b, pw, 2, 0));
  const direct: Conv2DGeometry = { ...g, C: 4 };
  t.equal(native.conv2dNeedsCol(direct), false);
  t.doesNotThrow(() => native.conv2dForward(out, null, new Float32Array(2 * 5 * 4 * 4), new Float32Array(3 * 2 * 4 * 2), b, direct, 2, 1));
});

t.test('activations: linear or relu, and relu needs the forward output', async (t) => {
  t.throws(() => native.conv2dForward(out, col, x, w, b, g, 2, 2), /activation \(0 linear, 1 relu\) must be an integer in \[0, 1\], got 2/);
  t.throws(() => native.conv2dBackward(null, w.slice(), null, out.slice(), x, w, null, col, g, 2, 1),
    new TypeError('conv2dBackward: y (the forward output) is required with relu'));
  t.doesNotThrow(() => native.conv2dBackward(null, w.slice(), null, out.slice(), x, w, null, col, g, 2, 0));
});

t.test('conv + max pool: arrays, geometries that fuse, and the argmax', async (t) => {
  // A 2x3x4 x 1-channel input, 3x3 'same' conv to 4 channels, then 2x2 pooling to 1x2.
  const cg: Conv2DGeometry = { N: 2, H: 3, W: 4, C: 1, OC: 4, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, OH: 3, OW: 4, padding: 'same' };
  const pg: Pool2DGeometry = { N: 2, H: 3, W: 4, C: 4, KH: 2, KW: 2, SH: 2, SW: 2, OH: 1, OW: 2, padding: 'valid' };
  const cx = new Float32Array(2 * 3 * 4), cw = new Float32Array(9 * 4), cb = new Float32Array(4);
  const pooled = new Float32Array(2 * 2 * 4), argmax = new Uint8Array(pooled.length);
  t.equal(native.conv2dMaxPoolFusable(cg, pg), true);
  rejectsBadArguments(t, 'conv2dMaxPoolForward', native.conv2dMaxPoolForward as Call, [pooled, argmax, cx, cw, cb, cg, pg, 1], []);
  rejectsBadArguments(t, 'conv2dMaxPoolBackward', native.conv2dMaxPoolBackward as Call,
    [cx.slice(), cw.slice(), cb.slice(), pooled, argmax, cx, cw, cg, pg], []);
  t.throws(() => native.conv2dMaxPoolForward(pooled, new Int32Array(16) as unknown as Uint8Array, cx, cw, cb, cg, pg, 1),
    new TypeError('conv2dMaxPoolForward: argmax must be a Uint8Array or null'));
  t.throws(() => native.conv2dMaxPoolBackward(null, cw, null, pooled, new Uint8Array(15), cx, cw, cg, pg),
    new RangeError('conv2dMaxPoolBackward: argmax has 15 elements, expected N*PH*PW*OC = 16'));
  t.doesNotThrow(() => native.conv2dMaxPoolForward(pooled, null, cx, cw, cb, cg, pg, 0), 'no argmax for inference');
  const unfusable: [string, Conv2DGeometry, Pool2DGeometry][] = [
    ['overlapping windows', cg, { ...pg, SH: 1, SW: 1, OH: 2, OW: 3 }],
    ["'same' pooling padding a window", cg, { ...pg, padding: 'same', OH: 2 }],
    ['more than 4 input channels', { ...cg, C: 5 }, pg],
    ['a pooling of another shape', cg, { ...pg, C: 3 }],
  ];
  for (const [why, c, p2] of unfusable) {
    t.equal(native.conv2dMaxPoolFusable(c, p2), false, why);
    const n = (c.N * c.H * c.W * c.C), pn = p2.N * p2.OH * p2.OW * c.OC;
    t.throws(() => native.conv2dMaxPoolForward(new Float32Array(pn), null, new Float32Array(n), new Float32Array(9 * c.C * 4), cb, c, p2, 1),
      /do not fuse/, why);
  }
});

t.test('geometry fields', async (t) => {
  const call = (geom: unknown): unknown => native.conv2dForward(out, col, x, w, b, geom as Conv2DGeometry, 2, 0);
  t.throws(() => call(null), TypeError, 'not an object');
  for (const key of Object.keys(g).filter((k) => k !== 'padding')) {
    t.throws(() => call({ ...g, [key]: 0 }), RangeError, `${key} = 0`);
    t.throws(() => call({ ...g, [key]: 2.5 }), RangeError, `${key} = 2.5`);
    t.throws(() => call({ ...g, [key]: '2' }), TypeError, `${key} as a string`);
    t.throws(() => call({ ...g, [key]: undefined }), TypeError, `${key} missing`);
  }
  t.throws(() => call({ ...g, padding: 'full' }), TypeError, 'unknown padding');
  t.throws(() => native.maxPool2dForward(py, px, { ...p, padding: 'causal' as 'same' }), TypeError, 'causal pooling');
});

t.test('packed geometries: the same fields as an Int32Array, checked the same way', async (t) => {
  const packed = packConvGeometry(g);
  t.same([...packed], [2, 5, 4, 5, 2, 3, 2, 2, 1, 1, 1, 3, 4, 1], 'fields in declaration order, padding last (1 = same)');
  t.same([...packPoolGeometry(p)], [2, 5, 4, 3, 2, 2, 2, 2, 2, 2, 0]);
  t.same([...packConvGeometry({ ...g, padding: 'causal' })].at(-1), 2);
  const seeded = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i + 1));
  const [sx, sw, sb] = [seeded(x.length), seeded(w.length), seeded(b.length)];
  const viaObject = new Float32Array(out.length), viaPacked = new Float32Array(out.length);
  native.conv2dForward(viaObject, col, sx, sw, sb, g, 2, 1);
  native.conv2dForward(viaPacked, col, sx, sw, sb, packed, 2, 1);
  t.same(viaPacked, viaObject, 'conv2dForward computes the same from either form');
  const pooledObject = new Float32Array(py.length), pooledPacked = new Float32Array(py.length);
  native.maxPool2dForward(pooledObject, seeded(px.length), p);
  native.maxPool2dForward(pooledPacked, seeded(px.length), packPoolGeometry(p));
  t.same(pooledPacked, pooledObject, 'maxPool2dForward too');

  const call = (geom: Int32Array): unknown => native.conv2dForward(out, col, x, w, b, geom, 2, 0);
  t.throws(() => call(packed.subarray(0, 13)), new RangeError('conv2dForward: a packed geom must hold 14 fields, got 13'));
  t.throws(() => native.maxPool2dForward(py, px, packed), new RangeError('maxPool2dForward: a packed geom must hold 11 fields, got 14'));
  t.throws(() => native.conv2dForward(out, col, x, w, b, new Uint32Array(packed) as unknown as Int32Array, 2, 0), TypeError, 'another typed array');
  const withField = (i: number, v: number): Int32Array => { const q = packed.slice(); q[i] = v; return q; };
  t.throws(() => call(withField(11, 0)), new RangeError('conv2dForward: geom.OH must be a positive integer, got 0.000000'));
  t.throws(() => call(withField(4, -3)), new RangeError('conv2dForward: geom.OC must be a positive integer, got -3.000000'));
  t.throws(() => call(withField(11, 2)), new RangeError("conv2dForward: geom.OH = 2 does not match 'same' padding: expected ceil(H/SH) = 3"));
  t.throws(() => call(withField(13, 3)), new TypeError("conv2dForward: geom.padding must be 'valid' (0) or 'same' (1) or 'causal' (2)"));
  const poolPacked = packPoolGeometry(p);
  poolPacked[10] = 2;
  t.throws(() => native.maxPool2dForward(py, px, poolPacked), new TypeError("maxPool2dForward: geom.padding must be 'valid' (0) or 'same' (1)"), 'causal pooling');
  t.throws(() => packConvGeometry({ ...g, OH: 2.5 }), new RangeError('geometry fields must be positive 32-bit integers, got 2.5'));
  t.throws(() => packPoolGeometry({ ...p, N: 2 ** 31 }), RangeError, 'past int32');
});

t.test('output sizes must follow the padding', async (t) => {
  t.throws(() => native.conv2dForward(out, col, x, w, b, { ...g, OH: 2 }, 2, 0),
    new RangeError("conv2dForward: geom.OH = 2 does not match 'same' padding: expected ceil(H/SH) = 3"));
  const valid = { ...g, padding: 'valid' as const, OH: 3, OW: 3 };
  t.throws(() => native.conv2dForward(out, col, x, w, b, valid, 2, 0),
    new RangeError("conv2dForward: geom.OH = 3 does not match 'valid' padding: expected floor((H - ((KH-1)*DH+1))/SH) + 1 = 2"));
  t.throws(() => native.conv2dForward(out, col, x, w, b, { ...g, padding: 'valid', KH: 3, DH: 3, SH: 1 }, 2, 0),
    new RangeError("conv2dForward: the window spans (KH-1)*DH+1 = 7 cells, more than the input's H = 5 under 'valid' padding"));
  t.throws(() => native.maxPool2dForward(py, px, { ...p, KW: 5 }),
    new RangeError("maxPool2dForward: the window spans KW = 5 cells, more than the input's W = 4 under 'valid' padding"));
  t.throws(() => native.avgPool2dForward(py, px, { ...p, OW: 3 }),
    new RangeError("avgPool2dForward: geom.OW = 3 does not match 'valid' padding: expected floor((W - KW)/SW) + 1 = 2"));
});
