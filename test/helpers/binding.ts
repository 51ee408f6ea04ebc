// Table-driven checks that a native export rejects bad arguments with the right
// error class, and never crashes the process.
import type { Test } from 'tap';

export type Call = (...args: unknown[]) => unknown;

/**
 * Starting from a valid argument list, tries: a missing argument; each typed array
 * replaced by the wrong kind (TypeError) and by one element too few (RangeError);
 * each integer dimension replaced by 0, -1, 1.5 and NaN (RangeError, TypeError for NaN
 * is acceptable only as RangeError since NaN is a number). dims lists the indices of
 * dimension arguments.
 */
export function rejectsBadArguments(t: Test, name: string, fn: Call, valid: unknown[], dims: number[]): void {
  t.doesNotThrow(() => fn(...valid.map(copy)), `${name}: valid arguments accepted`);
  t.throws(() => fn(...valid.slice(0, -1).map(copy)), TypeError, `${name}: missing argument -> TypeError`);
  valid.forEach((arg, i) => {
    if (arg instanceof Float32Array || arg instanceof Int32Array) {
      const wrongKind = arg instanceof Float32Array ? new Int32Array(arg.length) : new Float32Array(arg.length);
      t.throws(() => fn(...replace(valid, i, wrongKind)), TypeError, `${name}: argument ${i} of the wrong kind -> TypeError`);
      t.throws(() => fn(...replace(valid, i, arg.slice(0, arg.length - 1))), RangeError, `${name}: argument ${i} too short -> RangeError`);
      t.throws(() => fn(...replace(valid, i, [...arg])), TypeError, `${name}: argument ${i} as a plain array -> TypeError`);
    }
  });
  for (const i of dims) {
    for (const bad of [0, -1, 1.5, NaN, 2 ** 60]) {
      t.throws(() => fn(...replace(valid, i, bad)), RangeError, `${name}: dimension ${i} = ${bad} -> RangeError`);
    }
    t.throws(() => fn(...replace(valid, i, '3')), TypeError, `${name}: dimension ${i} as a string -> TypeError`);
  }
}

function copy(v: unknown): unknown {
  return v instanceof Float32Array || v instanceof Int32Array ? v.slice() : v;
}

function replace(args: unknown[], i: number, value: unknown): unknown[] {
  return args.map((a, k) => (k === i ? value : copy(a)));
}
