// Regularizers as Keras 3 computes them: l1 * sum|w| + l2 * sum(w^2), added to the loss (and so
// to the logged loss) for every trainable weight that has one, with its gradient; as a layer's
// activityRegularizer, of the layer's output divided by the batch size (see ExecutionContext).
import { ValueError, formatValue } from './errors';
import { KerasOptions, canonicalName } from './names';
import { readOptions } from './options';

export class Regularizer {
  readonly className: string;

  constructor(readonly l1: number, readonly l2: number) {
    for (const [name, v] of [['l1', l1], ['l2', l2]] as const) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ValueError(`regularizer: ${name} must be a finite number >= 0, got ${formatValue(v)}`);
    }
    this.className = l1 > 0 && l2 > 0 ? 'L1L2' : l1 > 0 ? 'L1' : 'L2';
  }

  /** The penalty of weights w (in double precision). */
  penalty(w: Float32Array): number {
    let a = 0, s = 0;
    for (let i = 0; i < w.length; i++) { a += Math.abs(w[i]); s += w[i] * w[i]; }
    return this.l1 * a + this.l2 * s;
  }

  /** Adds scale times the penalty's gradient to grad (sign(w) * l1 + 2 * l2 * w, with sign(0) = 0 as TensorFlow). */
  addGradient(w: Float32Array, grad: Float32Array, scale = 1): void {
    const l1 = scale * this.l1, l2 = scale * 2 * this.l2;
    for (let i = 0; i < w.length; i++) grad[i] += l1 * Math.sign(w[i]) + l2 * w[i];
  }

  getConfig(): Record<string, unknown> {
    return { class_name: this.className, config: this.className === 'L1L2' ? { l1: this.l1, l2: this.l2 } : this.className === 'L1' ? { l1: this.l1 } : { l2: this.l2 } };
  }
}

/** Keras's factories and defaults (0.01): `bn.regularizers.l2({l2: 1e-4})`. */
export const regularizers = {
  l1: (args: KerasOptions<{ l1?: number }> = {}): Regularizer => new Regularizer(readOptions<{ l1?: number }>(args, 'l1', { known: ['l1'] }).l1 ?? 0.01, 0),
  l2: (args: KerasOptions<{ l2?: number }> = {}): Regularizer => new Regularizer(0, readOptions<{ l2?: number }>(args, 'l2', { known: ['l2'] }).l2 ?? 0.01),
  l1l2: (args: KerasOptions<{ l1?: number; l2?: number }> = {}): Regularizer => {
    const a = readOptions<{ l1?: number; l2?: number }>(args, 'l1l2', { known: ['l1', 'l2'] });
    return new Regularizer(a.l1 ?? 0.01, a.l2 ?? 0.01);
  },
};

export type RegularizerIdentifier = 'l1' | 'l2' | 'l1l2' | 'l1_l2' | Regularizer | { className?: string; class_name?: string; config?: Record<string, number> };

/** A regularizer from a name ('l2'), an instance, or a saved {class_name, config}; null for none. */
export function getRegularizer(id: unknown, where: string): Regularizer | null {
  if (id === undefined || id === null) return null;
  if (id instanceof Regularizer) return id;
  const saved = id as { className?: string; class_name?: string; config?: Record<string, number> };
  const name = typeof id === 'string' ? id : saved.className ?? saved.class_name;
  const config = typeof id === 'string' ? {} : saved.config ?? {};
  switch (typeof name === 'string' ? canonicalName(name) : '') {
    case 'l1': return regularizers.l1(config);
    case 'l2': return regularizers.l2(config);
    case 'l1l2': return new Regularizer(config.l1 ?? 0, config.l2 ?? 0);
    default: throw new ValueError(`${where}: unknown regularizer ${formatValue(id)}; use 'l1', 'l2', 'l1l2' or bn.regularizers.l2({l2})`);
  }
}
