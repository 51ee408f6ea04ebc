// Central finite differences against analytic gradients (after Caffe's
// GradientChecker): objective sum(out * r) with a fixed random r, so every
// output element contributes with its own weight.
import { Tensor } from '../../lib/tensor';

/** A deterministic generator for test data, independent of bn.setSeed. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform values in [lo, hi). */
export function randomArray(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}

export interface GradCheckResult {
  /** Largest |analytic - numeric| / max(1, |analytic|, |numeric|) over checked points. */
  maxRelError: number;
  checked: number;
  worst: { index: number; analytic: number; numeric: number } | null;
}

/**
 * Compares `analytic` (the gradient of objective() with respect to `input`) with
 * central differences, perturbing each checked element of input by +-eps.
 * objective() must recompute the scalar from scratch using input's current values
 * (in double precision where possible). Points where `skip(i)` is true (kinks) are left out.
 */
export function checkGradient(
  input: Float32Array,
  analytic: Float32Array,
  objective: () => number,
  opts: { eps?: number; maxPoints?: number; skip?: (i: number) => boolean } = {},
): GradCheckResult {
  const eps = opts.eps ?? 1e-2;
  const stride = Math.max(1, Math.floor(input.length / (opts.maxPoints ?? 200)));
  let maxRelError = 0, checked = 0;
  let worst: GradCheckResult['worst'] = null;
  for (let i = 0; i < input.length; i += stride) {
    if (opts.skip?.(i)) continue;
    const orig = input[i];
    input[i] = orig + eps;
    const plus = objective();
    input[i] = orig - eps;
    const minus = objective();
    input[i] = orig;
    // Use the perturbation float32 actually applied.
    const h = (Math.fround(orig + eps) - Math.fround(orig - eps));
    const numeric = (plus - minus) / h;
    const a = analytic[i];
    const rel = Math.abs(a - numeric) / Math.max(1, Math.abs(a), Math.abs(numeric));
    checked++;
    if (rel > maxRelError) {
      maxRelError = rel;
      worst = { index: i, analytic: a, numeric };
    }
  }
  return { maxRelError, checked, worst };
}

/** sum(out * r) in double precision. */
export function weightedSum(out: ArrayLike<number>, r: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < out.length; i++) s += out[i] * r[i];
  return s;
}

/** Max absolute difference between two arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Whether two float arrays hold the same bits (NaN payloads and the sign of zero included). */
export function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

export function f32(t: Tensor): Float32Array {
  return t.data as Float32Array;
}
