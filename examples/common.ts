// What the examples share: their command-line options, per-timestep targets and reading
// predictions back out.
import { parseArgs } from 'node:util';
import * as bn from '../lib/index';

/**
 * Parses `--name value` options: those in `integers` must be positive integers, those in
 * `strings` are taken as given; each defaults to the value listed.
 */
export function parseOptions<I extends string, S extends string = never>(
  integers: Record<I, number>, strings = {} as Record<S, string>,
): Record<I, number> & Record<S, string> {
  const options: Record<string, { type: 'string'; default: string }> = {};
  for (const [name, value] of [...Object.entries(integers), ...Object.entries(strings)]) {
    options[name] = { type: 'string', default: String(value) };
  }
  const { values } = parseArgs({ options });
  const parsed: Record<string, number | string> = { ...values } as Record<string, string>;
  for (const name of Object.keys(integers)) {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${values[name]}`);
    parsed[name] = n;
  }
  return parsed as Record<I, number> & Record<S, string>;
}

/** Runs an example's main, printing an error's message (not its stack) and exiting 1 on failure. */
export function runMain(main: () => Promise<void>): void {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}

/** The index of the largest value (the first, on ties). */
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < row.length; k++) if (row[k] > row[best]) best = k;
  return best;
}

/** Labels [N] -> one-hot targets repeated at every timestep, [N, timesteps, numClasses]. */
export function perTimestepTargets(labels: Int32Array, timesteps: number, numClasses: number): bn.Tensor {
  const repeated = new Int32Array(labels.length * timesteps);
  labels.forEach((label, i) => repeated.fill(label, i * timesteps, (i + 1) * timesteps));
  return bn.utils.toCategorical(bn.tensor(repeated, [labels.length, timesteps], 'int32'), numClasses);
}

/** The class predicted at (sample i, timestep t) of probabilities [N, timesteps, classes]. */
export function guessAt(probs: bn.Tensor, i: number, t: number): number {
  const [, timesteps, classes] = probs.shape;
  const row = (i * timesteps + t) * classes;
  return argmax(probs.data.subarray(row, row + classes));
}

/** The class each sample is predicted as at its last timestep, which has seen the whole sequence. */
export function lastStepGuesses(probs: bn.Tensor): Int32Array {
  const [n, timesteps] = probs.shape;
  return Int32Array.from({ length: n }, (_, i) => guessAt(probs, i, timesteps - 1));
}

/** The fraction of guesses equal to their labels. */
export function accuracy(guesses: Int32Array, labels: Int32Array): number {
  return guesses.reduce((hits, g, i) => hits + (g === labels[i] ? 1 : 0), 0) / labels.length;
}
