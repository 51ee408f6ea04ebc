import t, { Test } from 'tap';
import { convOutputLength } from '../../lib/layers/conv';
import { Conv2DGeometry, native } from '../../lib/native';
import { checkGradient, maxAbsDiff, randomArray, sameBits, weightedSum } from '../helpers/gradcheck';

// conv2d_forward against a direct loop, and conv2d_backward against central
// differences for x, w and b, over strides x padding x dilation x channels x batch.
// C <= 4 runs the direct kernels (vectorised over output channels: OC = 2, 16, 20
// and 33 give partial, whole and mixed vector blocks), C > 4 im2col + GEMM. The
// fused relu is checked against the linear kernel followed by relu. Every case
// runs on 1 and 2 threads, with batches that do not divide by the thread count.
// conv2d-isa.test.ts runs this file again with the AVX2 and portable kernels.

function geometry(N: number, H: number, W: number, C: number, OC: number, KH: number, KW: number, S: number, D: number,
  padding: 'valid' | 'same'): Conv2DGeometry {
  return {
    N, H, W, C, OC, KH, KW, SH: S, SW: S, DH: D, DW: D, padding,
    OH: convOutputLength(H, KH, S, D, padding), OW: convOutputLength(W, KW, S, D, padding),
  };
}

/** The convolution written out directly, in double precision; TF's 'same' puts the extra pad at the end. */
function directConv(x: Float32Array, w: Float32Array, b: Float32Array, g: Conv2DGeometry): Float64Array {
  const lead = (O: number, S: number, K: number, D: number, I: number): number =>
    g.padding === 'valid' ? 0 : Math.floor(Math.max((O - 1) * S + (K - 1) * D + 1 - I, 0) / 2);
  const PT = lead(g.OH, g.SH, g.KH, g.DH, g.H), PL = lead(g.OW, g.SW, g.KW, g.DW, g.W);
  const out = new Float64Array(g.N * g.OH * g.OW * g.OC);
  for (let n = 0; n < g.N; n++) for (let oh = 0; oh < g.OH; oh++) for (let ow = 0; ow < g.OW; ow++) for (let o = 0; o < g.OC; o++) {
    let s = b[o];
    for (let kh = 0; kh < g.KH; kh++) for (let kw = 0; kw < g.KW; kw++) {
      const ih = oh * g.SH - PT + kh * g.DH, iw = ow * g.SW - PL + kw * g.DW;
      if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
      for (let c = 0; c < g.C; c++) s += x[((n * g.H + ih) * g.W + iw) * g.C + c] * w[((kh * g.KW + kw) * g.C + c) * g.OC + o];
    }
    out[((n * g.OH + oh) * g.OW + ow) * g.OC + o] = s;
  }
  return out;
}

const LINEAR = 0, RELU = 1;
t.comment(`direct kernels: ${native.simdLevel()}`);

function check(t: Test, g: Conv2DGeometry, colSamples: number, seed: number): void {
  for (const threads of [1, 2]) {
    native.setNumThreads(threads);
    checkOnce(t, g, colSamples, seed, `${threads} thread${threads > 1 ? 's' : ''}`);
  }
}

function checkOnce(t: Test, g: Conv2DGeometry, colSamples: number, seed: number, label: string): void {
  const K = g.KH * g.KW * g.C;
  const x = randomArray(g.N * g.H * g.W * g.C, seed), w = randomArray(K * g.OC, seed + 1), b = randomArray(g.OC, seed + 2);
  const r = randomArray(g.N * g.OH * g.OW * g.OC, seed + 3);
  const out = new Float32Array(r.length);
  const col = native.conv2dNeedsCol(g) ? new Float32Array(colSamples * g.OH * g.OW * K) : null;
  native.conv2dForward(out, col, x, w, b, g, colSamples, LINEAR);
  t.ok(maxAbsDiff(out, directConv(x, w, b, g)) < 1e-5, `${label}: forward matches the direct loop`);

  const objective = (): number => {
    native.conv2dForward(out, col, x, w, b, g, colSamples, LINEAR);
    return weightedSum(out, r);
  };
  const dx = new Float32Array(x.length), dw = new Float32Array(w.length), db = new Float32Array(b.length);
  native.conv2dBackward(dx, dw, db, r.slice(), x, w, null, col, g, colSamples, LINEAR);
  for (const [name, input, grad] of [['x', x, dx], ['w', w, dw], ['b', b, db]] as const) {
    const res = checkGradient(input, grad, objective, { maxPoints: 60 });
    t.ok(res.maxRelError < 1e-3, `${label}: d${name}: max rel error ${res.maxRelError.toExponential(2)} over ${res.checked} points`, res.worst ?? {});
  }
  // Parameter gradients accumulate, the input gradient is overwritten, and dx may be skipped.
  const dw1 = dw.slice(), dx1 = dx.slice();
  dx.fill(7);
  native.conv2dBackward(dx, dw, null, r.slice(), x, w, null, col, g, colSamples, LINEAR);
  t.ok(maxAbsDiff(dw, dw1.map((v) => 2 * v)) < 1e-5, `${label}: dw accumulates`);
  t.ok(maxAbsDiff(dx, dx1) === 0, `${label}: dx is overwritten`);
  const dw2 = dw.slice();
  native.conv2dBackward(null, dw, null, r.slice(), x, w, null, col, g, colSamples, LINEAR);
  t.ok(maxAbsDiff(dw, dw2.map((v, i) => v + dw1[i])) < 1e-5, `${label}: dx = null still accumulates dw`);

  // relu in the kernel = the linear kernel, then relu; backward = the linear backward of dy masked where out <= 0.
  const z = out.slice();
  native.conv2dForward(z, col, x, w, b, g, colSamples, LINEAR);
  const y = new Float32Array(z.length);
  native.conv2dForward(y, col, x, w, b, g, colSamples, RELU);
  t.ok(maxAbsDiff(y, z.map((v) => Math.max(v, 0))) === 0, `${label}: relu forward = linear forward, then relu`);
  const dyRelu = r.slice(), dxRelu = new Float32Array(x.length), dwRelu = new Float32Array(w.length), dbRelu = new Float32Array(b.length);
  native.conv2dBackward(dxRelu, dwRelu, dbRelu, dyRelu, x, w, y, col, g, colSamples, RELU);
  const masked = r.map((v, i) => (z[i] > 0 ? v : 0));
  dx.fill(0); dw.fill(0); db.fill(0);
  native.conv2dBackward(dx, dw, db, masked, x, w, null, col, g, colSamples, LINEAR);
  t.ok(maxAbsDiff(dxRelu, dx) < 1e-6 && maxAbsDiff(dwRelu, dw) < 1e-5 && maxAbsDiff(dbRelu, db) < 1e-5,
    `${label}: relu backward = linear backward of the masked gradient`);

  // Null weight gradients (a frozen layer, an explanation): dw's work is skipped, dx and db keep their bits.
  for (const [name, act] of [['linear', LINEAR], ['relu', RELU]] as const) {
    const dxAll = new Float32Array(x.length), dbAll = new Float32Array(b.length);
    native.conv2dBackward(dxAll, new Float32Array(w.length), dbAll, r.slice(), x, w, y, col, g, colSamples, act);
    const dxOnly = new Float32Array(x.length).fill(NaN), dbOnly = new Float32Array(b.length);
    col?.fill(NaN); // col's content on entry is ignored
    native.conv2dBackward(dxOnly, null, null, r.slice(), x, w, y, col, g, colSamples, act);
    t.ok(sameBits(dxOnly, dxAll), `${label}, ${name}: dx without dw, db has the same bits`);
    native.conv2dBackward(null, null, dbOnly, r.slice(), x, w, y, col, g, colSamples, act);
    t.ok(sameBits(dbOnly, dbAll), `${label}, ${name}: db alone has the same bits`);
  }
}

// Odd, non-square inputs and kernels; the channel/batch combinations cycle so every
// stride/padding/dilation case meets direct (C <= 4) and im2col (C > 4) kernels,
// several OC values and batch sizes of 1, 2 and 3.
const combos: [number, number, number][] = [[1, 2, 1], [5, 4, 2], [3, 20, 3], [6, 2, 1], [1, 16, 3], [4, 33, 2]];
let seed = 10, next = 0;
for (const S of [1, 2]) {
  for (const padding of ['valid', 'same'] as const) {
    for (const D of [1, 2]) {
      for (const [C, OC, N] of [combos[next++ % combos.length], combos[next++ % combos.length]]) {
        const g = geometry(N, 7, 6, C, OC, 3, 2, S, D, padding);
        const s = (seed += 10);
        t.test(`S=${S} ${padding} D=${D} C=${C} OC=${OC} N=${N} -> ${g.OH}x${g.OW}`, async (t) => check(t, g, N, s));
      }
    }
  }
}

t.test('im2col batches split across several GEMMs (colSamples < N)', async (t) => {
  check(t, geometry(3, 5, 5, 5, 3, 3, 3, 1, 1, 'same'), 1, 500);
  check(t, geometry(5, 5, 4, 6, 2, 2, 2, 2, 1, 'valid'), 2, 510);
});

t.test('1x1 stride-1 convolution reads x directly (no col)', async (t) => {
  check(t, geometry(2, 3, 5, 5, 3, 1, 1, 1, 1, 'same'), 1, 600);
  check(t, geometry(2, 3, 5, 4, 3, 1, 1, 1, 1, 'valid'), 2, 610);
});

t.test('1x1 stride-2 convolution subsamples', async (t) => {
  check(t, geometry(2, 5, 5, 5, 3, 1, 1, 2, 1, 'same'), 2, 700);
  check(t, geometry(3, 5, 5, 2, 3, 1, 1, 2, 1, 'same'), 3, 710);
});

t.test('the seed CNN\'s layer: 3x3 on one channel to 32 filters, batch 5', async (t) => {
  check(t, geometry(5, 9, 8, 1, 32, 3, 3, 1, 1, 'valid'), 5, 900);
});

t.test('kernel as large as the input, even sizes, even same-padding', async (t) => {
  check(t, geometry(1, 4, 4, 2, 2, 4, 4, 1, 1, 'valid'), 1, 800);
  check(t, geometry(2, 4, 6, 1, 2, 4, 2, 1, 1, 'same'), 2, 810);
  check(t, geometry(2, 4, 6, 1, 2, 2, 4, 3, 1, 'same'), 2, 820);
});
