// Measures W1 (seed CNN training) in TensorFlow.js with its JavaScript cpu backend and prints one
// JSON line. It trains about 30 samples/s, so the runner gives it only a few steps.
//
//   tsx bench/tfjs-worker.ts --steps 8 --warmup 2 --batch 32
import { SHAPES, intOption, parseArgs, peakRssMb, syntheticData, trainingSummary } from './workloads';

const runtimeRssMb = peakRssMb();

async function main(): Promise<Record<string, unknown>> {
  const options = parseArgs(process.argv.slice(2), ['steps', 'warmup', 'batch']);
  let tf: typeof import('@tensorflow/tfjs');
  try {
    tf = await import('@tensorflow/tfjs');
  } catch (err) {
    return { available: false, reason: `@tensorflow/tfjs not installed (${(err as Error).message})` };
  }
  await tf.setBackend('cpu');
  const steps = intOption(options, 'steps', 8);
  const warmup = intOption(options, 'warmup', 2);
  const batch = intOption(options, 'batch', 32);
  const samples = (steps + warmup) * batch;

  const model = tf.sequential();
  model.add(tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 128, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(1e-3, 0.9, 0.999, 1e-7), loss: 'categoricalCrossentropy' });

  const { x, y } = syntheticData('W1', samples);
  const xs = tf.tensor(x as Float32Array, [samples, ...SHAPES.W1.input]);
  const ys = tf.tensor(y, [samples, ...SHAPES.W1.target]);
  const stepMs: number[] = [];
  let done = 0;
  let last = performance.now();
  let finalLoss = NaN;
  await model.fit(xs, ys, {
    epochs: 1,
    batchSize: batch,
    verbose: 0,
    callbacks: {
      onBatchEnd: async (_batch, logs) => {
        const now = performance.now();
        if (done >= warmup) stepMs.push(now - last);
        last = now;
        finalLoss = logs?.loss ?? NaN;
        done++;
      },
    },
  });
  return { workload: 'W1', version: tf.version.tfjs, backend: tf.getBackend(), ...trainingSummary(stepMs, batch), finalLoss };
}

main()
  .catch((err: unknown) => ({ available: false, reason: `failed: ${err instanceof Error ? err.message : String(err)}` }))
  .then((result) => {
    console.log(JSON.stringify({ framework: 'tfjs', ...result, peakRssMb: peakRssMb(), runtimeRssMb }));
  });
