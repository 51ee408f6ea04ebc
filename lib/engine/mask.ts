import { ShapeError, formatShape } from '../errors';
import { Shape } from '../tensor';

/**
 * Keras's `_keras_mask`: per sample and position (a timestep), 1 where the input
 * holds data and 0 where it is padding. Shape [N, ...positions]: the shape of the
 * tensor it rides with, without its last axis (the features).
 */
export interface Mask {
  readonly data: Uint8Array;
  readonly shape: Shape;
}

/** Throws unless `mask` covers the positions of a tensor of `shape` (every axis but the last). */
export function checkMask(mask: Mask, shape: Shape, where: string): void {
  const want = shape.slice(0, -1);
  if (mask.shape.length !== want.length || want.some((d, i) => d !== mask.shape[i])) {
    throw new ShapeError(`${where}: its input's mask has shape ${formatShape(mask.shape)}, expected ${formatShape(want)} (the input ${formatShape(shape)} without its last axis)`);
  }
}
