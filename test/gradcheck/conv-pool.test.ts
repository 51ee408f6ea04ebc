import t, { Test } from 'tap';
import { convOutputLength } from '../../lib/layers/conv';
import { Conv2DGeometry, Pool2DGeometry, native } from '../../lib/native';
import { checkGradient, maxAbsDiff, randomArray, sameBits, weightedSum } from '../helpers/gradcheck';

// The fused convolution + activation + max pooling against the unfused kernels
// (conv2dForward/Backward and maxPool2dForward/Backward, each checked on its own):
// the same pooled outputs bit for bit, the same gradients; and against central
// differences through the fused relu, skipping points where a perturbation moves
// a window's maximum or crosses relu's kink. On 1 and 2 threads, odd batches.

const LINEAR = 0, RELU = 1;
t.comment(`direct kernels: ${native.simdLevel()}`);

function geometries(N: number, H: number, W: number, C: number, OC: number, K: number, S: number, D: number,
  padding: 'valid' | 'same', PK: [number, number]): [Conv2DGeometry, Pool2DGeometry] {
  const KH = H === 1 ? 1 : K;
  const OH = convOutputLength(H, KH, H === 1 ? 1 : S, D, padding), OW = convOutputLength(W, K, S, D, padding);
  const conv: Conv2DGeometry = { N, H, W, C, OC, KH, KW: K, SH: H === 1 ? 1 : S, SW: S, DH: D, DW: D, OH, OW, padding };
  const [PH, PW] = PK;
  const pool: Pool2DGeometry = {
    N, H: OH, W: OW, C: OC, KH: PH, KW: PW, SH: PH, SW: PW, padding: 'valid',
    OH: convOutputLength(OH, PH, PH, 1, 'valid'), OW: convOutputLength(OW, PW, PW, 1, 'valid'),
  };
  return [conv, pool];
}

function check(t: Test, g: Conv2DGeometry, p: Pool2DGeometry, act: number, seed: number): void {
  t.ok(native.conv2dMaxPoolFusable(g, p), 'the geometries fuse');
  for (const threads of [1, 2]) {
    native.setNumThreads(threads);
    checkOnce(t, g, p, act, seed, `${threads} thread${threads > 1 ? 's' : ''}`);
  }
}

function checkOnce(t: Test, g: Conv2DGeometry, p: Pool2DGeometry, act: number, seed: number, label: string): void {
  const x = randomArray(g.N * g.H * g.W * g.C, seed), w = randomArray(g.KH * g.KW * g.C * g.OC, seed + 1);
  const b = randomArray(g.OC, seed + 2), r = randomArray(g.N * p.OH * p.OW * g.OC, seed + 3);

  // Unfused: conv (+ act) to z, then max pooling.
  const z = new Float32Array(g.N * g.OH * g.OW * g.OC), pooled = new Float32Array(r.length);
  native.conv2dForward(z, null, x, w, b, g, 1, act);
  native.maxPool2dForward(pooled, z, p);
  const dz = new Float32Array(z.length), dxRef = new Float32Array(x.length);
  const dwRef = new Float32Array(w.length), dbRef = new Float32Array(b.length);
  native.maxPool2dBackward(dz, r, z, p);
  native.conv2dBackward(dxRef, dwRef, dbRef, dz, x, w, z, null, g, 1, act);

  const out = new Float32Array(r.length), argmax = new Uint8Array(r.length);
  native.conv2dMaxPoolForward(out, argmax, x, w, b, g, p, act);
  t.ok(maxAbsDiff(out, pooled) === 0, `${label}: forward equals conv then pool`);
  const inference = new Float32Array(r.length);
  native.conv2dMaxPoolForward(inference, null, x, w, b, g, p, act);
  t.ok(maxAbsDiff(inference, pooled) === 0, `${label}: forward without argmax (inference) too`);

  const dx = new Float32Array(x.length).fill(5), dw = new Float32Array(w.length), db = new Float32Array(b.length);
  native.conv2dMaxPoolBackward(dx, dw, db, r, argmax, x, w, g, p);
  t.ok(maxAbsDiff(dx, dxRef) < 1e-6, `${label}: dx equals the unfused (max diff ${maxAbsDiff(dx, dxRef).toExponential(1)})`);
  t.ok(maxAbsDiff(dw, dwRef) < 1e-5, `${label}: dw equals the unfused (max diff ${maxAbsDiff(dw, dwRef).toExponential(1)})`);
  t.ok(maxAbsDiff(db, dbRef) < 1e-5, `${label}: db equals the unfused`);
  const dw1 = dw.slice();
  native.conv2dMaxPoolBackward(null, dw, null, r, argmax, x, w, g, p);
  t.ok(maxAbsDiff(dw, dw1.map((v) => 2 * v)) < 1e-5, `${label}: dw accumulates, with dx and db null`);
  const dxOnly = new Float32Array(x.length).fill(NaN), dbOnly = new Float32Array(b.length);
  native.conv2dMaxPoolBackward(dxOnly, null, null, r, argmax, x, w, g, p);
  t.ok(sameBits(dxOnly, dx), `${label}: dx without dw, db has the same bits`);
  native.conv2dMaxPoolBackward(null, null, dbOnly, r, argmax, x, w, g, p);
  t.ok(sameBits(dbOnly, db), `${label}: db alone has the same bits`);

  // Central differences; a point is skipped when its +-eps perturbation changes any argmax.
  const eps = 1e-3;
  const probe = new Uint8Array(r.length), probe2 = new Uint8Array(r.length);
  const objective = (): number => {
    native.conv2dMaxPoolForward(out, null, x, w, b, g, p, act);
    return weightedSum(out, r);
  };
  const kink = (input: Float32Array) => (i: number): boolean => {
    const orig = input[i];
    input[i] = orig + eps;
    native.conv2dMaxPoolForward(out, probe, x, w, b, g, p, act);
    input[i] = orig - eps;
    native.conv2dMaxPoolForward(out, probe2, x, w, b, g, p, act);
    input[i] = orig;
    return probe.some((v, k) => v !== probe2[k]);
  };
  for (const [name, input, grad] of [['x', x, dx], ['w', w, dw1], ['b', b, db]] as const) {
    const res = checkGradient(input, grad, objective, { eps, maxPoints: 40, skip: kink(input) });
    t.ok(res.checked > 0 && res.maxRelError < 2e-3,
      `${label}: d${name}: max rel error ${res.maxRelError.toExponential(2)} over ${res.checked} points`, res.worst ?? {});
  }
}

const cases: [string, ...Parameters<typeof geometries>][] = [
  ['seed CNN block: 3x3 valid on 1 channel to 32, pool 2x2, odd conv output', 3, 12, 11, 1, 32, 3, 1, 1, 'valid', [2, 2]],
  ["'same' conv (border pixels), 2 channels to 20, pool 2x2", 2, 7, 9, 2, 20, 3, 1, 1, 'same', [2, 2]],
  ['strided conv, 3 channels to 5, pool 3x3 (one pixel at a time)', 3, 13, 12, 3, 5, 3, 2, 1, 'valid', [3, 3]],
  ['dilated conv, 4 channels to 16, pool 2x3', 1, 9, 11, 4, 16, 2, 1, 2, 'same', [2, 3]],
  ['Conv1D + MaxPooling1D as height 1: kernel 3 on 1 channel to 33, pool 2', 3, 1, 17, 1, 33, 3, 1, 1, 'same', [1, 2]],
];
let seed = 100;
for (const [name, ...args] of cases) {
  const [g, p] = geometries(...args);
  for (const act of [LINEAR, RELU]) {
    const s = (seed += 10);
    t.test(`${name}, ${act === RELU ? 'relu' : 'linear'} -> ${p.OH}x${p.OW}x${g.OC}`, async (t) => check(t, g, p, act, s));
  }
}

t.test('argmax: the first maximal cell of each window; 255 where relu left the window at 0', async (t) => {
  // One 2x2 window over a 1x1 conv with weight 1: the pooled value is the max of x.
  const [g, p] = geometries(1, 2, 2, 1, 1, 1, 1, 1, 'valid', [2, 2]);
  const out = new Float32Array(1), argmax = new Uint8Array(1), w = new Float32Array([1]);
  const run = (x: number[], act: number): [number, number] => {
    native.conv2dMaxPoolForward(out, argmax, new Float32Array(x), w, null, g, p, act);
    return [out[0], argmax[0]];
  };
  t.same(run([1, 5, 5, 2], LINEAR), [5, 1], 'ties go to the first cell in row-major order');
  t.same(run([-3, -1, -2, -4], LINEAR), [-1, 1], 'linear keeps negative maxima');
  t.same(run([-3, -1, -2, -4], RELU), [0, 255], 'relu: no gradient when the window is all <= 0');
  t.same(run([-3, 0, 2, 2], RELU), [2, 2]);
});
