import { ValueError } from '../errors';
import { Param } from '../layers/layer';

/** Per-weight optimizer state; null marks a buffer the settings do not need. */
export type Slots = (Float32Array | null)[];

/** Updates weights in place from their accumulated gradients. State is kept per weight. */
export abstract class Optimizer {
  /** Keras class name, e.g. 'Adam'. */
  abstract readonly className: string;
  /** Number of update steps applied so far (Keras' `iterations`). */
  iterations = 0;
  private readonly slots = new Map<Param, Slots>();

  /** Applies one update to every parameter from its `grad`. */
  apply(params: readonly Param[]): void {
    this.iterations++;
    for (const p of params) {
      let state = this.slots.get(p);
      if (!state) this.slots.set(p, (state = this.createSlots(p.value.size)));
      this.update(p, state);
    }
  }

  abstract getConfig(): Record<string, unknown>;

  /** The per-weight state arrays (Adam's m and v, for instance). */
  protected abstract createSlots(size: number): Slots;
  protected abstract update(p: Param, slots: Slots): void;
}

/** Validates a hyper-parameter: finite and within [lo, hi]. */
export function hyper(value: unknown, fallback: number, name: string, lo: number, hi: number, where: string): number {
  const v = value === undefined || value === null ? fallback : value;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) {
    throw new ValueError(`${where}: ${name} must be a finite number in [${lo}, ${hi}], got ${JSON.stringify(value)}`);
  }
  return v;
}
