import t from 'tap';
import * as tf from '@tensorflow/tfjs';
import { convOutputLength } from '../../lib/layers/conv';
import { Conv2DGeometry, Pool2DGeometry, native } from '../../lib/native';
import { maxAbsDiff, randomArray } from '../helpers/gradcheck';

// A NaN reaches the output of every kernel where TensorFlow's would, and changes no
// other value (compared bit for bit with a run where the NaN is a finite number):
// - ReLU is Eigen's cwiseMax<PropagateNaN>(0) (tensorflow/core/kernels/relu_op_functor.h):
//   relu(NaN) = NaN; ReluGrad is gradients * (features > 0), 0 at a NaN input.
//   tfjs agrees on relu, not on its gradient (its step(NaN) is NaN).
// - Max pooling and reduce_max propagate NaN (reduce_max: MaxReducer<T, PropagateNaN>;
//   MaxPool: the cuDNN path and the vectorised CPU path, tensorflow#125965). tfjs's cpu
//   maxPool skips NaN (pixel > max is false); where it does, the tests follow TF. The
//   gradient goes to the cell the forward picked: the first maximal one, or the last NaN.
// The direct convolution runs once per instruction set (nan-simd.test.ts).

const RELU = 1;
t.comment(`direct kernels: ${native.simdLevel()}`);

/** Whether a and b hold the same values, NaN matching NaN and +0 not matching -0. */
function sameValues(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

/** The indices of a's NaNs. */
function nans(a: Float32Array): number[] {
  return [...a.keys()].filter((i) => Number.isNaN(a[i]));
}

/** x with NaN at the given indices. */
function withNaN(x: Float32Array, at: number[]): Float32Array {
  const y = x.slice();
  for (const i of at) y[i] = NaN;
  return y;
}

/** The output pixels (oh, ow) of a convolution whose receptive field holds input pixel (h, w). */
function covering(g: Conv2DGeometry, h: number, w: number): [number, number][] {
  const pad = (out: number, k: number, s: number, d: number, n: number): number =>
    g.padding === 'same' ? Math.floor(Math.max((out - 1) * s + (k - 1) * d + 1 - n, 0) / 2) : 0;
  const PT = pad(g.OH, g.KH, g.SH, g.DH, g.H), PL = pad(g.OW, g.KW, g.SW, g.DW, g.W);
  const hits: [number, number][] = [];
  for (let oh = 0; oh < g.OH; oh++) {
    for (let ow = 0; ow < g.OW; ow++) {
      let kh = 0;
      while (kh < g.KH && oh * g.SH - PT + kh * g.DH !== h) kh++;
      let kw = 0;
      while (kw < g.KW && ow * g.SW - PL + kw * g.DW !== w) kw++;
      if (kh < g.KH && kw < g.KW) hits.push([oh, ow]);
    }
  }
  return hits;
}

function convGeometry(N: number, H: number, W: number, C: number, OC: number, K: number, S: number, D: number,
  padding: 'valid' | 'same'): Conv2DGeometry {
  return { N, H, W, C, OC, KH: K, KW: K, SH: S, SW: S, DH: D, DW: D, padding,
    OH: convOutputLength(H, K, S, D, padding), OW: convOutputLength(W, K, S, D, padding) };
}

function poolGeometry(N: number, H: number, W: number, C: number, KH: number, KW: number, SH: number, SW: number,
  padding: 'valid' | 'same'): Pool2DGeometry {
  return { N, H, W, C, KH, KW, SH, SW, padding,
    OH: convOutputLength(H, KH, SH, 1, padding), OW: convOutputLength(W, KW, SW, 1, padding) };
}

t.test('relu: NaN in, NaN out; +0 for -0; the gradient is dy * (x > 0), as TF', async (t) => {
  const x = Float32Array.from([NaN, -1, 2, -0, 0, Infinity, -Infinity, NaN, 0.5, -3]);
  const y = new Float32Array(x.length);
  native.activationForward(RELU, y, x, 2, 5);
  t.ok(sameValues(y, x.map((v) => (Number.isNaN(v) ? NaN : v > 0 ? v : 0))), `relu ${[...y]}`);
  t.ok(sameValues(y, tf.relu(tf.tensor(x)).dataSync() as Float32Array), 'as tf.relu');

  // NaN dy stays NaN where the unit is off (a multiply, as TF's ReluGrad), a NaN x passes 0.
  const dy = Float32Array.from([1, -2, NaN, NaN, 3, -1, NaN, -4, 2, NaN]);
  const dx = new Float32Array(x.length);
  native.activationBackward(RELU, dx, dy, x, y, 2, 5);
  t.ok(sameValues(dx, dy.map((d, i) => d * (x[i] > 0 ? 1 : 0))), `relu gradient ${[...dx]}`);

  // The other activations already carried NaN through; they still do, relu6 included.
  const names = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'softplus', 'softsign', 'relu6',
    'hard_sigmoid', 'swish', 'gelu'];
  const big = randomArray(64, 1, -8, 8), bad = withNaN(big, [5, 40]);
  names.forEach((name, id) => {
    const out = new Float32Array(64), ref = new Float32Array(64);
    native.activationForward(id, out, bad, 8, 8);
    native.activationForward(id, ref, big, 8, 8);
    // Softmax mixes a row: the NaN rows (0 and 5) are all NaN.
    const expected = id === 4 ? [...Array(8).keys(), ...Array.from({ length: 8 }, (_, k) => 40 + k)] : [5, 40];
    t.same(nans(out), expected, `${name}: NaN exactly where the input's NaN reaches`);
    t.ok(out.every((v, i) => expected.includes(i) || Object.is(v, ref[i])), `${name}: the other values unchanged`);
  });
});

t.test('dense with fused relu: a NaN input fills its row, a NaN bias its column; the rest unchanged', async (t) => {
  // few-rows path (N <= 4, w of 2^18+ values), small product (N <= 4), blocked GEMM, split across threads
  for (const [N, I, U, threads] of [[3, 600, 512, 2], [2, 40, 24, 1], [9, 30, 20, 1], [64, 300, 64, 2]]) {
    native.setNumThreads(threads);
    const x = randomArray(N * I, N), w = randomArray(I * U, I), b = randomArray(U, U);
    const n0 = N - 2, i0 = 7, j0 = 3;
    const out = new Float32Array(N * U), ref = new Float32Array(N * U);
    native.denseForwardActivated(out, withNaN(x, [n0 * I + i0]), w, b, N, I, U, RELU);
    native.denseForwardActivated(ref, x, w, b, N, I, U, RELU);
    const row = Array.from({ length: U }, (_, j) => n0 * U + j);
    t.same(nans(out), row, `${N}x${I}x${U}: NaN fills row ${n0}`);
    t.ok(out.every((v, i) => row.includes(i) || Object.is(v, ref[i])), `${N}x${I}x${U}: other rows unchanged`);

    native.denseForwardActivated(out, x, w, withNaN(b, [j0]), N, I, U, RELU);
    const col = Array.from({ length: N }, (_, n) => n * U + j0);
    t.same(nans(out), col, `${N}x${I}x${U}: a NaN bias fills column ${j0}`);
    t.ok(out.every((v, i) => col.includes(i) || Object.is(v, ref[i])), `${N}x${I}x${U}: other columns unchanged`);

    // Backward from the NaN row: no gradient through it (dy * 0), but dw's row i0 is
    // x[n0, i0] * 0 = NaN, as TF's MatMul gradient gives; the rest as with a finite x.
    native.denseForwardActivated(out, withNaN(x, [n0 * I + i0]), w, b, N, I, U, RELU);
    const dy = randomArray(N * U, 5), dz = dy.slice(), dzRef = dy.slice();
    const dx = new Float32Array(N * I), dw = new Float32Array(I * U), db = new Float32Array(U);
    const dxRef = new Float32Array(N * I), dwRef = new Float32Array(I * U), dbRef = new Float32Array(U);
    native.denseBackwardActivated(dx, dw, db, dz, withNaN(x, [n0 * I + i0]), w, out, N, I, U, RELU);
    native.denseBackwardActivated(dxRef, dwRef, dbRef, dzRef, x, w, out.map((v) => (Number.isNaN(v) ? 0 : v)), N, I, U, RELU);
    t.ok(sameValues(dz, dy.map((d, i) => d * (out[i] > 0 ? 1 : 0))), 'dy masked as dy * (y > 0)');
    t.ok(sameValues(dx, dxRef) && sameValues(db, dbRef), 'dx and db as from a finite input');
    const dwRow = Array.from({ length: U }, (_, j) => i0 * U + j);
    t.same(nans(dw), dwRow, `dw: NaN in row ${i0} only`);
    t.ok(dw.every((v, i) => dwRow.includes(i) || Object.is(v, dwRef[i])), 'dw: other rows unchanged');
  }
  native.setNumThreads(1);
});

t.test('conv2d with relu: NaN exactly at the outputs that see the NaN pixel; direct and im2col', async (t) => {
  for (const [label, g] of [
    ['direct, 1 channel, valid', convGeometry(2, 9, 8, 1, 20, 3, 1, 1, 'valid')],
    ['direct, 3 channels, same, stride 2', convGeometry(2, 9, 9, 3, 8, 3, 2, 1, 'same')],
    ['im2col, 6 channels, same, dilated', convGeometry(2, 8, 7, 6, 5, 3, 1, 2, 'same')],
    ['1x1 GEMM, 6 channels', convGeometry(2, 4, 5, 6, 7, 1, 1, 1, 'valid')],
  ] as [string, Conv2DGeometry][]) {
    const x = randomArray(g.N * g.H * g.W * g.C, 11), w = randomArray(g.KH * g.KW * g.C * g.OC, 12);
    const b = randomArray(g.OC, 13), dy = randomArray(g.N * g.OH * g.OW * g.OC, 14);
    const [n0, h0, w0, c0] = [1, 2, 3, g.C - 1];
    const at = ((n0 * g.H + h0) * g.W + w0) * g.C + c0;
    const bad = withNaN(x, [at]), good = x.slice();
    good[at] = 0;
    const colSize = native.conv2dNeedsCol(g) ? g.N * g.OH * g.OW * g.KH * g.KW * g.C : 0;
    const col = colSize ? new Float32Array(colSize) : null;
    const y = new Float32Array(dy.length), ref = new Float32Array(dy.length);
    native.conv2dForward(y, col, bad, w, b, g, g.N, RELU);
    native.conv2dForward(ref, col, good, w, b, g, g.N, RELU);
    const expected = covering(g, h0, w0).flatMap(([oh, ow]) =>
      Array.from({ length: g.OC }, (_, o) => ((n0 * g.OH + oh) * g.OW + ow) * g.OC + o));
    t.same(nans(y), expected.sort((p, q) => p - q), `${label}: NaN at the ${expected.length} outputs covering the pixel`);
    t.ok(y.every((v, i) => Number.isNaN(v) || Object.is(v, ref[i])), `${label}: other outputs unchanged`);

    // Backward: no gradient through the NaN outputs (y > 0 is false), so dx and db are
    // as from a finite pixel; dw[kh, kw, c0, :] is NaN for each tap that reads the pixel
    // (x * 0 = NaN in the filter gradient, as TF's Conv2DBackpropFilter).
    const grads = (input: Float32Array, out: Float32Array): Float32Array[] => {
      const dx = new Float32Array(x.length), dw = new Float32Array(w.length), db = new Float32Array(b.length);
      native.conv2dBackward(dx, dw, db, dy.slice(), input, w, out, col, g, g.N, RELU);
      return [dx, dw, db];
    };
    const [dx, dw, db] = grads(bad, y), [dxRef, dwRef, dbRef] = grads(good, y.map((v) => (Number.isNaN(v) ? 0 : v)));
    t.ok(sameValues(dx, dxRef) && sameValues(db, dbRef), `${label}: dx and db as from a finite pixel`);
    const taps = new Set<number>();
    for (const [oh, ow] of covering(g, h0, w0)) {
      const pad = (out: number, k: number, s: number, d: number, n: number): number =>
        g.padding === 'same' ? Math.floor(Math.max((out - 1) * s + (k - 1) * d + 1 - n, 0) / 2) : 0;
      const kh = (h0 - oh * g.SH + pad(g.OH, g.KH, g.SH, g.DH, g.H)) / g.DH;
      const kw = (w0 - ow * g.SW + pad(g.OW, g.KW, g.SW, g.DW, g.W)) / g.DW;
      for (let o = 0; o < g.OC; o++) taps.add(((kh * g.KW + kw) * g.C + c0) * g.OC + o);
    }
    t.same(nans(dw), [...taps].sort((p, q) => p - q), `${label}: dw NaN at the taps that read the pixel`);
    t.ok(dw.every((v, i) => taps.has(i) || Object.is(v, dwRef[i])), `${label}: the rest of dw unchanged`);
  }
});

/** Max pooling as TF with NaN propagated: the first maximal cell of a window, or its last NaN; dx from dy. */
function maxPoolReference(x: Float32Array, g: Pool2DGeometry, dy: Float32Array): [Float32Array, Float32Array] {
  const pad = (out: number, k: number, s: number, n: number): number =>
    g.padding === 'same' ? Math.floor(Math.max((out - 1) * s + k - n, 0) / 2) : 0;
  const PT = pad(g.OH, g.KH, g.SH, g.H), PL = pad(g.OW, g.KW, g.SW, g.W);
  const out = new Float32Array(g.N * g.OH * g.OW * g.C), dx = new Float32Array(x.length);
  for (let n = 0; n < g.N; n++) {
    for (let oh = 0; oh < g.OH; oh++) {
      for (let ow = 0; ow < g.OW; ow++) {
        for (let c = 0; c < g.C; c++) {
          let best = NaN, at = -1;
          for (let h = Math.max(oh * g.SH - PT, 0); h < Math.min(oh * g.SH - PT + g.KH, g.H); h++) {
            for (let w = Math.max(ow * g.SW - PL, 0); w < Math.min(ow * g.SW - PL + g.KW, g.W); w++) {
              const i = ((n * g.H + h) * g.W + w) * g.C + c, v = x[i];
              if (at < 0 || v > best || Number.isNaN(v)) [best, at] = [v, i];
            }
          }
          const o = ((n * g.OH + oh) * g.OW + ow) * g.C + c;
          out[o] = best;
          dx[at] = Math.fround(dx[at] + dy[o]);
        }
      }
    }
  }
  return [out, dx];
}

t.test('max pooling: NaN for a window holding a NaN, its gradient to the last NaN; 2-D, 1-D, global', async (t) => {
  for (const [label, g] of [
    ['2x2 stride 2 (the fast path)', poolGeometry(3, 8, 10, 19, 2, 2, 2, 2, 'valid')],
    ['2x2 stride 2, odd sizes', poolGeometry(2, 7, 9, 5, 2, 2, 2, 2, 'valid')],
    ['3x3 stride 1', poolGeometry(2, 7, 6, 70, 3, 3, 1, 1, 'valid')],
    ['3x3 stride 2, same', poolGeometry(2, 9, 8, 4, 3, 3, 2, 2, 'same')],
    ['1-D: pool 3 stride 2, same', poolGeometry(3, 1, 17, 6, 1, 3, 1, 2, 'same')],
  ] as [string, Pool2DGeometry][]) {
    const size = g.N * g.H * g.W * g.C, r = randomArray(size, 21, 0, 1);
    const x = withNaN(randomArray(size, 22), [...r.keys()].filter((i) => r[i] < 0.04));
    const dy = randomArray(g.N * g.OH * g.OW * g.C, 23);
    const [outRef, dxRef] = maxPoolReference(x, g, dy);
    for (const threads of [1, 2]) {
      native.setNumThreads(threads);
      const out = new Float32Array(dy.length), dx = new Float32Array(size).fill(7);
      native.maxPool2dForward(out, x, g);
      native.maxPool2dBackward(dx, dy, x, g);
      t.ok(nans(out).length > 0 && sameValues(out, outRef), `${label}, ${threads} threads: forward (${nans(out).length} NaN windows)`);
      t.ok(sameValues(dx, dxRef), `${label}, ${threads} threads: backward routes to the forward's cell`);
    }
    // tfjs agrees on every window without a NaN.
    const shape: [number, number, number, number] = [g.N, g.H, g.W, g.C];
    const tfOut = tf.maxPool(tf.tensor4d(x, shape), [g.KH, g.KW], [g.SH, g.SW], g.padding).dataSync();
    t.ok(outRef.every((v, i) => Number.isNaN(v) || Object.is(v, tfOut[i])), `${label}: the finite windows as tf.maxPool`);
  }
  native.setNumThreads(1);

  const [N, S, C] = [3, 37, 20];
  const r = randomArray(N * S * C, 31, 0, 1);
  const x = withNaN(randomArray(N * S * C, 32), [...r.keys()].filter((i) => r[i] < 0.02));
  const dy = randomArray(N * C, 33);
  const [outRef, dxRef] = maxPoolReference(x, poolGeometry(N, 1, S, C, 1, S, 1, S, 'valid'), dy);
  const out = new Float32Array(N * C), dx = new Float32Array(x.length).fill(7);
  native.globalMaxPoolForward(out, x, N, S, C);
  native.globalMaxPoolBackward(dx, dy, x, N, S, C);
  t.ok(nans(out).length > 0 && sameValues(out, outRef), `global: forward (${nans(out).length} NaN channels)`);
  t.ok(sameValues(out, tf.max(tf.tensor3d(x, [N, S, C]), 1).dataSync() as Float32Array), 'global: as tf.max, NaN included');
  t.ok(sameValues(dx, dxRef), 'global: backward routes to the forward\'s cell');
});

t.test('conv + relu + max pooling fused: NaN where conv then pool give it; the same gradients', async (t) => {
  for (const act of [0, RELU]) {
    const g = convGeometry(2, 12, 11, 2, 20, 3, 1, 1, 'valid');
    const p = poolGeometry(2, g.OH, g.OW, g.OC, 2, 2, 2, 2, 'valid');
    t.ok(native.conv2dMaxPoolFusable(g, p), 'the geometries fuse');
    const x = withNaN(randomArray(g.N * g.H * g.W * g.C, 41), [(5 * g.W + 4) * g.C + 1]);
    const w = randomArray(g.KH * g.KW * g.C * g.OC, 42), b = randomArray(g.OC, 43);
    const z = new Float32Array(g.N * g.OH * g.OW * g.OC), pooled = new Float32Array(g.N * p.OH * p.OW * g.OC);
    native.conv2dForward(z, null, x, w, b, g, 1, act);
    native.maxPool2dForward(pooled, z, p);
    const out = new Float32Array(pooled.length), argmax = new Uint8Array(pooled.length);
    native.conv2dMaxPoolForward(out, argmax, x, w, b, g, p, act);
    const name = act === RELU ? 'relu' : 'linear';
    t.ok(nans(out).length > 0 && sameValues(out, pooled), `${name}: forward equals conv then pool (${nans(out).length} NaN)`);
    // A NaN window's cell: none after relu (its gradient, dout * (NaN > 0), is 0), else its last NaN.
    const lastNaN = (i: number): number => {
      const o = i % g.OC, pw = Math.floor(i / g.OC) % p.OW, ph = Math.floor(i / (g.OC * p.OW)) % p.OH;
      const n = Math.floor(i / (g.OC * p.OW * p.OH));
      let last = -1;
      for (let cell = 0; cell < 4; cell++) {
        const h = 2 * ph + (cell >> 1), w = 2 * pw + (cell & 1);
        if (Number.isNaN(z[((n * g.OH + h) * g.OW + w) * g.OC + o])) last = cell;
      }
      return last;
    };
    t.ok(nans(out).every((i) => argmax[i] === (act === RELU ? 255 : lastNaN(i))),
      `${name}: the NaN windows' argmax is ${act === RELU ? 'kNoArgmax' : 'their last NaN'}`);

    const dout = randomArray(out.length, 44);
    const dz = new Float32Array(z.length), dxRef = new Float32Array(x.length);
    const dwRef = new Float32Array(w.length), dbRef = new Float32Array(b.length);
    native.maxPool2dBackward(dz, dout, z, p);
    native.conv2dBackward(dxRef, dwRef, dbRef, dz, x, w, z, null, g, 1, act);
    const dx = new Float32Array(x.length), dw = new Float32Array(w.length), db = new Float32Array(b.length);
    native.conv2dMaxPoolBackward(dx, dw, db, dout, argmax, x, w, g, p);
    for (const [k, fused, ref] of [['dx', dx, dxRef], ['dw', dw, dwRef], ['db', db, dbRef]] as const) {
      const finite = (i: number): boolean => !Number.isNaN(ref[i]);
      t.ok(nans(fused).length === nans(ref).length && nans(fused).every((i) => !finite(i)) &&
        maxAbsDiff(fused.filter((_, i) => finite(i)), ref.filter((_, i) => finite(i))) < 1e-5,
      `${name}: ${k} as the unfused kernels give it (${nans(ref).length} NaN)`);
    }
  }
});
