// Times the native kernels behind W2 and W3 (bench/workloads.ts) one by one, at their shapes, on 1
// and 2 threads: LSTM forward/backward, Dense on the N*T rows, the per-timestep softmax
// cross-entropy and the embedding gather/scatter. Not a test; a profile of where a training step goes.
//
//   npx tsx bench/kernels-rnn.ts [--reps 50] [--threads 1,2] [--json]
//   BLASNET_NATIVE=build-x/Release/blasnet.node npx tsx bench/kernels-rnn.ts    (a given build)
//
// Prints the median µs per call (robust to other processes on a shared machine) and GFLOP/s for the
// matrix-product kernels (a multiply-add counts as 2).
import { Activation } from '../lib/activations';
import { rnnBufferSizes } from '../lib/layers/recurrent';
import { RnnGeometry, native } from '../lib/native';
import { seededRandom } from '../lib/random';
import { median, parseArgs } from './workloads';

interface Row { workload: string; kernel: string; threads: number; medianUs: number; gflops?: number }

const options = parseArgs(process.argv.slice(2), ['reps', 'threads', 'json']);
const reps = Number(options.get('reps') ?? 50);
const threadCounts = (options.get('threads') ?? '1,2').split(',').map(Number);
const { uniform } = seededRandom(7);
const random = (n: number, scale = 1): Float32Array => Float32Array.from({ length: n }, () => (uniform() * 2 - 1) * scale);

/** Median µs of `reps` calls after a few untimed ones. */
function time(fn: () => void): number {
  for (let i = 0; i < 3; i++) fn();
  const us: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = process.hrtime.bigint();
    fn();
    us.push(Number(process.hrtime.bigint() - start) / 1e3);
  }
  return median(us);
}

/** The kernels of one workload: an LSTM(128, returnSequences) over [N,T,I], then Dense 128->64 relu -> K softmax. */
function workload(name: string, N: number, T: number, I: number, K: number, vocabulary: number): Array<[string, () => void, number?]> {
  const U = 128, G = 4 * U, R = N * T, H = 64;
  const g: RnnGeometry = {
    N, T, I, U, activation: new Activation('tanh', 'bench').id, recurrentActivation: new Activation('sigmoid', 'bench').id,
    goBackwards: false, returnSequences: true,
  };
  const sizes = rnnBufferSizes('lstm', g);
  const x = random(R * I), kernel = random(I * G, 0.1), recurrent = random(U * G, 0.1), bias = random(G, 0.1);
  const out = new Float32Array(R * U), cache = new Float32Array(sizes.cache), scratch = new Float32Array(sizes.scratch);
  const dout = random(R * U, 0.01), dx = new Float32Array(R * I);
  const dkernel = new Float32Array(I * G), drecurrent = new Float32Array(U * G), dbias = new Float32Array(G);
  const w1 = random(U * H, 0.1), b1 = random(H), z1 = new Float32Array(R * H), a1 = new Float32Array(R * H);
  const w2 = random(H * K, 0.1), b2 = random(K), z2 = new Float32Array(R * K);
  const dw1 = new Float32Array(U * H), db1 = new Float32Array(H), dw2 = new Float32Array(H * K), db2 = new Float32Array(K);
  const dz2 = new Float32Array(R * K), da1 = new Float32Array(R * H), dh = new Float32Array(R * U);
  const targets = new Float32Array(R * K);
  for (let r = 0; r < R; r++) targets[r * K + Math.floor(uniform() * K)] = 1;
  const relu = new Activation('relu', 'bench').id;
  const lstmFlops = 2 * R * G * (I + U);
  const rows: Array<[string, () => void, number?]> = [
    ['lstm forward', () => native.lstmForward(out, cache, x, kernel, recurrent, bias, g), lstmFlops],
    ['lstm backward', () => native.lstmBackward(vocabulary ? dx : null, dkernel, drecurrent, dbias, scratch, dout, cache, kernel, recurrent, g),
      2 * R * G * (U + I) + 2 * (R - N) * G * U + (vocabulary ? 2 * R * G * I : 0)],
    ['dense 128->64 forward', () => native.denseForward(z1, out, w1, b1, R, U, H), 2 * R * U * H],
    ['relu forward', () => native.activationForward(relu, a1, z1, R, H)],
    [`dense 64->${K} forward`, () => native.denseForward(z2, a1, w2, b2, R, H, K), 2 * R * H * K],
    ['softmax cross-entropy', () => native.softmaxCrossEntropy(dz2, z2, targets, null, R, K, 1 / R)],
    [`dense 64->${K} backward`, () => native.denseBackward(da1, dw2, db2, dz2, a1, w2, R, H, K), 4 * R * H * K],
    ['relu backward', () => native.activationBackward(relu, da1, da1, z1, a1, R, H)],
    ['dense 128->64 backward', () => native.denseBackward(dh, dw1, db1, da1, out, w1, R, U, H), 4 * R * U * H],
  ];
  if (vocabulary) {
    const D = I, idx = Int32Array.from({ length: R }, () => Math.floor(uniform() * vocabulary));
    const table = random(vocabulary * D, 0.05), dtable = new Float32Array(vocabulary * D);
    rows.unshift(['embedding forward', () => native.embeddingForward(x, idx, table, N, T, vocabulary, D)]);
    rows.push(['embedding backward', () => native.embeddingBackward(dtable, dx, idx, N, T, vocabulary, D)]);
    rows.push(['zero-fill of the table gradient', () => dtable.fill(0)]);
  }
  return rows.map(([kernelName, fn, flops]) => [`${name} ${kernelName}`, fn, flops]);
}

const kernels = [
  ...workload('W2', 32, 28, 28, 10, 0),
  ...workload('W3', 32, 100, 64, 2, 10000),
];
const results: Row[] = [];
for (const threads of threadCounts) {
  native.setNumThreads(threads);
  for (const [label, fn, flops] of kernels) {
    const medianUs = time(fn);
    const [workloadName, ...rest] = label.split(' ');
    results.push({ workload: workloadName, kernel: rest.join(' '), threads, medianUs, ...(flops ? { gflops: flops / (medianUs * 1e3) } : {}) });
  }
}

if (options.has('json')) {
  console.log(JSON.stringify(results));
} else {
  console.log(`median µs per call over ${reps} calls (GFLOP/s for matrix products)`);
  const header = ['workload', 'kernel', ...threadCounts.map((t) => `${t} thread${t > 1 ? 's' : ''}`)];
  const lines = [header];
  for (const [label] of kernels) {
    const [workloadName, ...rest] = label.split(' ');
    const kernel = rest.join(' ');
    const cells = threadCounts.map((t) => {
      const r = results.find((x) => x.workload === workloadName && x.kernel === kernel && x.threads === t)!;
      return `${r.medianUs.toFixed(1)}${r.gflops ? ` (${r.gflops.toFixed(1)})` : ''}`;
    });
    lines.push([workloadName, kernel, ...cells]);
  }
  for (const t of threadCounts) {
    for (const w of ['W2', 'W3']) {
      const total = results.filter((r) => r.threads === t && r.workload === w).reduce((a, r) => a + r.medianUs, 0);
      lines.push([w, 'sum of the above', ...threadCounts.map((u) => (u === t ? total.toFixed(1) : ''))]);
    }
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  for (const l of lines) console.log(l.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
}
