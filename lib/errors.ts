/** A bad argument or configuration value. */
export class ValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValueError';
  }
}

/** Tensor shapes that do not fit together. */
export class ShapeError extends ValueError {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

/** Formats a shape the way Keras prints it, with `null` for the batch axis. */
export function formatShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;
}

/**
 * A user's value as error messages print it: JSON where JSON is faithful (strings quoted,
 * `[1,2]`, `{"a":1}`), and otherwise what the value is: NaN, Infinity, 12n, undefined, a
 * function by name, a Promise (an async function's result), a typed array by kind. Long
 * lists and strings are cut short. Never throws.
 */
export function formatValue(value: unknown): string {
  try {
    return format(value, 0);
  } catch {
    // A getter or toString that throws.
    return `an unprintable ${typeof value}`;
  }
}

function format(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'number': return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint': return `${value}n`;
    case 'undefined': return 'undefined';
    case 'symbol': return value.toString();
    case 'function': return value.name ? `function ${value.name}` : 'a function';
    case 'string': return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
    case 'boolean': return String(value);
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (typeof (obj as { then?: unknown }).then === 'function') return 'a Promise (an async function\'s result; a plain value is expected)';
  if (ArrayBuffer.isView(obj)) {
    const name = obj.constructor.name;
    return 'length' in obj ? `${name}(${(obj as unknown as ArrayLike<unknown>).length}) ${list(Array.from(obj as unknown as ArrayLike<unknown>), depth)}` : name;
  }
  if (depth >= 3) return Array.isArray(obj) ? '[...]' : '{...}';
  if (Array.isArray(obj)) return list(obj, depth);
  const proto = Object.getPrototypeOf(obj);
  if (proto !== Object.prototype && proto !== null) {
    // A class instance: its own description (a Tensor's shape and dtype) or its class.
    return obj.toString !== Object.prototype.toString ? String(obj) : `a ${obj.constructor?.name ?? 'object'}`;
  }
  const entries = Object.entries(obj);
  const shown = entries.slice(0, MAX_ITEMS).map(([k, v]) => `${JSON.stringify(k)}:${format(v, depth + 1)}`);
  if (entries.length > MAX_ITEMS) shown.push(`... (${entries.length} keys)`);
  return `{${shown.join(',')}}`;
}

const MAX_ITEMS = 8;

function list(items: readonly unknown[], depth: number): string {
  const shown = items.slice(0, MAX_ITEMS).map((v) => format(v, depth + 1));
  if (items.length > MAX_ITEMS) shown.push(`... (${items.length} items)`);
  return `[${shown.join(',')}]`;
}
