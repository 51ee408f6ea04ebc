// The seed CNN (the Keras example) trained on Fashion-MNIST from Debian's
// dataset-fashion-mnist package:
//   Conv2D(32, 3x3, relu) -> MaxPooling2D(2x2) -> Flatten -> Dense(128, relu) -> Dense(10, softmax)
// Adam, categorical cross-entropy, 10 epochs, batch 32. Prints test accuracy and saves the model.
//
//   npx tsx examples/fashion-mnist-cnn.ts [--epochs 10] [--batch-size 32] [--out models-out/fashion-mnist-cnn]
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as bn from '../lib/index';

const DATA_DIR = '/usr/share/datasets/fashion-mnist';
const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

const { values: opts } = parseArgs({
  options: {
    epochs: { type: 'string', default: '10' },
    'batch-size': { type: 'string', default: '32' },
    out: { type: 'string', default: 'models-out/fashion-mnist-cnn' },
    seed: { type: 'string', default: '1' },
  },
});

function positive(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${value}`);
  return n;
}

async function main(): Promise<void> {
  const epochs = positive('epochs', opts.epochs);
  const batchSize = positive('batch-size', opts['batch-size']);
  const file = (name: string): string => path.join(DATA_DIR, name);
  if (!existsSync(file('train-images-idx3-ubyte.gz'))) {
    console.error(`Fashion-MNIST not found in ${DATA_DIR}. Install Debian's package:\n  sudo apt-get install dataset-fashion-mnist`);
    process.exit(1);
  }
  bn.setSeed(positive('seed', opts.seed));

  const load = (images: string, labels: string): { x: bn.Tensor; y: bn.Tensor } => {
    const x = bn.data.loadIdx(file(images));
    const y = bn.data.loadIdx(file(labels));
    return { x: x.reshape([x.shape[0], 28, 28, 1]), y: bn.utils.toCategorical(y, 10) };
  };
  const train = load('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz');
  const test = load('t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz');
  // Standardise with the training set's statistics, and apply the same transform to the test set.
  const standardized = bn.preprocessing.standardize(train.x);
  const xTest = bn.preprocessing.standardize(test.x, standardized).x;
  console.log(`train ${train.x.shape.join('x')}, test ${test.x.shape.join('x')}`);

  const model = bn.sequential();
  model.add(bn.layers.conv2d({ filters: 32, kernelSize: [3, 3], activation: 'relu', inputShape: [28, 28, 1] }));
  model.add(bn.layers.maxPooling2d({ poolSize: [2, 2] }));
  model.add(bn.layers.flatten());
  model.add(bn.layers.dense({ units: 128, activation: 'relu' }));
  model.add(bn.layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  model.summary();

  const start = performance.now();
  await model.fit(standardized.x, train.y, { epochs, batchSize, validationData: [xTest, test.y] });
  const seconds = (performance.now() - start) / 1000;

  const { loss, accuracy } = await model.evaluate(xTest, test.y);
  console.log(`\ntest accuracy ${(accuracy * 100).toFixed(2)}%  test loss ${loss.toFixed(4)}  (${epochs} epochs in ${seconds.toFixed(1)} s, ${((epochs * train.x.shape[0]) / seconds).toFixed(0)} samples/s)`);
  const first = model.predict(xTest).data.subarray(0, 10);
  const guess = first.indexOf(Math.max(...first));
  console.log(`first test image: predicted ${CLASSES[guess]} (p=${first[guess].toFixed(3)})`);
  await model.save(opts.out!);
  console.log(`saved to ${opts.out}/model.json (TensorFlow.js layers format)`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
