import t from 'tap';
import { Conv2DGeometry, Pool2DGeometry, native } from '../../lib/native';
import { Call, rejectsBadArguments } from '../helpers/binding';

// The conv and pool exports check every array against the geometry, and the
// geometry against TensorFlow's output-size rules, before any kernel runs.
const g: Conv2DGeometry = { N: 2, H: 5, W: 4, C: 3, OC: 2, KH: 3, KW: 2, SH: 2, SW: 1, DH: 1, DW: 1, OH: 3, OW: 4, padding: 'same' };
const K = g.KH * g.KW * g.C;
const x = new Float32Array(g.N * g.H * g.W * g.C), w = new Float32Array(K * g.OC), b = new Float32Array(g.OC);
const out = new Float32Array(g.N * g.OH * g.OW * g.OC), col = new Float32Array(g.N * g.OH * g.OW * K);
const p: Pool2DGeometry = { N: 2, H: 5, W: 4, C: 3, KH: 2, KW: 2, SH: 2, SW: 2, OH: 2, OW: 2, padding: 'valid' };
const px = new Float32Array(p.N * p.H * p.W * p.C), py = new Float32Array(p.N * p.OH * p.OW * p.C);

t.test('arrays and colSamples', async (t) => {
  rejectsBadArguments(t, 'conv2dForward', native.conv2dForward as Call, [out, col, x, w, b, g, 2], [6]);
  rejectsBadArguments(t, 'conv2dBackward', native.conv2dBackward as Call, [x.slice(), w.slice(), b.slice(), out, x, w, col, g, 2], [8]);
  rejectsBadArguments(t, 'maxPool2dForward', native.maxPool2dForward as Call, [py, px, p], []);
  rejectsBadArguments(t, 'maxPool2dBackward', native.maxPool2dBackward as Call, [px.slice(), py, px, p], []);
  rejectsBadArguments(t, 'avgPool2dForward', native.avgPool2dForward as Call, [py, px, p], []);
  rejectsBadArguments(t, 'avgPool2dBackward', native.avgPool2dBackward as Call, [px.slice(), py, p], []);
  t.throws(() => native.conv2dForward(out, col, new Float32Array(7), w, b, g, 2),
    new RangeError(`conv2dForward: x has 7 elements, expected N*H*W*C = ${x.length}`));
  t.throws(() => native.conv2dForward(out, col, x, w, b, g, 3), RangeError, 'colSamples > N');
  t.throws(() => native.conv2dForward(out, col, x, w, b, g, 1), RangeError, 'col sized for another colSamples');
  t.doesNotThrow(() => native.conv2dForward(out, col.subarray(0, col.length / 2), x, w, b, g, 1), 'col for one sample at a time');
});

t.test('col may be null only for a 1x1 stride-1 convolution', async (t) => {
  t.throws(() => native.conv2dForward(out, null, x, w, b, g, 2), TypeError);
  const pw: Conv2DGeometry = { ...g, KH: 1, KW: 1, SH: 1, OH: 5, OW: 4 };
  t.doesNotThrow(() => native.conv2dForward(new Float32Array(2 * 5 * 4 * 2), null, x, new Float32Array(3 * 2), b, pw, 2));
});

t.test('geometry fields', async (t) => {
  const call = (geom: unknown): unknown => native.conv2dForward(out, col, x, w, b, geom as Conv2DGeometry, 2);
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

t.test('output sizes must follow the padding', async (t) => {
  t.throws(() => native.conv2dForward(out, col, x, w, b, { ...g, OH: 2 }, 2),
    new RangeError("conv2dForward: geom.OH = 2 does not match 'same' padding: expected ceil(H/SH) = 3"));
  const valid = { ...g, padding: 'valid' as const, OH: 3, OW: 3 };
  t.throws(() => native.conv2dForward(out, col, x, w, b, valid, 2),
    new RangeError("conv2dForward: geom.OH = 3 does not match 'valid' padding: expected floor((H - ((KH-1)*DH+1))/SH) + 1 = 2"));
  t.throws(() => native.conv2dForward(out, col, x, w, b, { ...g, padding: 'valid', KH: 3, DH: 3, SH: 1 }, 2),
    new RangeError("conv2dForward: the window spans (KH-1)*DH+1 = 7 cells, more than the input's H = 5 under 'valid' padding"));
  t.throws(() => native.maxPool2dForward(py, px, { ...p, KW: 5 }),
    new RangeError("maxPool2dForward: the window spans KW = 5 cells, more than the input's W = 4 under 'valid' padding"));
  t.throws(() => native.avgPool2dForward(py, px, { ...p, OW: 3 }),
    new RangeError("avgPool2dForward: geom.OW = 3 does not match 'valid' padding: expected floor((W - KW)/SW) + 1 = 2"));
});
