// The seed's embedding model, ported from Keras:
//   Embedding(vocab_size, 64, input_length=max_length) -> LSTM(128, return_sequences=True)
//   -> Dense(64, relu) -> Dense(num_classes, softmax)
// on a per-timestep task from Debian's word lists (wamerican, wngerman, wfrench, wspanish,
// witalian): read a word one character at a time and, after every character, guess its language.
// Words are padded after their end ('post'), so timestep k has read the first k + 1 characters;
// the target is the word's language at every timestep. Prints how the held-out accuracy grows
// with the characters read. (examples/text-language-id.ts classifies whole words instead.)
//
//   npx tsx examples/seed-embedding.ts [--epochs 6] [--train-per-language 4000] [--max-length 12] [--batch-size 32] [--seed 1]
import * as bn from '../lib/index';
import { guessAt, parseOptions, perTimestepTargets, runMain } from './common';
import { LANGUAGES, characterIds, encodeWords, loadLanguageWords, requireWordLists } from './word-lists';

const numClasses = LANGUAGES.length;

async function main(): Promise<void> {
  const opts = parseOptions({ epochs: 6, 'train-per-language': 4000, 'max-length': 12, 'batch-size': 32, seed: 1 });
  const { epochs, 'batch-size': batchSize, 'max-length': maxLength, seed } = opts;
  requireWordLists();
  bn.setSeed(seed);

  const { train, test } = loadLanguageWords(opts['train-per-language'], 1000, seed);
  const ids = characterIds(train.words);
  const vocabSize = ids.size + 2;
  const xTrain = encodeWords(train.words, ids, maxLength, 'post');
  const xTest = encodeWords(test.words, ids, maxLength, 'post');
  console.log(`${train.words.length} training and ${test.words.length} test words, ${vocabSize} character ids, ${maxLength} timesteps`);

  const model = bn.sequential();
  model.add(bn.layers.embedding({ inputDim: vocabSize, outputDim: 64, inputLength: maxLength }));
  model.add(bn.layers.lstm({ units: 128, returnSequences: true }));
  model.add(bn.layers.dense({ units: 64, activation: 'relu' }));
  model.add(bn.layers.dense({ units: numClasses, activation: 'softmax' }));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  model.summary();

  const yTest = perTimestepTargets(test.labels, maxLength, numClasses);
  const start = performance.now();
  await model.fit(xTrain, perTimestepTargets(train.labels, maxLength, numClasses), { epochs, batchSize, validationData: [xTest, yTest] });
  const seconds = (performance.now() - start) / 1000;

  // Accuracy after k characters, and at each word's own last character (its length capped at maxLength).
  const probs = model.predict(xTest);
  const afterK = new Array<number>(maxLength).fill(0);
  let atWordEnd = 0;
  test.words.forEach((word, i) => {
    for (let t = 0; t < maxLength; t++) if (guessAt(probs, i, t) === test.labels[i]) afterK[t]++;
    if (guessAt(probs, i, Math.min([...word].length, maxLength) - 1) === test.labels[i]) atWordEnd++;
  });
  const pct = (hits: number): string => `${((hits / test.words.length) * 100).toFixed(1)}%`;
  console.log(`\nheld-out accuracy after reading k characters (padding after shorter words):`);
  console.log(afterK.map((hits, t) => `k=${t + 1}: ${pct(hits)}`).join('  '));
  console.log(`held-out accuracy at each word's last character: ${pct(atWordEnd)} ` +
    `(${epochs} epochs in ${seconds.toFixed(1)} s, ${((epochs * train.words.length) / seconds).toFixed(0)} samples/s)`);
}

runMain(main);
