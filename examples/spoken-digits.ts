// Spoken digits "zero" ... "nine", synthesised by Debian's espeak-ng in 7 English accents x 11 voice
// variants at random speeds, pitches and loudness (cached under os.tmpdir()), turned into log-mel
// spectrograms, and classified by the seed's speech model with the reshape that makes it valid:
//   Conv2D(32, 3x3, relu) -> Reshape -> LSTM(128, return_sequences) -> Dense(64, relu) -> Dense(10, softmax)
// The digit is the target at every timestep; an utterance's answer is the last timestep's, after
// the LSTM has heard all of it. The test voices (variants +m7 and +f4) are never heard in training.
//
//   npx tsx examples/spoken-digits.ts [--epochs 6] [--renditions 8] [--batch-size 32] [--seed 1]
import * as bn from '../lib/index';
import { accuracy, lastStepGuesses, parseOptions, perTimestepTargets, runMain } from './common';
import { ACCENTS, DIGITS, FRAMES, MEL_BANDS, SpokenDigits, TEST_VARIANTS, loadSpokenDigits } from './spoken-digits-data';

async function main(): Promise<void> {
  const opts = parseOptions({
    epochs: 6,
    // Renditions of each digit per voice, each at its own speed, pitch and loudness.
    renditions: 8,
    'batch-size': 32,
    seed: 1,
  });
  const { epochs, 'batch-size': batchSize, seed } = opts;
  const { train, test } = await loadSpokenDigits(opts.renditions, seed);
  bn.setSeed(seed);

  const standardized = bn.preprocessing.standardize(train.x);
  const xTest = bn.preprocessing.standardize(test.x, standardized).x;

  const model = bn.sequential();
  model.add(bn.layers.conv2d({ filters: 32, kernelSize: [3, 3], activation: 'relu', inputShape: [FRAMES, MEL_BANDS, 1] }));
  // Conv2D gives [null, frames, bands, 32]; an LSTM reads [null, timesteps, features].
  const [frames, bands, channels] = model.outputShape;
  model.add(bn.layers.reshape({ targetShape: [frames, bands * channels] }));
  model.add(bn.layers.lstm({ units: 128, returnSequences: true }));
  model.add(bn.layers.dense({ units: 64, activation: 'relu' }));
  model.add(bn.layers.dense({ units: DIGITS.length, activation: 'softmax' }));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  model.summary();

  const yTrain = perTimestepTargets(train.labels, frames, DIGITS.length);
  const yTest = perTimestepTargets(test.labels, frames, DIGITS.length);
  const start = performance.now();
  await model.fit(standardized.x, yTrain, { epochs, batchSize, validationData: [xTest, yTest] });
  const seconds = (performance.now() - start) / 1000;

  const guesses = lastStepGuesses(model.predict(xTest));
  report(test, guesses);
  console.log(`\nheld-out voices (${TEST_VARIANTS.map((v) => `+${v}`).join(', ')} in ${ACCENTS.length} accents): ` +
    `${(accuracy(guesses, test.labels) * 100).toFixed(2)}% of ${guesses.length} utterances right ` +
    `(${epochs} epochs in ${seconds.toFixed(1)} s, ${((epochs * train.labels.length) / seconds).toFixed(0)} samples/s)`);
}

/** Accuracy per held-out voice and the digits most often confused. */
function report(test: SpokenDigits, guesses: Int32Array): void {
  const byVoice = new Map<string, [number, number]>();
  const confusions = new Map<string, number>();
  test.utterances.forEach((u, i) => {
    const voice = `${u.accent}+${u.variant}`;
    const [hits, count] = byVoice.get(voice) ?? [0, 0];
    byVoice.set(voice, [hits + (guesses[i] === u.digit ? 1 : 0), count + 1]);
    if (guesses[i] !== u.digit) {
      const key = `${DIGITS[u.digit]}→${DIGITS[guesses[i]]}`;
      confusions.set(key, (confusions.get(key) ?? 0) + 1);
    }
  });
  console.log('\naccuracy per held-out voice:');
  for (const [voice, [hits, count]] of byVoice) console.log(`  ${voice.padEnd(20)} ${((hits / count) * 100).toFixed(1).padStart(5)}%`);
  const worst = [...confusions].sort((a, b) => b[1] - a[1]).slice(0, 5);
  if (worst.length > 0) console.log(`most confused: ${worst.map(([k, n]) => `${k} (${n})`).join(', ')}`);
}

runMain(main);
