import { ValueError, formatShape, formatValue } from '../errors';
import type { Param } from '../layers/layer';
import { OptionSpec } from '../options';
import { LearningRateSchedule } from './schedules';
import { Tensor, sameShape } from '../tensor';

/**
 * An optimizer's options: its own, `name`, Keras's deprecated `lr`, and the Keras optimizer
 * options blasnet does not implement yet (accepted at their defaults).
 */
export function optimizerOptions(known: string[], unsupported: Record<string, unknown> = {}): OptionSpec {
  return {
    known: ['learningRate', 'weightDecay', 'name', 'clipnorm', 'clipvalue', 'globalClipnorm', ...known],
    aliases: { lr: 'learningRate' },
    unsupported: { useEma: false, emaMomentum: 0.99, emaOverwriteFrequency: null,
      lossScaleFactor: null, gradientAccumulationSteps: null, decay: 0, ...unsupported },
  };
}

/** Optimizer state for one weight (Adam's m and v, say); null marks state the settings do not need. */
export type Slots = (Float32Array | null)[];

/** Weights, gradients or one kind of state of every weight an update covers: one array each. */
export type Segments = Float32Array[];

/**
 * Updates weights in place from their gradients, as Keras optimizers do. Each step is
 * one native call over all the weights it is given (each its own array, the kernel
 * splitting the total across threads), and it consumes the gradients (zeroes them)
 * for the next accumulation. State belongs to each weight, so a weight keeps its
 * moments whichever model it is trained in.
 */
export abstract class Optimizer {
  /** Keras class name, e.g. 'Adam'. */
  abstract readonly className: string;
  /** Number of update steps applied so far (Keras' `iterations`). */
  iterations = 0;
  /** A rate, or a schedule of the step count; settable (ReduceLROnPlateau lowers it). */
  learningRate: number | LearningRateSchedule = 0.001;
  /** Gradient clipping as Keras 3: each gradient's norm, the global norm, or each value (at most one). */
  clipnorm: number | null = null;
  globalClipnorm: number | null = null;
  clipvalue: number | null = null;
  private readonly slots = new WeakMap<Param, Slots>();
  /** The weights of the last build, in order: what getWeights and setWeights cover. */
  private variables: readonly Param[] = [];
  /** Per weight list: the value arrays and each kind of state, gathered once. */
  private readonly gathered = new WeakMap<readonly Param[], { values: Segments; slots: (Segments | null)[]; constrained: Param[] }>();

  /** Creates the state of these weights (those that have none yet). */
  build(params: readonly Param[]): void {
    for (const p of params) if (!this.slots.has(p)) this.slots.set(p, this.createSlots(p.value.size));
    this.variables = params;
  }

  /** One update of `params` from `grads` (one gradient array per weight, same sizes); leaves the gradients zeroed. */
  applyGradients(params: readonly Param[], grads: Segments): void {
    if (params.length !== grads.length) throw new ValueError(`${this.className}: ${params.length} weights but ${grads.length} gradients`);
    let g = this.gathered.get(params);
    if (!g) {
      this.build(params);
      const perParam = params.map((p) => this.slots.get(p)!);
      const kinds = perParam[0]?.length ?? 0;
      const slots = Array.from({ length: kinds }, (_, k) => (perParam[0][k] ? perParam.map((s) => s[k]!) : null));
      g = { values: params.map((p) => p.value.data as Float32Array), slots, constrained: params.filter((p) => p.constraint) };
      this.gathered.set(params, g);
    }
    this.variables = params;
    if (params.length === 0) return;
    this.clip(grads);
    this.iterations++;
    this.update(g.values, grads, g.slots);
    // Keras 3 (base_optimizer.py, apply): each variable's constraint after the update.
    for (const p of g.constrained) p.constraint!.apply(p.value.data as Float32Array, p.value.shape);
  }

  /** The learning rate of the update being applied (a schedule sees the steps before it, as in Keras). */
  protected currentLearningRate(): number {
    const lr = this.learningRate;
    return typeof lr === 'number' ? lr : lr.at(this.iterations - 1);
  }

  /** Reads the options every optimizer shares: learningRate (a number or a schedule) and clipping. */
  protected readCommon(a: { learningRate?: unknown; clipnorm?: unknown; clipvalue?: unknown; globalClipnorm?: unknown }, lrDefault: number, where: string): void {
    this.learningRate = a.learningRate instanceof LearningRateSchedule ? a.learningRate
      : hyper(a.learningRate, lrDefault, 'learningRate', 0, Infinity, where);
    this.clipnorm = a.clipnorm == null ? null : hyper(a.clipnorm, 0, 'clipnorm', 0, Infinity, where);
    this.globalClipnorm = a.globalClipnorm == null ? null : hyper(a.globalClipnorm, 0, 'globalClipnorm', 0, Infinity, where);
    this.clipvalue = a.clipvalue == null ? null : hyper(a.clipvalue, 0, 'clipvalue', 0, Infinity, where);
    if ([this.clipnorm, this.globalClipnorm, this.clipvalue].filter((v) => v !== null).length > 1) {
      throw new ValueError(`${where}: give at most one of clipnorm, clipvalue and globalClipnorm (as Keras), got ${formatValue({ clipnorm: a.clipnorm, clipvalue: a.clipvalue, globalClipnorm: a.globalClipnorm })}`);
    }
  }

  /** The config fields every optimizer writes. */
  protected commonConfig(): Record<string, unknown> {
    const lr = this.learningRate;
    return {
      learning_rate: typeof lr === 'number' ? lr : { class_name: lr.className, config: lr.getConfig() },
      clipnorm: this.clipnorm, global_clipnorm: this.globalClipnorm, clipvalue: this.clipvalue,
    };
  }

  /** Clips the gradients in place, as Keras 3's _clip_gradients (norms in double precision). */
  private clip(grads: Segments): void {
    const norm = (g: Float32Array): number => { let s = 0; for (let i = 0; i < g.length; i++) s += g[i] * g[i]; return Math.sqrt(s); };
    const scale = (g: Float32Array, f: number): void => { for (let i = 0; i < g.length; i++) g[i] *= f; };
    if (this.clipnorm !== null) {
      for (const g of grads) { const n = norm(g); if (n > this.clipnorm) scale(g, this.clipnorm / n); }
    } else if (this.globalClipnorm !== null) {
      const n = Math.sqrt(grads.reduce((s, g) => s + norm(g) ** 2, 0));
      if (n > this.globalClipnorm) for (const g of grads) scale(g, this.globalClipnorm / n);
    } else if (this.clipvalue !== null) {
      const v = this.clipvalue;
      for (const g of grads) for (let i = 0; i < g.length; i++) g[i] = Math.min(v, Math.max(-v, g[i]));
    }
  }

  /** The state as tensors: iterations, then each kind of state for every weight of the last build (TF.js order). */
  getWeights(): Tensor[] {
    const out = [new Tensor(Float32Array.of(this.iterations), [])];
    for (const k of this.slotKinds()) {
      for (const p of this.variables) out.push(new Tensor(this.slots.get(p)![k]!.slice(), p.value.shape));
    }
    return out;
  }

  /** Restores state that getWeights returned (for the same weights, in the same order). */
  setWeights(weights: Tensor[]): void {
    const kinds = this.slotKinds();
    const want = 1 + kinds.length * this.variables.length;
    if (!Array.isArray(weights) || weights.length !== want) {
      throw new ValueError(`${this.className}.setWeights: expected ${want} tensors (iterations, then ${kinds.length} state tensors for each of ${this.variables.length} weights), got ${Array.isArray(weights) ? weights.length : typeof weights}`);
    }
    const iterations = weights[0].data[0];
    if (weights[0].size !== 1 || !Number.isInteger(iterations) || iterations < 0) {
      throw new ValueError(`${this.className}.setWeights: the first tensor must hold the iteration count, got ${weights[0].data[0]}`);
    }
    let i = 1;
    for (const k of kinds) {
      for (const p of this.variables) {
        const w = weights[i++];
        if (!sameShape(w.shape, p.value.shape)) {
          throw new ValueError(`${this.className}.setWeights: state ${i - 1} for weight '${p.name}' must have shape ${formatShape(p.value.shape)}, got ${formatShape(w.shape)}`);
        }
        this.slots.get(p)![k]!.set(w.data);
      }
    }
    this.iterations = iterations;
  }

  abstract getConfig(): Record<string, unknown>;

  /** The state arrays for a weight of `size` values (Adam's m and v, for instance). */
  protected abstract createSlots(size: number): Slots;
  /** Updates every weight in one native call; slots[k] is the k-th kind of state of each weight, or null. */
  protected abstract update(values: Segments, grads: Segments, slots: (Segments | null)[]): void;

  private slotKinds(): number[] {
    const first = this.variables[0] && this.slots.get(this.variables[0]);
    return first ? first.flatMap((s, k) => (s ? [k] : [])) : [];
  }
}

/** Validates a hyper-parameter: finite and within [lo, hi]. */
export function hyper(value: unknown, fallback: number, name: string, lo: number, hi: number, where: string): number {
  const v = value === undefined || value === null ? fallback : value;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) {
    throw new ValueError(`${where}: ${name} must be a finite number in [${lo}, ${hi}], got ${formatValue(value)}`);
  }
  return v;
}
