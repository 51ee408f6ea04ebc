// Which language is a word in? Five languages from Debian's word lists (wamerican, wngerman,
// wfrench, wspanish, witalian), read character by character:
//   characters -> ids -> Embedding(vocabulary, 32) -> LSTM(128) -> Dense(64, relu) -> Dense(5, softmax)
// This is the seed's embedding model with one change: a word has one label, so the LSTM returns
// only its last state (returnSequences: false) instead of a prediction per character
// (examples/seed-embedding.ts keeps the per-character form). Classes are balanced, words found in
// more than one list are dropped, and the test words are never seen in training.
//
//   npx tsx examples/text-language-id.ts [--epochs 6] [--train-per-language 10000] [--test-per-language 1000]
//                                        [--max-length 16] [--batch-size 32] [--seed 1]
import * as bn from '../lib/index';
import { argmax, parseOptions, runMain } from './common';
import { LANGUAGES, characterIds, encodeWords, loadLanguageWords, requireWordLists } from './word-lists';

async function main(): Promise<void> {
  const opts = parseOptions({
    epochs: 6, 'train-per-language': 10000, 'test-per-language': 1000, 'max-length': 16, 'batch-size': 32, seed: 1,
  });
  const { epochs, 'batch-size': batchSize, 'max-length': maxLength, seed } = opts;
  requireWordLists();
  bn.setSeed(seed);

  const { train, test } = loadLanguageWords(opts['train-per-language'], opts['test-per-language'], seed);
  const ids = characterIds(train.words);
  const vocabulary = ids.size + 2;
  const xTrain = encodeWords(train.words, ids, maxLength);
  const xTest = encodeWords(test.words, ids, maxLength);
  const yTrain = bn.utils.toCategorical(train.labels, LANGUAGES.length);
  const yTest = bn.utils.toCategorical(test.labels, LANGUAGES.length);
  console.log(`${LANGUAGES.map((l) => l.name).join(', ')}: ${train.words.length} training words, ${test.words.length} test words, ` +
    `${vocabulary} character ids (0 padding, 1 unseen), sequences of ${maxLength}`);

  const model = bn.sequential();
  model.add(bn.layers.embedding({ inputDim: vocabulary, outputDim: 32, inputLength: maxLength }));
  model.add(bn.layers.lstm({ units: 128 }));
  model.add(bn.layers.dense({ units: 64, activation: 'relu' }));
  model.add(bn.layers.dense({ units: LANGUAGES.length, activation: 'softmax' }));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  model.summary();

  const start = performance.now();
  await model.fit(xTrain, yTrain, { epochs, batchSize, validationData: [xTest, yTest] });
  const seconds = (performance.now() - start) / 1000;

  const probs = model.predict(xTest);
  const K = LANGUAGES.length;
  const confusion = LANGUAGES.map(() => new Array<number>(K).fill(0));
  for (let i = 0; i < test.words.length; i++) confusion[test.labels[i]][argmax(probs.data.subarray(i * K, (i + 1) * K))]++;
  const correct = confusion.reduce((s, row, k) => s + row[k], 0);

  console.log('\nconfusion on held-out words (rows: true language, columns: predicted)');
  console.log(`${''.padEnd(9)}${LANGUAGES.map((l) => l.name.slice(0, 7).padStart(8)).join('')}`);
  confusion.forEach((row, k) => console.log(`${LANGUAGES[k].name.padEnd(9)}${row.map((n) => String(n).padStart(8)).join('')}`));
  const samples = LANGUAGES.flatMap((_, k) => [...test.labels.keys()].filter((i) => test.labels[i] === k).slice(0, 2))
    .map((i) => `${test.words[i]}→${LANGUAGES[argmax(probs.data.subarray(i * K, (i + 1) * K))].name}`);
  console.log(`\ntwo test words per language, as classified: ${samples.join(', ')}`);
  console.log(`\nheld-out accuracy ${((correct / test.words.length) * 100).toFixed(2)}% over ${K} languages ` +
    `(${epochs} epochs in ${seconds.toFixed(1)} s, ${((epochs * train.words.length) / seconds).toFixed(0)} samples/s)`);
}

runMain(main);
