// The seed's LSTM model, ported from Keras:
//   LSTM(128, return_sequences=True) -> Dense(64, relu) -> Dense(num_classes, softmax)
// on a real sequence task that needs no download: Fashion-MNIST from Debian's dataset-fashion-mnist,
// each image read top to bottom as 28 timesteps of 28 pixels, with the label as the target at every
// timestep. Because the model returns sequences, the loss and accuracy are per timestep; the last
// timestep, which has seen the whole image, is the one to ask for a prediction.
//
//   npx tsx examples/seed-lstm.ts [--epochs 3] [--batch-size 32] [--train-samples 20000] [--seed 1]
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as bn from '../lib/index';

const DATA_DIR = '/usr/share/datasets/fashion-mnist';
const TIMESTEPS = 28;
const FEATURES = 28;
const NUM_CLASSES = 10;

const { values: opts } = parseArgs({
  options: {
    epochs: { type: 'string', default: '3' },
    'batch-size': { type: 'string', default: '32' },
    // A subset keeps the run to a few minutes on two cores; pass 60000 for the whole training set.
    'train-samples': { type: 'string', default: '20000' },
    seed: { type: 'string', default: '1' },
  },
});

function positive(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${value}`);
  return n;
}

/** Labels [N] -> one-hot targets repeated at every timestep, [N, timesteps, classes]. */
function perTimestepTargets(labels: bn.Tensor, timesteps: number): bn.Tensor {
  const n = labels.shape[0];
  const repeated = new Int32Array(n * timesteps);
  for (let i = 0; i < n; i++) repeated.fill(labels.data[i], i * timesteps, (i + 1) * timesteps);
  return bn.utils.toCategorical(bn.tensor(repeated, [n, timesteps], 'int32'), NUM_CLASSES);
}

/** Accuracy of the prediction at the last timestep, [N, timesteps, classes] against labels [N]. */
function lastStepAccuracy(probs: bn.Tensor, labels: bn.Tensor): number {
  const [n, timesteps, classes] = probs.shape;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const last = probs.data.subarray(((i + 1) * timesteps - 1) * classes, (i + 1) * timesteps * classes);
    if (last.indexOf(Math.max(...last)) === labels.data[i]) hits++;
  }
  return hits / n;
}

async function main(): Promise<void> {
  const epochs = positive('epochs', opts.epochs);
  const batchSize = positive('batch-size', opts['batch-size']);
  const trainSamples = positive('train-samples', opts['train-samples']);
  const file = (name: string): string => path.join(DATA_DIR, name);
  if (!existsSync(file('train-images-idx3-ubyte.gz'))) {
    console.error(`Fashion-MNIST not found in ${DATA_DIR}. Install Debian's package:\n  sudo apt-get install dataset-fashion-mnist`);
    process.exit(1);
  }
  bn.setSeed(positive('seed', opts.seed));

  const load = (images: string, labels: string, limit: number): { x: bn.Tensor; labels: bn.Tensor } => {
    const x = bn.data.loadIdx(file(images));
    const y = bn.data.loadIdx(file(labels));
    const n = Math.min(limit, x.shape[0]);
    return {
      x: bn.tensor(x.data.subarray(0, n * TIMESTEPS * FEATURES), [n, TIMESTEPS, FEATURES], 'float32'),
      labels: bn.tensor(y.data.subarray(0, n), [n], 'int32'),
    };
  };
  const train = load('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', trainSamples);
  const test = load('t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', Infinity);
  const standardized = bn.preprocessing.standardize(train.x);
  const xTest = bn.preprocessing.standardize(test.x, standardized).x;
  const yTrain = perTimestepTargets(train.labels, TIMESTEPS);
  const yTest = perTimestepTargets(test.labels, TIMESTEPS);
  console.log(`train x ${train.x.shape.join('x')} y ${yTrain.shape.join('x')}, test x ${xTest.shape.join('x')}`);

  const model = bn.sequential();
  model.add(bn.layers.lstm({ units: 128, returnSequences: true, inputShape: [TIMESTEPS, FEATURES] }));
  model.add(bn.layers.dense({ units: 64, activation: 'relu' }));
  model.add(bn.layers.dense({ units: NUM_CLASSES, activation: 'softmax' }));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  model.summary();

  const start = performance.now();
  await model.fit(standardized.x, yTrain, { epochs, batchSize, validationData: [xTest, yTest] });
  const seconds = (performance.now() - start) / 1000;

  const { accuracy } = await model.evaluate(xTest, yTest);
  const lastStep = lastStepAccuracy(model.predict(xTest), test.labels);
  console.log(`\nheld-out accuracy: ${(lastStep * 100).toFixed(2)}% at the last timestep, ${(accuracy * 100).toFixed(2)}% averaged over all ${TIMESTEPS} timesteps`);
  console.log(`(${epochs} epochs on ${train.x.shape[0]} sequences in ${seconds.toFixed(1)} s, ${((epochs * train.x.shape[0]) / seconds).toFixed(0)} samples/s)`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
