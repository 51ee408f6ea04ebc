import t, { Test } from 'tap';
import { native } from '../../lib/native';
import { sameBits } from '../helpers/gradcheck';

// Optimizer steps against values computed by hand from the Keras 3 formulas.
const close = (a: number, b: number, tol = 1e-6): boolean => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

t.test('sgd without momentum', async (t) => {
  const w = Float32Array.from([1, -2]), g = Float32Array.from([0.5, -1]);
  native.sgdUpdate(w, null, g, 0.1, 0, false, 0, false);
  t.ok(close(w[0], 0.95) && close(w[1], -1.9), `w = ${Array.from(w)}`);
});

t.test('sgd with momentum and nesterov', async (t) => {
  const w = Float32Array.from([1]), v = new Float32Array(1), g = Float32Array.from([1]);
  native.sgdUpdate(w, v, g, 0.1, 0.9, false, 0, false); // m = -0.1, w = 0.9
  native.sgdUpdate(w, v, g, 0.1, 0.9, false, 0, false); // m = -0.19, w = 0.71
  t.ok(close(v[0], -0.19) && close(w[0], 0.71), `momentum: w=${w[0]} m=${v[0]}`);
  const wn = Float32Array.from([1]), vn = new Float32Array(1);
  native.sgdUpdate(wn, vn, g, 0.1, 0.9, true, 0, false); // m = -0.1; w += 0.9*-0.1 - 0.1 = 0.81
  t.ok(close(wn[0], 0.81), `nesterov: w=${wn[0]}`);
});

t.test('adam, two steps', async (t) => {
  const w = Float32Array.from([1]), m = new Float32Array(1), v = new Float32Array(1);
  const lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-7;
  let mw = 0, vw = 0, ww = 1;
  for (const [step, grad] of [[1, 0.5], [2, -0.25]]) {
    native.adamUpdate(w, m, v, Float32Array.from([grad]), lr, b1, b2, eps, step, 0, false);
    mw += (grad - mw) * (1 - b1);
    vw += (grad * grad - vw) * (1 - b2);
    const alpha = (lr * Math.sqrt(1 - b2 ** step)) / (1 - b1 ** step);
    ww -= (alpha * mw) / (Math.sqrt(vw) + eps);
  }
  t.ok(close(w[0], ww, 1e-5), `w=${w[0]} expected ${ww}`);
  // The first step of Adam moves each weight by about lr, whatever the gradient's size.
  const w1 = Float32Array.from([0]);
  native.adamUpdate(w1, new Float32Array(1), new Float32Array(1), Float32Array.from([1234]), 0.01, b1, b2, eps, 1, 0, false);
  t.ok(close(w1[0], -0.01, 1e-4), `first step ${w1[0]}`);
});

t.test('adamw decays weights before the step', async (t) => {
  const w = Float32Array.from([2]);
  native.adamUpdate(w, new Float32Array(1), new Float32Array(1), Float32Array.from([0]), 0.1, 0.9, 0.999, 1e-7, 1, 0.5, false);
  t.ok(close(w[0], 2 - 0.1 * 0.5 * 2), `w=${w[0]}`); // zero gradient: only the decay acts
});

t.test('rmsprop plain, momentum and centered', async (t) => {
  const g = Float32Array.from([2]);
  const w = Float32Array.from([1]), ms = new Float32Array(1);
  native.rmspropUpdate(w, ms, null, null, g, 0.01, 0.9, 0, 1e-7, 0, false);
  // ms = 0.1*4 = 0.4; w -= 0.01*2/sqrt(0.4+1e-7)
  t.ok(close(w[0], 1 - 0.02 / Math.sqrt(0.4 + 1e-7)), `plain w=${w[0]}`);
  const wc = Float32Array.from([1]), msc = new Float32Array(1), mg = new Float32Array(1), mom = new Float32Array(1);
  native.rmspropUpdate(wc, msc, mom, mg, g, 0.01, 0.9, 0.5, 1e-7, 0, false);
  // mg = 0.2; denom = 0.4 - 0.04 = 0.36; inc = 0.02/0.6; mom = inc
  t.ok(close(wc[0], 1 - 0.02 / Math.sqrt(0.36 + 1e-7)) && close(mom[0], 0.02 / Math.sqrt(0.36 + 1e-7)), `centered w=${wc[0]}`);
});

// Segments: each array argument may be a list of Float32Arrays, one per weight array, and one call
// updates them all, split across the pool by element count. The result must be the flat update of
// the concatenation, bit for bit. Uneven sizes, an empty one, one of several slices (kGrain = 16384
// values) so the pool's threads share it, and unaligned views; slice boundaries move with the thread count.
const GRAIN = 1 << 14;
const SIZES = [1, 7, 0, 2 * GRAIN + 4099, 513, 3, GRAIN - 1, 29];

function seeded(n: number, seed: number, lo: number, hi: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((hi - lo) * s) / 2 ** 32;
  });
}

/** Copies of flat's pieces; with `unaligned`, views at odd offsets into larger buffers. */
function split(flat: Float32Array, unaligned: boolean): Float32Array[] {
  let at = 0;
  return SIZES.map((n, i) => {
    const piece = flat.subarray(at, (at += n));
    if (!unaligned) return piece.slice();
    const view = new Float32Array(n + i + 3).subarray(i % 4 + 1, i % 4 + 1 + n);
    view.set(piece);
    return view;
  });
}

const concat = (parts: Float32Array[]): Float32Array => {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};

type Update = (arrays: (Float32Array | Float32Array[] | null)[], step: number) => void;

/** Runs `update` on flat arrays and on segments of the same values, two steps, and compares every array. */
function segmentsMatchFlat(t: Test, label: string, ranges: ([number, number] | null)[], update: Update): void {
  const total = SIZES.reduce((s, n) => s + n, 0);
  const defaultThreads = native.getNumThreads();
  for (const threads of [1, 2, 3]) {
    native.setNumThreads(threads);
    for (const unaligned of [false, true]) {
      const flat = ranges.map((r, k) => (r ? seeded(total, 17 * k + 5, r[0], r[1]) : null));
      const segments = flat.map((a) => (a ? split(a, unaligned) : null));
      for (const step of [1, 2]) {
        update(flat, step);
        update(segments, step);
      }
      const same = flat.every((a, k) => a === null || sameBits(concat(segments[k]!), a));
      t.ok(same, `${label}, ${threads} thread(s)${unaligned ? ', unaligned views' : ''}: the same bits as the flat update`);
    }
  }
  native.setNumThreads(defaultThreads);
}

t.test('segmented updates equal the flat update of the concatenation, bit for bit', async (t) => {
  const gradRange: [number, number] = [-2, 2];
  for (const weightDecay of [0, 0.01]) {
    for (const consumeGrad of [true, false]) {
      segmentsMatchFlat(t, `adam weightDecay=${weightDecay} consumeGrad=${consumeGrad}`, [[-1, 1], [-0.1, 0.1], [0, 0.05], gradRange],
        ([w, m, v, g], step) => native.adamUpdate(w!, m!, v!, g!, 0.01, 0.9, 0.999, 1e-7, step, weightDecay, consumeGrad));
    }
  }
  for (const nesterov of [false, true]) {
    segmentsMatchFlat(t, `sgd momentum nesterov=${nesterov}`, [[-1, 1], [-0.1, 0.1], gradRange],
      ([w, velocity, g]) => native.sgdUpdate(w!, velocity, g!, 0.05, 0.9, nesterov, 0.001, true));
  }
  segmentsMatchFlat(t, 'sgd without momentum (velocity null)', [[-1, 1], null, gradRange],
    ([w, velocity, g]) => native.sgdUpdate(w!, velocity, g!, 0.05, 0, false, 0, false));
  for (const [momentum, centered] of [[0.5, true], [0.5, false], [0, true], [0, false]] as const) {
    segmentsMatchFlat(t, `rmsprop momentum=${momentum} centered=${centered}`,
      [[-1, 1], [0, 0.05], momentum > 0 ? [-0.01, 0.01] : null, centered ? [-0.01, 0.01] : null, gradRange],
      ([w, ms, mom, mg, g]) => native.rmspropUpdate(w!, ms!, mom, mg, g!, 0.01, 0.9, momentum, 1e-7, 0.002, true));
  }
});
