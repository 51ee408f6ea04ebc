// The seed's LSTM model, ported from Keras:
//   LSTM(128, return_sequences=True) -> Dense(64, relu) -> Dense(num_classes, softmax)
// on a real sequence task that needs no download: Fashion-MNIST from Debian's dataset-fashion-mnist,
// each image read top to bottom as 28 timesteps of 28 pixels, with the label as the target at every
// timestep. Because the model returns sequences, the loss and accuracy are per timestep; the last
// timestep, which has seen the whole image, is the one to ask for a prediction.
//
//   npx tsx examples/seed-lstm.ts [--epochs 3] [--batch-size 32] [--train-samples 20000] [--seed 1]
import * as bn from '../lib/index';
import { accuracy, lastStepGuesses, parseOptions, perTimestepTargets, runMain } from './common';
import { CLASSES, IMAGE_SIZE, loadFashionMnist, requireFashionMnist } from './fashion-mnist-data';

// Each image row is a timestep, its pixels the features.
const TIMESTEPS = IMAGE_SIZE;
const FEATURES = IMAGE_SIZE;

async function main(): Promise<void> {
  const opts = parseOptions({
    epochs: 3,
    'batch-size': 32,
    // A subset keeps the run to a few minutes on two cores; pass 60000 for the whole training set.
    'train-samples': 20000,
    seed: 1,
  });
  const { epochs, 'batch-size': batchSize } = opts;
  requireFashionMnist();
  bn.setSeed(opts.seed);

  const train = loadFashionMnist('train', opts['train-samples']);
  const test = loadFashionMnist('test');
  const standardized = bn.preprocessing.standardize(train.images);
  const xTest = bn.preprocessing.standardize(test.images, standardized).x;
  const yTrain = perTimestepTargets(train.labels, TIMESTEPS, CLASSES.length);
  const yTest = perTimestepTargets(test.labels, TIMESTEPS, CLASSES.length);
  console.log(`train x ${train.images.shape.join('x')} y ${yTrain.shape.join('x')}, test x ${xTest.shape.join('x')}`);

  const model = bn.sequential();
  model.add(bn.layers.lstm({ units: 128, returnSequences: true, inputShape: [TIMESTEPS, FEATURES] }));
  model.add(bn.layers.dense({ units: 64, activation: 'relu' }));
  model.add(bn.layers.dense({ units: CLASSES.length, activation: 'softmax' }));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  model.summary();

  const start = performance.now();
  await model.fit(standardized.x, yTrain, { epochs, batchSize, validationData: [xTest, yTest] });
  const seconds = (performance.now() - start) / 1000;

  const averaged = (await model.evaluate(xTest, yTest)).accuracy;
  const lastStep = accuracy(lastStepGuesses(model.predict(xTest)), test.labels);
  const n = train.labels.length;
  console.log(`\nheld-out accuracy: ${(lastStep * 100).toFixed(2)}% at the last timestep, ${(averaged * 100).toFixed(2)}% averaged over all ${TIMESTEPS} timesteps`);
  console.log(`(${epochs} epochs on ${n} sequences in ${seconds.toFixed(1)} s, ${((epochs * n) / seconds).toFixed(0)} samples/s)`);
}

runMain(main);
