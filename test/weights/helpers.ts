// Reading the Keras fixtures of tools/goldens/weights_keras.py (test/fixtures/weights).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as bn from '../../lib';

const dir = join(__dirname, '..', 'fixtures', 'weights');

/** An array as the fixtures write it. */
export interface Arr {
  shape: number[];
  values: number[];
}

export const read = <T>(name: string): T => JSON.parse(readFileSync(join(dir, name), 'utf8')) as T;

export const tensor = (a: Arr, dtype: 'float32' | 'int32' = 'float32'): bn.Tensor =>
  new bn.Tensor(dtype === 'int32' ? Int32Array.from(a.values) : Float32Array.from(a.values), a.shape);

/** |a - b| relative to the larger magnitude, absolute below 1. */
export function relError(a: number, b: number): number {
  const d = Math.abs(a - b);
  return d === 0 ? 0 : d / Math.max(Math.abs(a), Math.abs(b), 1);
}

/** The largest relative error over two arrays, and where. */
export function worst(a: ArrayLike<number>, b: ArrayLike<number>): { error: number; index: number } {
  let error = 0, index = -1;
  for (let i = 0; i < a.length; i++) {
    const e = relError(a[i], b[i]);
    if (e > error || Number.isNaN(e)) [error, index] = [e, i];
  }
  return { error, index };
}
