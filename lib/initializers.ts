import { ValueError, formatValue } from './errors';
import { camelKeys, lookup } from './names';
import { random } from './random';
import { Shape, sizeOf } from './tensor';

/** Fills a new weight of a given shape; Keras' fan rules decide the scale. */
export interface Initializer {
  /** Keras class name, for configs. */
  readonly className: string;
  readonly config: Record<string, unknown>;
  init(shape: Shape): Float32Array;
}

/** Keras' fan computation: the receptive field times channels for kernels of rank > 2. */
function fans(shape: Shape): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0], shape[0]];
  if (shape.length === 2) return [shape[0], shape[1]];
  const receptive = sizeOf(shape.slice(0, -2));
  return [shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive];
}

function fill(shape: Shape, f: () => number): Float32Array {
  const out = new Float32Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = f();
  return out;
}

function truncatedNormal(stddev: number): number {
  // Redraw outside two standard deviations, as tf.random.truncated_normal does.
  for (;;) {
    const z = random.normal();
    if (Math.abs(z) <= 2) return z * stddev;
  }
}

type Mode = 'fan_in' | 'fan_out' | 'fan_avg';
type Distribution = 'uniform' | 'truncated_normal' | 'untruncated_normal';

function varianceScaling(className: string, scale: number, mode: Mode, distribution: Distribution): Initializer {
  return {
    className,
    config: { scale, mode, distribution, seed: null },
    init(shape) {
      const [fanIn, fanOut] = fans(shape);
      const n = mode === 'fan_in' ? fanIn : mode === 'fan_out' ? fanOut : (fanIn + fanOut) / 2;
      const variance = scale / Math.max(1, n);
      if (distribution === 'uniform') {
        const limit = Math.sqrt(3 * variance);
        return fill(shape, () => (2 * random.uniform() - 1) * limit);
      }
      if (distribution === 'truncated_normal') {
        // 0.879... is the stddev of a unit normal truncated to [-2, 2].
        const stddev = Math.sqrt(variance) / 0.87962566103423978;
        return fill(shape, () => truncatedNormal(stddev));
      }
      return fill(shape, () => random.normal() * Math.sqrt(variance));
    },
  };
}

function constant(className: string, value: number): Initializer {
  return { className, config: className === 'Constant' ? { value } : {}, init: (shape) => new Float32Array(sizeOf(shape)).fill(value) };
}

/** An orthogonal matrix (Gram-Schmidt on a normal draw), Keras' default for recurrent kernels. */
function orthogonal(gain = 1): Initializer {
  return {
    className: 'Orthogonal',
    config: { gain, seed: null },
    init(shape) {
      const rows = sizeOf(shape.slice(0, -1));
      const cols = shape[shape.length - 1];
      const [n, m] = rows < cols ? [cols, rows] : [rows, cols]; // n >= m, orthonormal columns
      const q = Array.from({ length: m }, () => Float64Array.from({ length: n }, () => random.normal()));
      for (let j = 0; j < m; j++) {
        for (let k = 0; k < j; k++) {
          let dot = 0;
          for (let i = 0; i < n; i++) dot += q[j][i] * q[k][i];
          for (let i = 0; i < n; i++) q[j][i] -= dot * q[k][i];
        }
        const norm = Math.hypot(...q[j]);
        for (let i = 0; i < n; i++) q[j][i] /= norm;
      }
      const out = new Float32Array(rows * cols);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) out[r * cols + c] = gain * (rows < cols ? q[r][c] : q[c][r]);
      }
      return out;
    },
  };
}

type Factory = (args: Record<string, number>) => Initializer;

const varianceModes: Record<string, Mode> = { fanin: 'fan_in', fanout: 'fan_out', fanavg: 'fan_avg' };
// Keras 2 and tfjs call the truncated normal plain 'normal'.
const varianceDistributions: Record<string, Distribution> = {
  uniform: 'uniform', normal: 'truncated_normal', truncatednormal: 'truncated_normal', untruncatednormal: 'untruncated_normal',
};

/** Keras' general VarianceScaling, the class name tfjs saves glorotUniform and friends under. */
function varianceScalingFromConfig(a: Record<string, unknown>): Initializer {
  const fail = (m: string): Error => new ValueError(`VarianceScaling: ${m}`);
  const scale = a.scale ?? 1;
  if (typeof scale !== 'number' || !(scale > 0)) throw fail(`scale must be a positive number, got ${formatValue(a.scale)}`);
  const mode = lookup(varianceModes, String(a.mode ?? 'fan_in'), 'mode', fail);
  const distribution = lookup(varianceDistributions, String(a.distribution ?? 'truncated_normal'), 'distribution', fail);
  return varianceScaling('VarianceScaling', scale, mode, distribution);
}

const factories: Record<string, Factory> = {
  zeros: () => constant('Zeros', 0),
  ones: () => constant('Ones', 1),
  constant: (a) => constant('Constant', a.value ?? 0),
  glorotuniform: () => varianceScaling('GlorotUniform', 1, 'fan_avg', 'uniform'),
  glorotnormal: () => varianceScaling('GlorotNormal', 1, 'fan_avg', 'truncated_normal'),
  heuniform: () => varianceScaling('HeUniform', 2, 'fan_in', 'uniform'),
  henormal: () => varianceScaling('HeNormal', 2, 'fan_in', 'truncated_normal'),
  lecununiform: () => varianceScaling('LecunUniform', 1, 'fan_in', 'uniform'),
  lecunnormal: () => varianceScaling('LecunNormal', 1, 'fan_in', 'truncated_normal'),
  orthogonal: (a) => orthogonal(a.gain ?? 1),
  randomnormal: (a) => {
    const mean = a.mean ?? 0, stddev = a.stddev ?? 0.05;
    return { className: 'RandomNormal', config: { mean, stddev, seed: null }, init: (s) => fill(s, () => mean + stddev * random.normal()) };
  },
  randomuniform: (a) => {
    const lo = a.minval ?? -0.05, hi = a.maxval ?? 0.05;
    return { className: 'RandomUniform', config: { minval: lo, maxval: hi, seed: null }, init: (s) => fill(s, () => lo + (hi - lo) * random.uniform()) };
  },
  variancescaling: (a) => varianceScalingFromConfig(a),
  // Keras' short aliases.
  uniform: (a) => factories.randomuniform(a),
  normal: (a) => factories.randomnormal(a),
  truncatednormal: (a) => {
    const mean = a.mean ?? 0, stddev = a.stddev ?? 0.05;
    return { className: 'TruncatedNormal', config: { mean, stddev, seed: null }, init: (s) => fill(s, () => mean + truncatedNormal(stddev)) };
  },
};

export type InitializerIdentifier = string | Initializer | { className: string; config?: Record<string, number> };

/** Resolves 'glorotUniform', 'glorot_uniform', {className: 'RandomNormal', config: {...}} or an Initializer. */
export function getInitializer(id: InitializerIdentifier, where: string): Initializer {
  if (typeof id === 'object' && id !== null && 'init' in id) return id;
  const name = typeof id === 'string' ? id : id?.className;
  const config = typeof id === 'object' && id !== null ? camelKeys(id.config ?? {}) : {};
  if (typeof name !== 'string') throw new ValueError(`${where}: an initializer must be a name or {className, config}, got ${formatValue(id)}`);
  const factory = lookup(factories, name, 'initializer', (m) => new ValueError(`${where}: ${m}`));
  return factory(config as Record<string, number>);
}

/** Initializer factories with the TensorFlow.js names. */
export const initializers = {
  zeros: (): Initializer => factories.zeros({}),
  ones: (): Initializer => factories.ones({}),
  constant: (args: { value: number }): Initializer => factories.constant(args),
  glorotUniform: (): Initializer => factories.glorotuniform({}),
  glorotNormal: (): Initializer => factories.glorotnormal({}),
  heUniform: (): Initializer => factories.heuniform({}),
  heNormal: (): Initializer => factories.henormal({}),
  lecunUniform: (): Initializer => factories.lecununiform({}),
  lecunNormal: (): Initializer => factories.lecunnormal({}),
  orthogonal: (args: { gain?: number } = {}): Initializer => factories.orthogonal(args as Record<string, number>),
  randomNormal: (args: { mean?: number; stddev?: number } = {}): Initializer => factories.randomnormal(args as Record<string, number>),
  randomUniform: (args: { minval?: number; maxval?: number } = {}): Initializer => factories.randomuniform(args as Record<string, number>),
  truncatedNormal: (args: { mean?: number; stddev?: number } = {}): Initializer => factories.truncatednormal(args as Record<string, number>),
};
