// Reading the Keras fixtures of tools/goldens/weights_keras.py (test/fixtures/weights).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as bn from '../../lib';
import { relError as relErrorAbove, worst as worstAbove } from '../losses/helpers';

const dir = join(__dirname, '..', 'fixtures', 'weights');

/** An array as the fixtures write it. */
export interface Arr {
  shape: number[];
  values: number[];
}

export const read = <T>(name: string): T => JSON.parse(readFileSync(join(dir, name), 'utf8')) as T;

export const tensor = (a: Arr, dtype: 'float32' | 'int32' = 'float32'): bn.Tensor =>
  new bn.Tensor(dtype === 'int32' ? Int32Array.from(a.values) : Float32Array.from(a.values), a.shape);

/** Relative errors as the loss goldens take them, but absolute below 1 (weighted values sit near 0). */
export const relError = (a: number, b: number): number => relErrorAbove(a, b, 1);
export const worst = (a: ArrayLike<number>, b: ArrayLike<number>): { error: number; index: number } => worstAbove(a, b, 1);
