import { ValueError } from '../errors';

/** Optimizer state for one parameter buffer; null marks a buffer the settings do not need. */
export type Slots = (Float32Array | null)[];

/**
 * Updates weights in place from their accumulated gradients. A model hands over
 * all its trainable weights as one flat buffer, so each step is one native call;
 * the update consumes the gradients (zeroes them) for the next accumulation.
 */
export abstract class Optimizer {
  /** Keras class name, e.g. 'Adam'. */
  abstract readonly className: string;
  /** Number of update steps applied so far (Keras' `iterations`). */
  iterations = 0;
  private readonly slots = new WeakMap<Float32Array, Slots>();

  /** Applies one update to `values` from `grads` (same length), then leaves `grads` zeroed. */
  step(values: Float32Array, grads: Float32Array): void {
    if (values.length !== grads.length) throw new ValueError(`${this.className}: ${values.length} values but ${grads.length} gradients`);
    this.iterations++;
    let state = this.slots.get(values);
    if (!state) this.slots.set(values, (state = this.createSlots(values.length)));
    this.update(values, grads, state);
  }

  abstract getConfig(): Record<string, unknown>;

  /** The state arrays for a buffer of `size` values (Adam's m and v, for instance). */
  protected abstract createSlots(size: number): Slots;
  protected abstract update(values: Float32Array, grads: Float32Array, slots: Slots): void;
}

/** Validates a hyper-parameter: finite and within [lo, hi]. */
export function hyper(value: unknown, fallback: number, name: string, lo: number, hi: number, where: string): number {
  const v = value === undefined || value === null ? fallback : value;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) {
    throw new ValueError(`${where}: ${name} must be a finite number in [${lo}, ${hi}], got ${JSON.stringify(value)}`);
  }
  return v;
}
