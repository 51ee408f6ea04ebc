// The benchmark workloads, their analytic FLOP counts and seeded synthetic data, shared by the
// runner (bench/index.ts) and the workers that measure one framework each.
import { seededRandom } from '../lib/random';

export type WorkloadId = 'W1' | 'W2' | 'W3' | 'W4';
export const WORKLOAD_IDS: WorkloadId[] = ['W1', 'W2', 'W3', 'W4'];

export const WORKLOAD_TITLES: Record<WorkloadId, string> = {
  W1: 'CNN training',
  W2: 'LSTM training',
  W3: 'embedding + LSTM training',
  W4: 'CNN inference',
};

/** Per-sample input shape (no batch axis) and target shape of each training workload. */
export const SHAPES: Record<WorkloadId, { input: number[]; target: number[]; classes: number }> = {
  W1: { input: [28, 28, 1], target: [10], classes: 10 },
  W2: { input: [28, 28], target: [28, 10], classes: 10 },
  W3: { input: [100], target: [100, 2], classes: 2 },
  W4: { input: [28, 28, 1], target: [10], classes: 10 },
};

/** Vocabulary of W3's embedding. */
export const VOCABULARY = 10000;

/**
 * FLOPs of one matrix product [m, k] x [k, n], counting a multiply-add as 2. Training repeats each
 * product up to three times: forward, weight gradient, and input gradient (which the first layer
 * skips, unless it feeds an embedding).
 */
const gemm = (m: number, n: number, k: number): number => 2 * m * n * k;

/**
 * Analytic FLOPs per sample of one training step (forward + backward), from the matrix products and
 * convolutions only. Activations, pooling, LSTM gate arithmetic, the loss and the Adam update are
 * memory-bound and left out (they add under 5% for these models), so GFLOP/s = samples/s * this / 1e9.
 *
 * - W1: conv 26*26 outputs x 32 filters x 3*3*1 taps (forward + weight grad; the first layer needs no
 *   input grad), dense 5408->128 and 128->10 (x3).
 * - W2: per timestep (28) the LSTM input projection 28->4*128 (x2, first layer), the recurrence
 *   128->4*128 (x3: forward, weight grad, grad through time), dense 128->64 and 64->10 (x3).
 * - W3: per timestep (100) the input projection 64->4*128 (x3: the embedding needs its input grad),
 *   the recurrence (x3), dense 128->64 and 64->2 (x3); the embedding gather moves data, no FLOPs.
 */
export function trainFlopsPerSample(id: WorkloadId): number {
  switch (id) {
    case 'W1':
      return 2 * gemm(26 * 26, 32, 9) + 3 * gemm(1, 128, 13 * 13 * 32) + 3 * gemm(1, 10, 128);
    case 'W2':
      return 2 * gemm(28, 512, 28) + 3 * gemm(28, 512, 128) + 3 * gemm(28, 64, 128) + 3 * gemm(28, 10, 64);
    case 'W3':
      return 3 * gemm(100, 512, 64) + 3 * gemm(100, 512, 128) + 3 * gemm(100, 64, 128) + 3 * gemm(100, 2, 64);
    case 'W4':
      return cnnForwardFlopsPerSample();
  }
}

/** Analytic FLOPs per sample of the seed CNN's forward pass (W4): the forward terms of W1. */
export function cnnForwardFlopsPerSample(): number {
  return gemm(26 * 26, 32, 9) + gemm(1, 128, 13 * 13 * 32) + gemm(1, 10, 128);
}

/**
 * A synthetic dataset of `samples` samples: standard-normal features (or uniform token ids for W3)
 * and one-hot targets of the workload's shapes, as flat arrays.
 */
export function syntheticData(id: WorkloadId, samples: number, seed = 1): { x: Float32Array | Int32Array; y: Float32Array } {
  const { uniform } = seededRandom(seed);
  const { input, target, classes } = SHAPES[id];
  const inputSize = samples * input.reduce((a, b) => a * b, 1);
  let x: Float32Array | Int32Array;
  if (id === 'W3') {
    x = new Int32Array(inputSize);
    for (let i = 0; i < inputSize; i++) x[i] = Math.floor(uniform() * VOCABULARY);
  } else {
    x = new Float32Array(inputSize);
    for (let i = 0; i < inputSize; i += 2) {
      // Box-Muller: two normals from two uniforms.
      const r = Math.sqrt(-2 * Math.log(1 - uniform()));
      const theta = 2 * Math.PI * uniform();
      x[i] = r * Math.cos(theta);
      if (i + 1 < inputSize) x[i + 1] = r * Math.sin(theta);
    }
  }
  const rows = (samples * target.reduce((a, b) => a * b, 1)) / classes;
  const y = new Float32Array(rows * classes);
  for (let r = 0; r < rows; r++) y[r * classes + Math.floor(uniform() * classes)] = 1;
  return { x, y };
}

/** Peak resident set size of this process so far, in MB. */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Reads `--name value` and `--flag` options; an option not in `known` is refused by name. */
export function parseArgs(argv: string[], known: readonly string[]): Map<string, string> {
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq > 0 ? eq : undefined);
    if (!known.includes(name)) throw new Error(`unknown option --${name}; the options are ${known.map((k) => `--${k}`).join(', ')}`);
    if (eq > 0) options.set(name, arg.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) options.set(name, argv[++i]);
    else options.set(name, 'true');
  }
  return options;
}

/** An integer option, with a default. */
export function intOption(options: Map<string, string>, name: string, fallback: number): number {
  const raw = options.get(name);
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} must be a non-negative integer, got ${raw}`);
  return v;
}

/** Median of a list (not modified). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The p-quantile (0..1) of a list, nearest rank. */
export function quantile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/**
 * Windows of a training run's timed steps (timed steps come after an untimed warm-up). The first
 * FIRST_STEPS show the early rate; the steady state runs from step STEADY_FROM to the end, given at
 * least MIN_STEADY_STEPS there: past the ~750th step, where Adam's second moments of weights that get
 * little gradient decay into denormals, which slow every operation on them unless they are flushed to
 * zero. Per-BLOCK_STEPS means make a slowdown visible. bench/peer_common.py uses the same windows.
 */
export const FIRST_STEPS = 200;
export const STEADY_FROM = 800;
export const MIN_STEADY_STEPS = 200;
export const BLOCK_STEPS = 250;

/**
 * Summary of per-step training times. samplesPerSec uses the median step (robust to other processes
 * on a shared machine); the other rates are total samples over total time (the mean), so that
 * denormal slowdowns and garbage collection show: over the whole run, its first 200 steps and its
 * steady state (null when the run is too short), and ms per step of each 250-step block (the last
 * block may be shorter).
 */
export function trainingSummary(stepMs: number[], batch: number): Record<string, unknown> {
  const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
  const rate = (window: number[]): number => (window.length * batch * 1000) / sum(window);
  const steady = stepMs.slice(STEADY_FROM);
  const medianMs = median(stepMs);
  const blockMsPerStep: number[] = [];
  for (let i = 0; i < stepMs.length; i += BLOCK_STEPS) {
    const block = stepMs.slice(i, i + BLOCK_STEPS);
    blockMsPerStep.push(sum(block) / block.length);
  }
  return {
    steps: stepMs.length,
    batch,
    samplesPerSec: (batch * 1000) / medianMs,
    meanSamplesPerSec: rate(stepMs),
    medianMsPerStep: medianMs,
    msPerStep: sum(stepMs) / stepMs.length,
    first200SamplesPerSec: rate(stepMs.slice(0, FIRST_STEPS)),
    steadySamplesPerSec: steady.length >= MIN_STEADY_STEPS ? rate(steady) : null,
    blockMsPerStep,
  };
}
