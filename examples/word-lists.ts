// Words of five languages from Debian's word lists, for the text examples (text-language-id.ts,
// seed-embedding.ts): read, lower-cased, deduplicated across languages, balanced, split, and
// turned into padded sequences of character ids.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as bn from '../lib/index';
import { seededRandom } from '../lib/random';

const DICT_DIR = '/usr/share/dict';

export const LANGUAGES = [
  { name: 'English', file: 'american-english', debianPackage: 'wamerican' },
  { name: 'German', file: 'ngerman', debianPackage: 'wngerman' },
  { name: 'French', file: 'french', debianPackage: 'wfrench' },
  { name: 'Spanish', file: 'spanish', debianPackage: 'wspanish' },
  { name: 'Italian', file: 'italian', debianPackage: 'witalian' },
] as const;

export interface LabelledWords {
  words: string[];
  /** Index into LANGUAGES. */
  labels: Int32Array;
}

/** Exits with the apt-get command to run when a word list is missing. */
export function requireWordLists(): void {
  const missing = LANGUAGES.filter((l) => !existsSync(path.join(DICT_DIR, l.file)));
  if (missing.length === 0) return;
  console.error(`Word lists not found: ${missing.map((l) => path.join(DICT_DIR, l.file)).join(', ')}.\n` +
    `Install Debian's packages:\n  sudo apt-get install ${LANGUAGES.map((l) => l.debianPackage).join(' ')}`);
  process.exit(1);
}

function shuffle<T>(items: T[], uniform: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}

/**
 * The same number of words from each language, split into train and test sets that share no
 * word. Words are lower-cased (German capitalises nouns, which would give the answer away) and
 * kept only if made of letters; a word found in more than one list (e.g. "hotel") is dropped,
 * since its language is ambiguous.
 */
export function loadLanguageWords(trainPerLanguage: number, testPerLanguage: number, seed: number): { train: LabelledWords; test: LabelledWords } {
  const lists = LANGUAGES.map((l) => {
    const text = readFileSync(path.join(DICT_DIR, l.file), 'utf8').normalize('NFC');
    return new Set(text.split('\n').map((w) => w.trim().toLowerCase()).filter((w) => /^\p{L}{2,}$/u.test(w)));
  });
  const listsHolding = new Map<string, number>();
  for (const list of lists) for (const w of list) listsHolding.set(w, (listsHolding.get(w) ?? 0) + 1);

  const { uniform } = seededRandom(seed);
  const train: [string, number][] = [], test: [string, number][] = [];
  lists.forEach((list, label) => {
    const words = [...list].filter((w) => listsHolding.get(w) === 1);
    const needed = trainPerLanguage + testPerLanguage;
    if (words.length < needed) throw new Error(`${LANGUAGES[label].name}: only ${words.length} distinct words, ${needed} requested`);
    shuffle(words, uniform);
    words.slice(0, trainPerLanguage).forEach((w) => train.push([w, label]));
    words.slice(trainPerLanguage, needed).forEach((w) => test.push([w, label]));
  });
  shuffle(train, uniform);
  const unzip = (pairs: [string, number][]): LabelledWords => ({ words: pairs.map((p) => p[0]), labels: Int32Array.from(pairs, (p) => p[1]) });
  return { train: unzip(train), test: unzip(test) };
}

/** Character -> id, from the training words: 0 is padding, 1 a character never seen in training. */
export function characterIds(words: string[]): Map<string, number> {
  const ids = new Map<string, number>();
  for (const w of words) for (const ch of w) if (!ids.has(ch)) ids.set(ch, ids.size + 2);
  return ids;
}

/**
 * Words as int32 [N, maxLength] character ids, as Keras' pad_sequences: padding with 0 before
 * ('pre', the default) or after ('post') the word; a longer word keeps its last maxLength characters.
 */
export function encodeWords(words: string[], ids: Map<string, number>, maxLength: number, padding: 'pre' | 'post' = 'pre'): bn.Tensor {
  const out = new Int32Array(words.length * maxLength);
  words.forEach((word, i) => {
    const chars = [...word].slice(-maxLength);
    const offset = i * maxLength + (padding === 'pre' ? maxLength - chars.length : 0);
    chars.forEach((ch, k) => (out[offset + k] = ids.get(ch) ?? 1));
  });
  return bn.tensor(out, [words.length, maxLength], 'int32');
}
