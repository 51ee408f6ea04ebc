// Measures one blasnet workload through the public API and prints one JSON line. Run in its own
// process by bench/index.ts so that peak RSS belongs to that workload alone.
//
//   tsx bench/blasnet-worker.ts --workload W1 --steps 200 --warmup 20 --batch 32 [--samples N]
//   tsx bench/blasnet-worker.ts --workload W4 --calls 3000
//   tsx bench/blasnet-worker.ts --gemm 2048
//
// A workload whose layers do not exist yet reports {available: false, reason}.
import * as bn from '../lib/index';
import type { Binding } from '../lib/native';
import {
  SHAPES, VOCABULARY, WorkloadId, intOption, median, parseArgs, peakRssMb, quantile, syntheticData, trainingSummary,
} from './workloads';

const runtimeRssMb = peakRssMb();

class NotAvailable extends Error {}

/** Stops model.fit mid-epoch once the timed steps are done (fit has no step limit of its own). */
class StepsDone extends Error {}

type LayerFactory = (args: Record<string, unknown>) => bn.Layer;

/** A layer from bn.layers by its TensorFlow.js name, or NotAvailable while it is still being written. */
function layer(name: string, args: Record<string, unknown> = {}): bn.Layer {
  const factory = (bn.layers as unknown as Record<string, LayerFactory | undefined>)[name];
  if (typeof factory !== 'function') throw new NotAvailable(`bn.layers.${name} is not available yet`);
  return factory(args);
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

/** Times `steps` training steps of model.fit after `warmup` untimed ones; a step ends at onBatchEnd. */
async function train(id: WorkloadId, steps: number, warmup: number, batch: number, samples: number, maxSeconds: number) {
  bn.setSeed(1);
  const model = buildModel(id);
  const total = warmup + steps;
  const n = samples || batch * Math.min(total, 16);
  const { x, y } = syntheticData(id, n);
  const xs = tensorOf(x, n, SHAPES[id].input);
  const ys = tensorOf(y, n, SHAPES[id].target);
  const stepMs: number[] = [];
  let done = 0;
  let last = performance.now();
  let timedStart = 0;
  let finalLoss = NaN;
  const onBatchEnd = (_batch: number, logs: Record<string, number>): void => {
    const now = performance.now();
    if (done === warmup) timedStart = last;
    if (done >= warmup) stepMs.push(now - last);
    last = now;
    finalLoss = logs.loss;
    done++;
    if (done === total || (done > warmup && now - timedStart > maxSeconds * 1000)) throw new StepsDone();
  };
  const epochs = Math.ceil(total / Math.floor(n / batch)) + 1;
  try {
    await model.fit(xs, ys, { epochs, batchSize: batch, verbose: 0, callbacks: { onBatchEnd } });
  } catch (err) {
    if (!(err instanceof StepsDone)) throw err;
  }
  return { ...trainingSummary(stepMs, batch), finalLoss };
}

/** Batch-1 latency over `calls` predict calls, and batch-256 throughput. */
function infer(calls: number) {
  bn.setSeed(1);
  const model = buildModel('W4');
  const { x } = syntheticData('W4', 257);
  const single = tensorOf((x as Float32Array).subarray(0, 784), 1, SHAPES.W4.input);
  const large = tensorOf((x as Float32Array).subarray(784), 256, SHAPES.W4.input);
  for (let i = 0; i < Math.max(50, calls / 10); i++) model.predict(single, { batchSize: 1 });
  const latencyUs: number[] = [];
  let deadline = performance.now() + maxSeconds * 1000;
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
  const uniform = () => Math.random() - 0.5;
  const a = Float32Array.from({ length: size * size }, uniform);
  const b = Float32Array.from({ length: size * size }, uniform);
  const c = new Float32Array(size * size);
  const flops = 2 * size ** 3;
  bn.native.sgemm(false, false, size, size, size, 1, a, b, 0, c);
  const rates: number[] = [];
  const reps = Math.max(3, Math.min(20, Math.round(2e11 / flops)));
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    bn.native.sgemm(false, false, size, size, size, 1, a, b, 0, c);
    rates.push(flops / ((performance.now() - start) * 1e6));
  }
  return { size, bestGflops: Math.max(...rates), medianGflops: median(rates) };
}

async function main(): Promise<Record<string, unknown>> {
  const options = parseArgs(process.argv.slice(2));
  // Builds with their own thread pool report its size; older ones use OpenBLAS's threads.
  const pool = (bn.native as Partial<Binding>).getNumThreads;
  const threads = typeof pool === 'function' ? pool() : process.env.OPENBLAS_NUM_THREADS ?? 'default';
  if (options.has('gemm')) return { ...gemm(intOption(options, 'gemm', 2048)), threads };
  const id = options.get('workload') as WorkloadId;
  if (!SHAPES[id]) throw new Error(`--workload must be one of W1, W2, W3, W4, got ${id}`);
  const result = id === 'W4'
    ? infer(intOption(options, 'calls', 3000))
    : await train(id, intOption(options, 'steps', 200), intOption(options, 'warmup', 20), intOption(options, 'batch', 32),
      intOption(options, 'samples', 0), Number(options.get('max-seconds') ?? 30));
  return { workload: id, threads, ...result };
}

main()
  .catch((err: unknown) => ({
    available: false,
    reason: err instanceof NotAvailable ? err.message : `failed: ${err instanceof Error ? err.message : String(err)}`,
  }))
  .then((result) => {
    console.log(JSON.stringify({ framework: 'blasnet', ...result, peakRssMb: peakRssMb(), runtimeRssMb }));
  });
