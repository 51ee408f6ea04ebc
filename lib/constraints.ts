// Weight constraints as Keras 3 applies them (keras/src/constraints/constraints.py): a projection
// of a weight, run by training after every optimizer update on each trained weight that has one
// (keras/src/optimizers/base_optimizer.py, apply). Norms are over Keras's axes of the weight in
// Keras's layout, which is blasnet's, with Keras's epsilon (1e-7) in the division, in float32 as Keras computes.
import { ValueError, formatValue } from './errors';
import { KerasOptions, canonicalName } from './names';
import { readOptions } from './options';
import { Shape } from './tensor';

/** Keras's backend.epsilon(). */
const F32_EPSILON = Math.fround(1e-7);
const f32 = Math.fround;

/** An axis option: one axis, several, or null for all (negative counts from the end). */
export type ConstraintAxis = number | number[] | null;

/** What the norm-based constraints do with the norm n of each slice: the norm it should have. */
type Desired = (norm: number) => number;

export abstract class Constraint {
  abstract readonly className: string;

  /** Throws unless the constraint can apply to a weight of this shape (its axes exist). */
  check(_shape: Shape, _where: string): void {}

  /** Projects the weight w (of this shape) in place. */
  abstract apply(w: Float32Array, shape: Shape): void;

  abstract get config(): Record<string, unknown>;

  /** As Keras serialises it: {class_name, config}. */
  getConfig(): Record<string, unknown> {
    return { class_name: this.className, config: this.config };
  }
}

/** Keras's NonNeg: max(w, 0). */
export class NonNeg extends Constraint {
  readonly className = 'NonNeg';

  apply(w: Float32Array): void {
    // w < 0 is false for NaN, which stays NaN as in ops.maximum.
    for (let i = 0; i < w.length; i++) if (w[i] < 0) w[i] = 0;
  }

  get config(): Record<string, unknown> {
    return {};
  }
}

/**
 * The constraints that rescale each slice of the weight (the elements sharing an index on
 * every axis not in `axis`) by desired(norm) / (epsilon + norm), norm being its L2 norm.
 */
abstract class NormConstraint extends Constraint {
  /** The slice of each element, per weight shape (one constraint may serve several weights). */
  private readonly slices = new Map<string, { index: Int32Array; count: number }>();
  /** The last shape array seen and its slices: a weight's shape is one array, so a step finds it without a lookup. */
  private last: { shape: Shape; slices: { index: Int32Array; count: number } } | null = null;
  private norms = new Float64Array(0);

  constructor(readonly axis: ConstraintAxis, private readonly desired: Desired) {
    super();
    const axes = axis === null ? [] : Array.isArray(axis) ? axis : [axis];
    if (!axes.every((a) => Number.isInteger(a)) || (Array.isArray(axis) && axis.length === 0)) {
      throw new ValueError(`${this.constructor.name}: axis must be an integer, a non-empty list of integers or null, got ${formatValue(axis)}`);
    }
  }

  override check(shape: Shape, where: string): void {
    this.reducedAxes(shape, where);
  }

  apply(w: Float32Array, shape: Shape): void {
    const { index, count } = this.sliceIndex(shape);
    if (this.norms.length < count) this.norms = new Float64Array(count);
    const norms = this.norms;
    norms.fill(0, 0, count);
    for (let i = 0; i < w.length; i++) norms[index[i]] += w[i] * w[i];
    // float32 as Keras: norm, desired / (epsilon + norm), then the product.
    for (let s = 0; s < count; s++) {
      const n = Math.fround(Math.sqrt(Math.fround(norms[s])));
      norms[s] = Math.fround(Math.fround(this.desired(n)) / Math.fround(F32_EPSILON + n));
    }
    for (let i = 0; i < w.length; i++) w[i] *= norms[index[i]];
  }

  get config(): Record<string, unknown> {
    return { axis: this.axis };
  }

  /** The axes summed over, normalised; throws naming the weight when one is out of range. */
  private reducedAxes(shape: Shape, where: string): boolean[] {
    const rank = shape.length;
    const reduced = new Array<boolean>(rank).fill(this.axis === null);
    for (const a of this.axis === null ? [] : Array.isArray(this.axis) ? this.axis : [this.axis]) {
      if (a < -rank || a >= rank) {
        throw new ValueError(`${where}: ${this.className} axis ${a} is out of range for a weight of shape [${shape.join(', ')}] (rank ${rank})`);
      }
      reduced[(a + rank) % rank] = true;
    }
    return reduced;
  }

  private sliceIndex(shape: Shape): { index: Int32Array; count: number } {
    if (this.last?.shape === shape) return this.last.slices;
    const key = shape.join(',');
    const known = this.slices.get(key);
    if (known) {
      this.last = { shape, slices: known };
      return known;
    }
    const reduced = this.reducedAxes(shape, this.className);
    // Row-major walk: the slice number is the position over the kept axes only.
    const size = shape.reduce((a, b) => a * b, 1);
    const index = new Int32Array(size);
    const stride = shape.map(() => 0);
    let count = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (!reduced[d]) { stride[d] = count; count *= shape[d]; }
    }
    const at = shape.map(() => 0);
    for (let i = 0, s = 0; i < size; i++) {
      index[i] = s;
      for (let d = shape.length - 1; d >= 0; d--) {
        at[d]++;
        s += stride[d];
        if (at[d] < shape[d]) break;
        s -= stride[d] * at[d];
        at[d] = 0;
      }
    }
    const slices = { index, count };
    this.slices.set(key, slices);
    this.last = { shape, slices };
    return slices;
  }
}

/** Keras's MaxNorm: slices with a norm above maxValue are scaled down to it. */
export class MaxNorm extends NormConstraint {
  readonly className = 'MaxNorm';

  constructor(readonly maxValue: number, axis: ConstraintAxis) {
    super(axis, (n) => Math.min(Math.max(n, 0), f32(maxValue)));
    checkNumber('maxNorm', 'maxValue', maxValue);
  }

  override get config(): Record<string, unknown> {
    return { max_value: this.maxValue, axis: this.axis };
  }
}

/** Keras's UnitNorm: every slice scaled to norm 1. */
export class UnitNorm extends NormConstraint {
  readonly className = 'UnitNorm';

  constructor(axis: ConstraintAxis) {
    super(axis, () => 1);
  }
}

/** Keras's MinMaxNorm: norms moved to rate * clip(norm, minValue, maxValue) + (1 - rate) * norm. */
export class MinMaxNorm extends NormConstraint {
  readonly className = 'MinMaxNorm';

  constructor(readonly minValue: number, readonly maxValue: number, readonly rate: number, axis: ConstraintAxis) {
    super(axis, (n) => f32(f32(rate) * Math.min(Math.max(n, f32(minValue)), f32(maxValue))) + f32(f32(1 - rate) * n));
    checkNumber('minMaxNorm', 'minValue', minValue);
    checkNumber('minMaxNorm', 'maxValue', maxValue);
    checkNumber('minMaxNorm', 'rate', rate);
  }

  override get config(): Record<string, unknown> {
    return { min_value: this.minValue, max_value: this.maxValue, rate: this.rate, axis: this.axis };
  }
}

function checkNumber(where: string, key: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`${where}: ${key} must be a finite number, got ${formatValue(v)}`);
}

interface MaxNormArgs { maxValue?: number; axis?: ConstraintAxis }
interface UnitNormArgs { axis?: ConstraintAxis }
interface MinMaxNormArgs { minValue?: number; maxValue?: number; rate?: number; axis?: ConstraintAxis }

/** Keras's factories and defaults: `bn.constraints.maxNorm({maxValue: 3, axis: [0, 1, 2]})`. */
export const constraints = {
  maxNorm: (args: KerasOptions<MaxNormArgs> = {}): MaxNorm => {
    const a = readOptions<MaxNormArgs>(args, 'maxNorm', { known: ['maxValue', 'axis'] });
    return new MaxNorm(a.maxValue ?? 2, a.axis === undefined ? 0 : a.axis);
  },
  nonNeg: (): NonNeg => new NonNeg(),
  unitNorm: (args: KerasOptions<UnitNormArgs> = {}): UnitNorm => {
    const a = readOptions<UnitNormArgs>(args, 'unitNorm', { known: ['axis'] });
    return new UnitNorm(a.axis === undefined ? 0 : a.axis);
  },
  minMaxNorm: (args: KerasOptions<MinMaxNormArgs> = {}): MinMaxNorm => {
    const a = readOptions<MinMaxNormArgs>(args, 'minMaxNorm', { known: ['minValue', 'maxValue', 'rate', 'axis'] });
    return new MinMaxNorm(a.minValue ?? 0, a.maxValue ?? 1, a.rate ?? 1, a.axis === undefined ? 0 : a.axis);
  },
};

type ConstraintName = 'max_norm' | 'maxNorm' | 'MaxNorm' | 'non_neg' | 'nonNeg' | 'NonNeg' | 'unit_norm' | 'unitNorm' | 'UnitNorm'
  | 'min_max_norm' | 'minMaxNorm' | 'MinMaxNorm';

/** A constraint option: a name ('max_norm', 'nonNeg'), an instance, or a saved {class_name, config}. */
export type ConstraintIdentifier = ConstraintName | Constraint | { className?: string; class_name?: string; config?: Record<string, unknown> };

const FACTORIES: Record<string, (config: Record<string, unknown>) => Constraint> = {
  maxnorm: (c) => constraints.maxNorm(c),
  nonneg: (c) => { readOptions(c, 'nonNeg', { known: [] }); return constraints.nonNeg(); },
  unitnorm: (c) => constraints.unitNorm(c),
  minmaxnorm: (c) => constraints.minMaxNorm(c),
};

/** A constraint from an option (see ConstraintIdentifier), or null for none; `where` names the layer and option. */
export function getConstraint(id: unknown, where: string): Constraint | null {
  if (id === undefined || id === null) return null;
  if (id instanceof Constraint) return id;
  // Keras 3 also writes module and registered_name, which name nothing blasnet needs.
  const saved = id as { className?: string; class_name?: string; config?: Record<string, unknown> };
  const name = typeof id === 'string' ? id : typeof id === 'object' ? saved.className ?? saved.class_name : undefined;
  const factory = typeof name === 'string' ? FACTORIES[canonicalName(name)] : undefined;
  if (!factory) throw new ValueError(`${where}: unknown constraint ${formatValue(id)}; use 'max_norm', 'non_neg', 'unit_norm', 'min_max_norm' or bn.constraints.maxNorm({maxValue})`);
  return factory(typeof id === 'string' ? {} : saved.config ?? {});
}
