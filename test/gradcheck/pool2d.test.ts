import t, { Test } from 'tap';
import { convOutputLength } from '../../lib/layers/conv';
import { Pool2DGeometry, native } from '../../lib/native';
import { checkGradient, maxAbsDiff, randomArray, rng, weightedSum } from '../helpers/gradcheck';

// Max and average pooling against a direct loop (TF's rules: padded cells never
// take part, averages divide by the real cells) and their backward passes against
// central differences. Inputs are distinct values 0.05 apart, so no +-eps
// perturbation changes a window's maximum: ties and kinks are avoided by construction.
// Every case runs on 1 and 2 threads (the kernels split the batch); 2x2 windows
// at stride 2 inside the input take loops of their own.

function geometry(N: number, H: number, W: number, C: number, KH: number, KW: number, SH: number, SW: number,
  padding: 'valid' | 'same'): Pool2DGeometry {
  return {
    N, H, W, C, KH, KW, SH, SW, padding,
    OH: convOutputLength(H, KH, SH, 1, padding), OW: convOutputLength(W, KW, SW, 1, padding),
  };
}

/** Distinct values k * 0.05 in a seeded random order. */
function distinctValues(n: number, seed: number): Float32Array {
  const r = rng(seed);
  const v = Float32Array.from({ length: n }, (_, i) => (i - n / 2) * 0.05);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [v[i], v[j]] = [v[j], v[i]];
  }
  return v;
}

function directPool(x: Float32Array, g: Pool2DGeometry, mode: 'max' | 'avg'): Float64Array {
  const lead = (O: number, S: number, K: number, I: number): number =>
    g.padding === 'valid' ? 0 : Math.floor(Math.max((O - 1) * S + K - I, 0) / 2);
  const PT = lead(g.OH, g.SH, g.KH, g.H), PL = lead(g.OW, g.SW, g.KW, g.W);
  const out = new Float64Array(g.N * g.OH * g.OW * g.C);
  for (let n = 0; n < g.N; n++) for (let oh = 0; oh < g.OH; oh++) for (let ow = 0; ow < g.OW; ow++) for (let c = 0; c < g.C; c++) {
    let acc = mode === 'max' ? -Infinity : 0, count = 0;
    for (let kh = 0; kh < g.KH; kh++) for (let kw = 0; kw < g.KW; kw++) {
      const ih = oh * g.SH - PT + kh, iw = ow * g.SW - PL + kw;
      if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
      const v = x[((n * g.H + ih) * g.W + iw) * g.C + c];
      acc = mode === 'max' ? Math.max(acc, v) : acc + v;
      count++;
    }
    out[((n * g.OH + oh) * g.OW + ow) * g.C + c] = mode === 'max' ? acc : acc / count;
  }
  return out;
}

function check(t: Test, g: Pool2DGeometry, mode: 'max' | 'avg', seed: number): void {
  for (const threads of [1, 2]) {
    t.test(`${threads} thread${threads > 1 ? 's' : ''}`, async (t) => {
      native.setNumThreads(threads);
      checkOnce(t, g, mode, seed);
    });
  }
}

function checkOnce(t: Test, g: Pool2DGeometry, mode: 'max' | 'avg', seed: number): void {
  const x = distinctValues(g.N * g.H * g.W * g.C, seed);
  const r = randomArray(g.N * g.OH * g.OW * g.C, seed + 1);
  const out = new Float32Array(r.length);
  const forward = mode === 'max' ? native.maxPool2dForward : native.avgPool2dForward;
  forward(out, x, g);
  // Relative to the inputs' magnitude: an average rounds to float32 at their scale.
  const scale = Math.max(1, ...x.map(Math.abs));
  t.ok(maxAbsDiff(out, directPool(x, g, mode)) < 1e-6 * scale, 'forward matches the direct loop');
  const objective = (): number => {
    forward(out, x, g);
    return weightedSum(out, r);
  };
  const dx = new Float32Array(x.length).fill(3);  // overwritten, never accumulated
  if (mode === 'max') native.maxPool2dBackward(dx, r, x, g);
  else native.avgPool2dBackward(dx, r, g);
  const res = checkGradient(x, dx, objective, { maxPoints: 400 });
  t.ok(res.maxRelError < 1e-3, `dx: max rel error ${res.maxRelError.toExponential(2)} over ${res.checked} points`, res.worst ?? {});
}

const cases: [string, Pool2DGeometry][] = [
  ['2x2 stride 2 valid, odd input', geometry(2, 5, 7, 3, 2, 2, 2, 2, 'valid')],
  ['2x2 stride 2 valid, batch of 3, 20 channels', geometry(3, 6, 4, 20, 2, 2, 2, 2, 'valid')],
  ['2x2 stride 2 same, odd input (padded last row/column)', geometry(2, 5, 7, 3, 2, 2, 2, 2, 'same')],
  ['3x3 stride 1 same (padding on both sides)', geometry(1, 4, 5, 2, 3, 3, 1, 1, 'same')],
  ['3x3 stride 2 valid, overlapping windows', geometry(2, 7, 6, 1, 3, 3, 2, 2, 'valid')],
  ['3x2 strides [1, 3] same', geometry(1, 6, 7, 2, 3, 2, 1, 3, 'same')],
  ['4x4 pool on a 3x5 input, same (window larger than the input)', geometry(1, 3, 5, 2, 4, 4, 3, 2, 'same')],
  ['1-D as height 1: pool 3 stride 2 same', geometry(2, 1, 9, 4, 1, 3, 1, 2, 'same')],
];
let seed = 1;
for (const mode of ['max', 'avg'] as const) {
  for (const [name, g] of cases) {
    const s = (seed += 10);
    t.test(`${mode}: ${name} -> ${g.OH}x${g.OW}`, async (t) => check(t, g, mode, s));
  }
}

t.test('max pooling ties: the first maximal cell in window order takes the gradient', async (t) => {
  const g = geometry(1, 2, 2, 1, 2, 2, 2, 2, 'valid');
  const x = new Float32Array([1, 5, 5, 2]);
  const out = new Float32Array(1), dx = new Float32Array(4);
  native.maxPool2dForward(out, x, g);
  native.maxPool2dBackward(dx, new Float32Array([1]), x, g);
  t.same([...out], [5]);
  t.same([...dx], [0, 1, 0, 0]);
});

t.test('same-padded average divides by the real cells only', async (t) => {
  // 3x3 input, 2x2 windows stride 2 'same': pads one row/column at the bottom/right.
  const g = geometry(1, 3, 3, 1, 2, 2, 2, 2, 'same');
  const x = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const out = new Float32Array(4);
  native.avgPool2dForward(out, x, g);
  t.same([...out], [3, 4.5, 7.5, 9]);
  native.maxPool2dForward(out, new Float32Array(9).fill(-1), g);
  t.same([...out], [-1, -1, -1, -1], 'max ignores padding (no zero from it)');
});
