// The seed CNN (the Keras example) trained on Fashion-MNIST from Debian's
// dataset-fashion-mnist package:
//   Conv2D(32, 3x3, relu) -> MaxPooling2D(2x2) -> Flatten -> Dense(128, relu) -> Dense(10, softmax)
// Adam, categorical cross-entropy, 10 epochs, batch 32. Prints test accuracy and saves the model.
//
//   npx tsx examples/fashion-mnist-cnn.ts [--epochs 10] [--batch-size 32] [--out models-out/fashion-mnist-cnn]
import * as bn from '../lib/index';
import { argmax, parseOptions, runMain } from './common';
import { CLASSES, IMAGE_SIZE, loadFashionMnist, requireFashionMnist } from './fashion-mnist-data';

async function main(): Promise<void> {
  const opts = parseOptions({ epochs: 10, 'batch-size': 32, seed: 1 }, { out: 'models-out/fashion-mnist-cnn' });
  const { epochs, 'batch-size': batchSize } = opts;
  requireFashionMnist();
  bn.setSeed(opts.seed);

  const load = (split: 'train' | 'test'): { x: bn.Tensor; y: bn.Tensor } => {
    const { images, labels } = loadFashionMnist(split);
    return { x: images.reshape([-1, IMAGE_SIZE, IMAGE_SIZE, 1]), y: bn.utils.toCategorical(labels, CLASSES.length) };
  };
  const train = load('train');
  const test = load('test');
  // Standardise with the training set's statistics, and apply the same transform to the test set.
  const standardized = bn.preprocessing.standardize(train.x);
  const xTest = bn.preprocessing.standardize(test.x, standardized).x;
  console.log(`train ${train.x.shape.join('x')}, test ${test.x.shape.join('x')}`);

  const model = bn.sequential();
  model.add(bn.layers.conv2d({ filters: 32, kernelSize: [3, 3], activation: 'relu', inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1] }));
  model.add(bn.layers.maxPooling2d({ poolSize: [2, 2] }));
  model.add(bn.layers.flatten());
  model.add(bn.layers.dense({ units: 128, activation: 'relu' }));
  model.add(bn.layers.dense({ units: CLASSES.length, activation: 'softmax' }));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  model.summary();

  const start = performance.now();
  await model.fit(standardized.x, train.y, { epochs, batchSize, validationData: [xTest, test.y] });
  const seconds = (performance.now() - start) / 1000;

  const { loss, accuracy } = await model.evaluate(xTest, test.y);
  console.log(`\ntest accuracy ${(accuracy * 100).toFixed(2)}%  test loss ${loss.toFixed(4)}  (${epochs} epochs in ${seconds.toFixed(1)} s, ${((epochs * train.x.shape[0]) / seconds).toFixed(0)} samples/s)`);
  const first = model.predict(xTest).data.subarray(0, CLASSES.length);
  const guess = argmax(first);
  console.log(`first test image: predicted ${CLASSES[guess]} (p=${first[guess].toFixed(3)})`);
  await model.save(opts.out);
  console.log(`saved to ${opts.out}/model.json (TensorFlow.js layers format)`);
}

runMain(main);
