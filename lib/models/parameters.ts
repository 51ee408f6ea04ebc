import { Param } from '../layers/layer';

/**
 * A model's trainable weights packed into one contiguous buffer, with their
 * gradients in a second one, so the optimizer updates every weight in one native
 * pass (which also clears the gradients) instead of one call per weight.
 */
export class FlatParameters {
  readonly values: Float32Array;
  readonly grads: Float32Array;

  constructor(readonly params: readonly Param[]) {
    const total = params.reduce((n, p) => n + p.value.size, 0);
    this.values = new Float32Array(total);
    this.grads = new Float32Array(total);
    let offset = 0;
    for (const p of params) {
      const end = offset + p.value.size;
      p.relocate(this.values.subarray(offset, end), this.grads.subarray(offset, end));
      offset = end;
    }
  }
}
