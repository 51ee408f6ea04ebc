// Measures one blasnet workload through the public API and prints one JSON line. bench/index.ts
// runs it in its own process (compiled into dist-bench/, under plain node, as an application
// runs blasnet), so that peak RSS belongs to that workload alone.
//
//   tsx bench/blasnet-worker.ts --workload W1 --steps 1875 --warmup 20 --batch 32 [--samples N] [--synthetic]
//   tsx bench/blasnet-worker.ts --workload W4 --calls 3000
//   tsx bench/blasnet-worker.ts --gemm 2048
//
// W1 trains on Fashion-MNIST's 60,000 training images from Debian's dataset-fashion-mnist (standardised
// with the set's mean and standard deviation, as examples/fashion-mnist-cnn.ts does), or on as many synthetic samples when it is not installed (or with --synthetic); W2 and W3 on
// 16 synthetic batches that cycle. bench/peer_common.py gives the Python peers the same Fashion-MNIST
// data, and synthetic data of the same shapes and distributions (from numpy's generator, not this one).
// A workload whose layers do not exist yet reports {available: false, reason}.
import * as bn from '../lib/index';
import { hasFashionMnist, loadFashionMnist } from '../examples/fashion-mnist-data';
import { seededRandom } from '../lib/random';
import {
  SHAPES, VOCABULARY, WorkloadId, intOption, median, parseArgs, peakRssMb, quantile, syntheticData, trainingSummary,
} from './workloads';

const runtimeRssMb = peakRssMb();

/** A layer from bn.layers by its TensorFlow.js name. */
function layer(name: keyof typeof bn.layers, args: Record<string, unknown> = {}): bn.Layer {
  return (bn.layers[name] as (a: Record<string, unknown>) => bn.Layer)(args);
}

function seedCnn(): bn.Sequential {
  const model = bn.sequential();
  model.add(layer('conv2d', { filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }));
  model.add(layer('maxPooling2d', { poolSize: 2 }));
  model.add(layer('flatten'));
  model.add(layer('dense', { units: 128, activation: 'relu' }));
  model.add(layer('dense', { units: 10, activation: 'softmax' }));
  return model;
}

function seedLstm(classes: number, embedding: boolean): bn.Sequential {
  const model = bn.sequential();
  if (embedding) {
    model.add(layer('embedding', { inputDim: VOCABULARY, outputDim: 64, inputShape: [100] }));
    model.add(layer('lstm', { units: 128, returnSequences: true }));
  } else {
    model.add(layer('lstm', { units: 128, returnSequences: true, inputShape: [28, 28] }));
  }
  model.add(layer('dense', { units: 64, activation: 'relu' }));
  model.add(layer('dense', { units: classes, activation: 'softmax' }));
  return model;
}

function buildModel(id: WorkloadId): bn.Sequential {
  const model = id === 'W1' || id === 'W4' ? seedCnn() : seedLstm(SHAPES[id].classes, id === 'W3');
  model.compile({ optimizer: bn.optimizers.adam({ learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }), loss: 'categoricalCrossentropy' });
  return model;
}

function tensorOf(data: Float32Array | Int32Array, samples: number, perSample: number[]): bn.Tensor {
  return new bn.Tensor(data, [samples, ...perSample]);
}

/** The first `samples` (0: all) Fashion-MNIST training images, standardised, and their one-hot labels. */
function fashionMnist(samples: number): { x: Float32Array; y: Float32Array } {
  const { images, labels } = loadFashionMnist('train', samples || Infinity);
  const x = bn.preprocessing.standardize(images.reshape([-1, 28, 28, 1])).x;
  return { x: x.data as Float32Array, y: bn.utils.toCategorical(labels, 10).data as Float32Array };
}

/** A training workload's data as flat arrays, and where it came from. */
function trainingData(id: WorkloadId, batch: number, samples: number, synthetic: boolean) {
  if (id === 'W1' && !synthetic && hasFashionMnist()) return { ...fashionMnist(samples), source: 'fashion-mnist' };
  const n = samples || (id === 'W1' ? 60000 : batch * 16);
  return { ...syntheticData(id, n), source: 'synthetic' };
}

/**
 * Times `steps` trainOnBatch steps after `warmup` untimed ones. The batches are views of the data
 * made up front (as the peers gather theirs from ready arrays), visited in a fresh seeded order each
 * epoch: the peers shuffle samples, not batches, which costs them a gather per step, but each epoch
 * sees every sample once either way. On a machine too busy to finish in maxSeconds the warm-up ends
 * after half of it, and timing stops after maxSeconds once 3 steps are timed.
 */
async function train(id: WorkloadId, steps: number, warmup: number, batch: number, samples: number, synthetic: boolean, maxSeconds: number) {
  bn.setSeed(1);
  const model = buildModel(id);
  const { x, y, source } = trainingData(id, batch, samples, synthetic);
  const perX = SHAPES[id].input.reduce((a, b) => a * b, 1), perY = SHAPES[id].target.reduce((a, b) => a * b, 1);
  const batches = Array.from({ length: Math.floor(y.length / perY / batch) }, (_, b) => [
    tensorOf(x.subarray(b * batch * perX, (b + 1) * batch * perX), batch, SHAPES[id].input),
    tensorOf(y.subarray(b * batch * perY, (b + 1) * batch * perY), batch, SHAPES[id].target),
  ]);
  const order = Int32Array.from(batches.keys());
  const { uniform } = seededRandom(1);
  const stepMs: number[] = [];
  let finalLoss = NaN;
  const start = performance.now();
  let last = start;
  for (let step = 0; ; step++) {
    // A step runs from the end of the previous one, picking its batch included, as the peers time theirs.
    const position = step % batches.length;
    if (position === 0) shuffle(order, uniform);
    const [xb, yb] = batches[order[position]];
    finalLoss = model.trainOnBatch(xb, yb).loss;
    const now = performance.now();
    const warm = step >= warmup || now - start > maxSeconds * 500;
    if (warm) stepMs.push(now - last);
    last = now;
    if (stepMs.length === steps || (now - start > maxSeconds * 1000 && stepMs.length >= 3)) break;
  }
  return { ...trainingSummary(stepMs, batch), data: source, samples: batches.length * batch, finalLoss };
}

/** Fisher-Yates shuffle in place. */
function shuffle(values: Int32Array, uniform: () => number): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    [values[i], values[j]] = [values[j], values[i]];
  }
}

/** Batch-1 latency over `calls` predict calls, and batch-256 throughput; each loop stops after maxSeconds. */
function infer(calls: number, maxSeconds: number) {
  bn.setSeed(1);
  const model = buildModel('W4');
  const { x } = syntheticData('W4', 257);
  const single = tensorOf((x as Float32Array).subarray(0, 784), 1, SHAPES.W4.input);
  const large = tensorOf((x as Float32Array).subarray(784), 256, SHAPES.W4.input);
  // Warm up with as many calls as are timed (at most 2 s), so that the JIT and its background
  // compiler threads have settled, as in a long-running server; the other workers do the same.
  let deadline = performance.now() + 2000;
  for (let i = 0; i < calls && performance.now() < deadline; i++) model.predict(single, { batchSize: 1 });
  const latencyUs: number[] = [];
  deadline = performance.now() + maxSeconds * 1000;
  for (let i = 0; i < calls && performance.now() < deadline; i++) {
    const start = process.hrtime.bigint();
    model.predict(single, { batchSize: 1 });
    latencyUs.push(Number(process.hrtime.bigint() - start) / 1e3);
  }
  for (let i = 0; i < 3; i++) model.predict(large, { batchSize: 256 });
  let largeCalls = 0;
  const start = performance.now();
  deadline = start + maxSeconds * 1000;
  while (largeCalls < Math.max(5, Math.floor(calls / 100)) && performance.now() < deadline) {
    model.predict(large, { batchSize: 256 });
    largeCalls++;
  }
  const seconds = (performance.now() - start) / 1000;
  return {
    calls: latencyUs.length,
    medianUs: median(latencyUs),
    p99Us: quantile(latencyUs, 0.99),
    batch256SamplesPerSec: (largeCalls * 256) / seconds,
  };
}

/** GFLOP/s of bn.native.sgemm on size x size x size (best and median of several calls). */
function gemm(size: number) {
  const generator = seededRandom(1);
  const uniform = (): number => generator.uniform() - 0.5;
  const a = Float32Array.from({ length: size * size }, uniform);
  const b = Float32Array.from({ length: size * size }, uniform);
  const c = new Float32Array(size * size);
  const flops = 2 * size ** 3;
  bn.native.sgemm(false, false, size, size, size, 1, a, b, 0, c);
  const rates: number[] = [];
  const reps = Math.max(3, Math.min(20, Math.round(1e11 / flops)));
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    bn.native.sgemm(false, false, size, size, size, 1, a, b, 0, c);
    rates.push(flops / ((performance.now() - start) * 1e6));
  }
  return { size, bestGflops: Math.max(...rates), medianGflops: median(rates) };
}

async function main(): Promise<Record<string, unknown>> {
  const options = parseArgs(process.argv.slice(2), ['workload', 'steps', 'warmup', 'batch', 'samples', 'synthetic', 'calls', 'gemm', 'max-seconds']);
  // Builds with their own thread pool report its size; older ones use OpenBLAS's threads.
  const threads = typeof bn.native.getNumThreads === 'function' ? bn.native.getNumThreads() : process.env.OPENBLAS_NUM_THREADS ?? 'default';
  if (options.has('gemm')) return { ...gemm(intOption(options, 'gemm', 2048)), threads };
  const id = options.get('workload') as WorkloadId;
  if (!SHAPES[id]) throw new Error(`--workload must be one of W1, W2, W3, W4, got ${id}`);
  const maxSeconds = Number(options.get('max-seconds') ?? 30);
  const result = id === 'W4'
    ? infer(intOption(options, 'calls', 3000), maxSeconds)
    : await train(id, intOption(options, 'steps', 200), intOption(options, 'warmup', 20), intOption(options, 'batch', 32),
      intOption(options, 'samples', 0), options.has('synthetic'), maxSeconds);
  return { workload: id, threads, ...result };
}

main()
  .catch((err: unknown) => ({
    available: false,
    reason: `failed: ${err instanceof Error ? err.message : String(err)}`,
  }))
  .then((result) => {
    console.log(JSON.stringify({ framework: 'blasnet', ...result, peakRssMb: peakRssMb(), runtimeRssMb }));
  });
