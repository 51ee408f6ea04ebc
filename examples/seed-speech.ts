// The seed's speech model, ported from Keras:
//   Conv2D(32, (3, 3), activation='relu', input_shape=(frames, bands, 1))
//   LSTM(128, return_sequences=True)
//   Dense(64, activation='relu')
//   Dense(num_classes, activation='softmax')
// As written it feeds Conv2D's rank-4 output [batch, frames, bands, 32] into an LSTM, which reads
// rank-3 [batch, timesteps, features]; Keras rejects it, and so does blasnet, when the layer is
// added. This example shows the error, applies the fix it suggests (here timeDistributed(flatten()),
// which flattens each frame's [bands, 32] into one feature vector; examples/spoken-digits.ts uses
// the equivalent reshape), and trains the model on spoken digits synthesised by espeak-ng, testing
// on voices held out of training. The digit is the target at every timestep; an utterance's
// answer is the last timestep's.
//
//   npx tsx examples/seed-speech.ts [--epochs 4] [--renditions 2] [--batch-size 32] [--seed 1]
import * as bn from '../lib/index';
import { accuracy, lastStepGuesses, parseOptions, perTimestepTargets, runMain } from './common';
import { DIGITS, FRAMES, MEL_BANDS, loadSpokenDigits } from './spoken-digits-data';

const numClasses = DIGITS.length;
const inputShape = [FRAMES, MEL_BANDS, 1];

/** The seed's model exactly as written: the LSTM's add() throws. */
function seedAsWritten(): void {
  const model = bn.sequential();
  model.add(bn.layers.conv2d({ filters: 32, kernelSize: [3, 3], activation: 'relu', inputShape }));
  try {
    model.add(bn.layers.lstm({ units: 128, returnSequences: true }));
    throw new Error('expected the LSTM to reject a rank-4 input');
  } catch (err) {
    if (!(err instanceof bn.ShapeError)) throw err;
    console.log(`The seed's model as written is rejected when the LSTM is added:\n  ${err.name}: ${err.message}\n`);
  }
}

/** The seed's model with the fix: one feature vector per frame. */
function seedFixed(): bn.Sequential {
  const model = bn.sequential();
  model.add(bn.layers.conv2d({ filters: 32, kernelSize: [3, 3], activation: 'relu', inputShape }));
  model.add(bn.layers.timeDistributed({ layer: bn.layers.flatten() }));
  model.add(bn.layers.lstm({ units: 128, returnSequences: true }));
  model.add(bn.layers.dense({ units: 64, activation: 'relu' }));
  model.add(bn.layers.dense({ units: numClasses, activation: 'softmax' }));
  return model;
}

async function main(): Promise<void> {
  const opts = parseOptions({ epochs: 4, renditions: 2, 'batch-size': 32, seed: 1 });
  const { epochs, 'batch-size': batchSize, seed } = opts;
  seedAsWritten();

  const { train, test } = await loadSpokenDigits(opts.renditions, seed);
  bn.setSeed(seed);
  const model = seedFixed();
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  model.summary();

  const standardized = bn.preprocessing.standardize(train.x);
  const xTest = bn.preprocessing.standardize(test.x, standardized).x;
  const timesteps = model.outputShape[0];
  const start = performance.now();
  await model.fit(standardized.x, perTimestepTargets(train.labels, timesteps, numClasses), {
    epochs, batchSize, validationData: [xTest, perTimestepTargets(test.labels, timesteps, numClasses)],
  });
  const seconds = (performance.now() - start) / 1000;

  const heldOut = accuracy(lastStepGuesses(model.predict(xTest)), test.labels);
  console.log(`\nheld-out voices: ${(heldOut * 100).toFixed(2)}% of ${test.labels.length} utterances right at the last timestep ` +
    `(${epochs} epochs in ${seconds.toFixed(1)} s)`);
}

runMain(main);
