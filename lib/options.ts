// Options are read strictly: a key blasnet does not know is an error naming it and the
// closest known key, and a Keras option blasnet does not implement is refused by name
// unless it holds Keras's default. Keras's snake_case and TF.js's camelCase both work.
import { ValueError, formatValue } from './errors';
import { camelCase, snakeCase } from './names';

/** What an options object may hold. */
export interface OptionSpec {
  /** Options read, in camelCase. */
  readonly known: readonly string[];
  /** Keras options not implemented, in camelCase: accepted only at the default each maps to (null: null or absent). */
  readonly unsupported?: Readonly<Record<string, unknown>>;
  /** Deprecated spellings and the option each means (Keras's `lr` for learningRate). */
  readonly aliases?: Readonly<Record<string, string>>;
}

/** Levenshtein distance, for suggestions. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = here;
    }
  }
  return row[b.length];
}

/** The known option closest to `key`, in the user's spelling, or null when none is close. */
export function closest(key: string, choices: readonly string[]): string | null {
  const target = camelCase(key).toLowerCase();
  let best: string | null = null, bestDistance = Infinity;
  for (const c of choices) {
    const known = c.toLowerCase();
    // A few edits away, or the start of a longer name ('warmup' for 'warmupSteps').
    const d = distance(target, known);
    const close = d <= Math.max(2, Math.floor(target.length / 3)) || (target.length >= 4 && known.startsWith(target));
    if (close && d < bestDistance) [best, bestDistance] = [c, d];
  }
  if (best === null) return null;
  return key.includes('_') ? snakeCase(best) : best;
}

const isDefault = (value: unknown, fallback: unknown): boolean =>
  value === undefined || value === null || value === fallback || (Array.isArray(fallback) && JSON.stringify(value) === JSON.stringify(fallback));

/**
 * Copies an options object with camelCase keys, after checking every key: unknown keys throw
 * a ValueError naming the key and the closest known one; unsupported Keras options throw
 * unless at their default; an alias is read as the option it stands for.
 */
export function readOptions<T>(args: unknown, where: string, spec: OptionSpec): T {
  if (args === undefined || args === null) return {} as T;
  if (typeof args !== 'object' || Array.isArray(args)) throw new ValueError(`${where}: expected an options object, got ${formatValue(args)}`);
  const out: Record<string, unknown> = {};
  const given = new Map<string, string>();
  for (const [key, value] of Object.entries(args as Record<string, unknown>)) {
    let name = camelCase(key);
    const alias = spec.aliases?.[name];
    if (alias) name = alias;
    const before = given.get(name);
    if (before !== undefined) throw new ValueError(`${where}: option '${name}' is given twice ('${before}' and '${key}')`);
    given.set(name, key);
    if (spec.known.includes(name)) {
      out[name] = value;
      continue;
    }
    if (spec.unsupported && name in spec.unsupported) {
      if (isDefault(value, spec.unsupported[name])) continue;
      throw new ValueError(`${where}: option '${key}' is not supported by blasnet yet (got ${formatValue(value)}); remove it or leave it at ${formatValue(spec.unsupported[name])}`);
    }
    const suggestion = closest(key, [...spec.known, ...Object.keys(spec.unsupported ?? {})]);
    throw new ValueError(`${where}: unknown option '${key}'${suggestion ? ` — did you mean '${suggestion}'?` : ''} (options: ${spec.known.join(', ')})`);
  }
  return out as T;
}
