// Keras (snake_case) and TensorFlow.js (camelCase) spellings are both accepted.

/** 'categorical_crossentropy', 'categoricalCrossentropy' -> 'categoricalcrossentropy'. */
export function canonicalName(name: string): string {
  return name.replace(/_/g, '').toLowerCase();
}

/** 'kernel_initializer' -> 'kernelInitializer'. */
export function camelCase(key: string): string {
  // Keys without '_' (the common case, e.g. predict's {batchSize} on every call) skip the regex.
  return key.includes('_') ? key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) : key;
}

/** 'kernelInitializer' -> 'kernel_initializer'. */
export function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * 'kernelSize' -> 'kernel_size' for types, as Keras spells options: a digit after a letter gets
 * an underscore too ('beta1' -> 'beta_1'), which camelCase undoes.
 */
export type SnakeCase<S extends string> = S extends `${infer C}${infer Rest}`
  ? `${C extends `${number}` ? `_${C}` : C extends Lowercase<C> ? C : `_${Lowercase<C>}`}${SnakeCase<Rest>}`
  : S;

/** The same options with Keras's snake_case keys. */
export type SnakeKeys<T> = { [K in keyof T as K extends string ? SnakeCase<K> : K]: T[K] };

/** Options in TensorFlow.js camelCase or in Keras snake_case (one spelling per object), so ported Keras code compiles. */
export type KerasOptions<T> = T | SnakeKeys<T>;

/** Copies a config object with every snake_case key turned into camelCase. */
export function camelKeys<T>(args: T): T {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return args;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args as Record<string, unknown>)) out[camelCase(k)] = v;
  return out as T;
}

/** Resolves a user's name against a table keyed by canonical names, or throws listing the choices. */
export function lookup<T>(table: Record<string, T>, name: string, what: string, onError: (msg: string) => Error): T {
  const hit = table[canonicalName(name)];
  if (hit === undefined) {
    throw onError(`Unknown ${what} '${name}'. Expected one of: ${Object.keys(table).join(', ')}`);
  }
  return hit;
}
