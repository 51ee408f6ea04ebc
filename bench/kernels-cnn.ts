// Times the native kernels behind W1 and W4 (bench/workloads.ts) one by one, at the seed CNN's
// shapes (Conv2D 32 3x3 relu on 28x28x1 -> MaxPool 2 -> Flatten -> Dense 128 relu -> Dense 10
// softmax), on 1 and 2 threads: the convolution, the pooling and the two together as the fused
// kernel a model runs, the dense layers with their fused relu, the loss and the Adam step.
// Not a test; a profile of where a training step (batch 32) and a batch-1 prediction go.
//
//   npx tsx bench/kernels-cnn.ts [--batch 32] [--reps 100] [--threads 1,2] [--json]
//   BLASNET_NATIVE=build-x/Release/blasnet.node npx tsx bench/kernels-cnn.ts    (a given build)
//
// Prints the median ms per call (robust to other processes on a shared machine), GFLOP/s for the
// convolutions and matrix products (a multiply-add counts as 2), and per-step totals.
import { Conv2DGeometry, Pool2DGeometry, native } from '../lib/native';
import { seededRandom } from '../lib/random';
import { median, parseArgs } from './workloads';

interface Row { group: string; kernel: string; threads: number; medianMs: number; gflops?: number }
type Kernel = [group: string, name: string, run: () => void, flops?: number];

const options = parseArgs(process.argv.slice(2), ['batch', 'reps', 'threads', 'json']);
const batch = Number(options.get('batch') ?? 32);
const reps = Number(options.get('reps') ?? 100);
const threadCounts = (options.get('threads') ?? '1,2').split(',').map(Number);
const { uniform } = seededRandom(7);
const random = (n: number, scale = 1): Float32Array => Float32Array.from({ length: n }, () => (uniform() * 2 - 1) * scale);
const LINEAR = 0, RELU = 1, SOFTMAX = 4;

/** Median ms of `reps` calls after a few untimed ones. */
function time(fn: () => void): number {
  for (let i = 0; i < 5; i++) fn();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = process.hrtime.bigint();
    fn();
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(ms);
}

/** The seed CNN's kernels for a batch of N, as a training step (N > 1) or a prediction calls them. */
function seedCnn(N: number, training: boolean): Kernel[] {
  const conv: Conv2DGeometry = { N, H: 28, W: 28, C: 1, OC: 32, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, OH: 26, OW: 26, padding: 'valid' };
  const pool: Pool2DGeometry = { N, H: 26, W: 26, C: 32, KH: 2, KW: 2, SH: 2, SW: 2, OH: 13, OW: 13, padding: 'valid' };
  const F = 13 * 13 * 32, U = 128, K = 10;
  const x = random(N * 784), wc = random(9 * 32, 0.3), bc = random(32, 0.1);
  const a = new Float32Array(N * 26 * 26 * 32), p = new Float32Array(N * F), argmax = new Uint8Array(N * F);
  const w1 = random(F * U, 0.03), b1 = random(U, 0.1), h = new Float32Array(N * U);
  const w2 = random(U * K, 0.1), b2 = random(K, 0.1), logits = new Float32Array(N * K), probs = new Float32Array(N * K);
  const targets = new Float32Array(N * K);
  for (let n = 0; n < N; n++) targets[n * K + (n % K)] = 1;
  const dlogits = new Float32Array(N * K), dh = new Float32Array(N * U), dp = new Float32Array(N * F);
  const da = new Float32Array(a.length), dwc = new Float32Array(wc.length), dbc = new Float32Array(32);
  const dw1 = new Float32Array(w1.length), db1 = new Float32Array(U), dw2 = new Float32Array(w2.length), db2 = new Float32Array(K);
  const params = wc.length + 32 + w1.length + U + w2.length + K;
  const values = random(params, 0.05), grads = random(params, 0.01), m = new Float32Array(params), v = new Float32Array(params);
  const convFlops = 2 * N * 26 * 26 * 32 * 9, dense1Flops = 2 * N * F * U, dense2Flops = 2 * N * U * K;
  // Each call gets the inputs it would get in a step: the masks of the relu backward passes come
  // from the forward outputs, and the dense gradient (which the kernel masks in place) is refreshed.
  native.conv2dForward(a, null, x, wc, bc, conv, 1, RELU);
  native.conv2dMaxPoolForward(p, argmax, x, wc, bc, conv, pool, RELU);
  native.denseForwardActivated(h, p, w1, b1, N, F, U, RELU);
  const dhSource = random(N * U, 0.01);
  da.set(random(a.length, 0.01));
  if (!training) {
    return [
      ['predict', 'conv + relu + max pool (fused)', () => native.conv2dMaxPoolForward(p, null, x, wc, bc, conv, pool, RELU), convFlops],
      ['predict', 'dense 5408->128 relu', () => native.denseForwardActivated(h, p, w1, b1, N, F, U, RELU), dense1Flops],
      ['predict', 'dense 128->10', () => native.denseForwardActivated(logits, h, w2, b2, N, U, K, LINEAR), dense2Flops],
      ['predict', 'softmax', () => native.activationForward(SOFTMAX, probs, logits, N, K)],
    ];
  }
  return [
    ['fused', 'conv + relu + max pool forward', () => native.conv2dMaxPoolForward(p, argmax, x, wc, bc, conv, pool, RELU), convFlops],
    ['unfused', 'conv + relu forward', () => native.conv2dForward(a, null, x, wc, bc, conv, 1, RELU), convFlops],
    ['unfused', 'max pool forward', () => native.maxPool2dForward(p, a, pool)],
    ['step', 'dense 5408->128 relu forward', () => native.denseForwardActivated(h, p, w1, b1, N, F, U, RELU), dense1Flops],
    ['step', 'dense 128->10 forward', () => native.denseForwardActivated(logits, h, w2, b2, N, U, K, LINEAR), dense2Flops],
    ['step', 'softmax cross-entropy', () => native.softmaxCrossEntropy(dlogits, logits, targets, null, N, K, 1 / N)],
    ['step', 'dense 128->10 backward', () => native.denseBackwardActivated(dh, dw2, db2, dlogits, h, w2, null, N, U, K, LINEAR), 2 * dense2Flops],
    ['step', 'dense 5408->128 relu backward', () => {
      dh.set(dhSource);
      native.denseBackwardActivated(dp, dw1, db1, dh, p, w1, h, N, F, U, RELU);
    }, 2 * dense1Flops],
    ['unfused', 'max pool backward', () => native.maxPool2dBackward(da, dp, a, pool)],
    // The direct kernel masks dy by relu as it reads it, without writing it.
    ['unfused', 'conv + relu backward (no dx)', () => native.conv2dBackward(null, dwc, dbc, da, x, wc, a, null, conv, 1, RELU), convFlops],
    ['fused', 'conv + relu + max pool backward (no dx)', () => native.conv2dMaxPoolBackward(null, dwc, dbc, dp, argmax, x, wc, conv, pool), convFlops],
    ['step', `Adam over the ${params} parameters`, () => native.adamUpdate(values, m, v, grads, 1e-3, 0.9, 0.999, 1e-7, 1, 0, false)],
  ];
}

const kernels = [...seedCnn(batch, true), ...seedCnn(1, false)];
const results: Row[] = [];
for (const threads of threadCounts) {
  native.setNumThreads(threads);
  for (const [group, kernel, run, flops] of kernels) {
    const medianMs = time(run);
    results.push({ group, kernel, threads, medianMs, ...(flops ? { gflops: flops / (medianMs * 1e6) } : {}) });
  }
}

/** A training step through the fused block (what a model runs) or through the two layers. */
const totals = (threads: number): Record<string, number> => {
  const sum = (groups: string[]): number =>
    results.filter((r) => r.threads === threads && groups.includes(r.group)).reduce((s, r) => s + r.medianMs, 0);
  return { fused: sum(['fused', 'step']), unfused: sum(['unfused', 'step']), predict: sum(['predict']) };
};

if (options.has('json')) {
  console.log(JSON.stringify({ batch, simd: native.simdLevel(), results, totals: threadCounts.map((t) => ({ threads: t, ...totals(t) })) }));
} else {
  console.log(`seed CNN kernels, batch ${batch} (predict: batch 1), ${native.simdLevel()} kernels; median ms per call over ${reps} calls (GFLOP/s)`);
  const header = ['', 'kernel', ...threadCounts.map((t) => `${t} thread${t > 1 ? 's' : ''}`)];
  const lines = [header];
  for (const [group, kernel] of kernels) {
    const cells = threadCounts.map((t) => {
      const r = results.find((x) => x.group === group && x.kernel === kernel && x.threads === t)!;
      return `${r.medianMs.toFixed(4)}${r.gflops ? ` (${r.gflops.toFixed(1)})` : ''}`;
    });
    lines.push([group, kernel, ...cells]);
  }
  const sums: [string, string][] = [
    ['fused', `training step with the fused block (${batch} samples)`],
    ['unfused', 'training step with separate conv and pool'],
    ['predict', 'batch-1 prediction'],
  ];
  for (const [key, label] of sums) {
    lines.push(['total', label, ...threadCounts.map((t) => totals(t)[key].toFixed(4))]);
  }
  lines.push(['', 'samples/s of the fused step\'s kernels', ...threadCounts.map((t) => (batch / (totals(t).fused / 1e3)).toFixed(0))]);
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  for (const l of lines) console.log(l.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
}
