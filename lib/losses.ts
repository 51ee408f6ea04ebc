// Training losses, matching Keras 3: each reduces a sample over the last axis (a mean for the
// elementwise losses, a sum for the crossentropies, KL divergence and cosine similarity) and
// then takes the mean over every remaining position ('sum_over_batch_size'), each position's
// value first multiplied by its weight when weights are given (Keras's sample weights, or a
// mask). Gradients are
// those JAX takes of Keras's formulas, ties included (d|x|/dx = 1 at 0, half the gradient to
// each side of a max or clip at a tie). The crossentropies run native kernels; the others are
// small TypeScript loops in double precision.
import { ShapeError, ValueError, formatShape, formatValue } from './errors';
import { KerasOptions, lookup } from './names';
import { native } from './native';
import { readOptions } from './options';
import { Shape, Tensor, sameShape } from './tensor';

/**
 * A training loss. `compute` returns the batch mean, as Keras reports it, and
 * when `grad` is given writes the gradient of that mean with respect to the input.
 */
export interface Loss {
  /** Keras name, e.g. 'categorical_crossentropy'. */
  readonly name: string;
  /** The final activation this loss can absorb, computing from logits for stability. */
  readonly fusesWith: 'softmax' | 'sigmoid' | null;
  /** Targets are integer class indices rather than one value per output. */
  readonly sparse: boolean;
  /**
   * Checks targets against the model's per-sample output shape and returns them
   * ready for compute (int32 labels for sparse losses). `where` names the caller.
   */
  prepareTargets(y: Tensor, outputShape: Shape, where: string): Tensor;
  /**
   * The loss: `sum_i(w_i l_i) / positions` over the loss positions i (every axis of `input` but the
   * last: a sample, or a sample-timestep), with `weights` one value per position (null: all 1), as
   * Keras's sum_over_batch_size. With `grad`, writes the gradient of `gradScale` times that value
   * (gradScale: a loss weight of a multi-output model).
   */
  compute(input: Tensor, targets: Tensor, grad: Tensor | null, fromLogits: boolean, gradScale?: number, weights?: Float32Array | null): number;
  /** How Keras serializes the loss: its class name and config (snake_case keys). Set by the `losses.*` factories. */
  readonly keras?: { readonly className: string; readonly config: Readonly<Record<string, unknown>> };
}

/** keras.backend.epsilon(). */
const EPSILON = 1e-7;
const LOG2 = Math.log(2);

const f32 = (t: Tensor): Float32Array => t.data as Float32Array;
const gradData = (g: Tensor | null): Float32Array | null => (g ? f32(g) : null);
const lastDim = (t: Tensor): number => t.shape[t.shape.length - 1];

/** Weights must hold one value per loss position; a caller's bug otherwise, reported rather than read past. */
function checkWeights(weights: Float32Array | null, positions: number, name: string): void {
  if (weights && weights.length !== positions) {
    throw new ShapeError(`${name}: weights has ${weights.length} values, expected one per loss position (every axis but the last) = ${positions}`);
  }
}

/** d|x|/dx as JAX takes it: 1 at 0. */
const absPrime = (x: number): number => (x >= 0 ? 1 : -1);
/** d max(x, c)/dx as JAX takes it: 1/2 at a tie. */
const maxPrime = (x: number, c: number): number => (x > c ? 1 : x === c ? 0.5 : 0);
/** d clip(x, lo, hi)/dx as JAX takes it: 1/2 at either bound. */
const clipPrime = (x: number, lo: number, hi: number): number => (x > lo && x < hi ? 1 : x === lo || x === hi ? 0.5 : 0);
const clip = (x: number, lo: number, hi: number): number => Math.min(Math.max(x, lo), hi);
/** log(1 + e^x) without overflow. */
const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

/** `targets[2, 0]`: a flat index as a position in a tensor of `shape`. */
function position(shape: Shape, flat: number): string {
  const idx: number[] = [];
  for (let a = shape.length - 1; a >= 0; a--) {
    idx.unshift(flat % shape[a]);
    flat = Math.floor(flat / shape[a]);
  }
  return `targets[${idx.join(', ')}]`;
}

/** A float32 target as its shortest decimal (1.1, not 1.100000023841858). */
function show(v: number): string {
  for (let digits = 1; digits < 17; digits++) {
    const s = Number(v.toPrecision(digits));
    if (Math.fround(s) === v) return String(s);
  }
  return String(v);
}

function checkFinite(y: Tensor, where: string): void {
  // v * 0 is NaN exactly for NaN and ±Infinity: one tight pass (this runs on every trainOnBatch).
  const data = y.data;
  let probe = 0;
  for (let i = 0; i < data.length; i++) probe += data[i] * 0;
  if (probe === 0) return;
  const bad = data.findIndex((v) => !Number.isFinite(v));
  throw new ValueError(`${where}: targets hold ${data[bad]} at flat index ${bad}; every target must be a finite number`);
}

/** Checks that targets lie in a loss's domain, throwing a ValueError naming the loss, the value and its position. */
type DomainCheck = (t: Float32Array, shape: Shape, where: string, name: string) => void;

/** Binary crossentropy: probabilities of the positive class, in [0, 1]. */
const inUnitInterval: DomainCheck = (t, shape, where, name) => {
  for (let i = 0; i < t.length; i++) {
    const v = t[i];
    if (v < 0 || v > 1) throw new ValueError(`${where}: ${name} needs targets in [0, 1] (the probability of the positive class), got ${show(v)} at ${position(shape, i)}`);
  }
};

/** Categorical crossentropy: each row along the last axis a distribution (non-negative, summing to 1 within 1e-3). */
const distributions: DomainCheck = (t, shape, where, name) => {
  const K = shape[shape.length - 1];
  const hint = 'each row along the last axis must be a probability distribution, e.g. one-hot (for integer class labels use sparseCategoricalCrossentropy)';
  for (let r = 0; r * K < t.length; r++) {
    let s = 0;
    for (let k = r * K; k < (r + 1) * K; k++) {
      if (t[k] < 0) throw new ValueError(`${where}: ${name} targets hold ${show(t[k])} at ${position(shape, k)}; ${hint}`);
      s += t[k];
    }
    if (Math.abs(s - 1) > 1e-3) {
      const row = position(shape.slice(0, -1), r);
      throw new ValueError(`${where}: ${name} targets row ${row} sums to ${Number(s.toPrecision(6))}, not 1; ${hint}`);
    }
  }
};

/** Hinge losses: labels -1 or 1, or 0 or 1 throughout (which Keras maps to -1 and 1). */
const hingeLabels: DomainCheck = (t, shape, where, name) => {
  let zero = -1, minusOne = -1;
  for (let i = 0; i < t.length; i++) {
    const v = t[i];
    if (v === 1) continue;
    if (v === 0) zero < 0 && (zero = i);
    else if (v === -1) minusOne < 0 && (minusOne = i);
    else throw new ValueError(`${where}: ${name} needs labels -1 or 1 (or 0 or 1, which it maps to -1 and 1), got ${show(v)} at ${position(shape, i)}`);
    if (zero >= 0 && minusOne >= 0) {
      throw new ValueError(`${where}: ${name} needs labels -1 or 1, or 0 or 1, not both: 0 at ${position(shape, zero)} and -1 at ${position(shape, minusOne)}`);
    }
  }
};

/** Targets with one value per model output: the shape must match the output exactly. */
function denseTargets(name: string, check?: DomainCheck) {
  return (y: Tensor, outputShape: Shape, where: string): Tensor => {
    if (!sameShape(y.shape.slice(1), outputShape)) {
      throw new ShapeError(`${where}: ${name} needs targets of shape ${formatShape([null, ...outputShape])} (one value per output), got ${formatShape(y.shape)}`);
    }
    const t = y.dtype === 'float32' ? y : new Tensor(Float32Array.from(y.data), y.shape);
    checkFinite(t, where);
    check?.(f32(t), t.shape, where, name);
    return t;
  };
}

/** Integer class labels: shape [N, ...outputShape without classes] (a trailing 1 allowed). */
function sparseTargets(y: Tensor, outputShape: Shape, where: string): Tensor {
  const want = outputShape.slice(0, -1);
  const classes = outputShape[outputShape.length - 1];
  let perSample = y.shape.slice(1);
  if (perSample.length === want.length + 1 && perSample[perSample.length - 1] === 1) perSample = perSample.slice(0, -1);
  if (!sameShape(perSample, want)) {
    throw new ShapeError(`${where}: sparse_categorical_crossentropy needs integer labels of shape ${formatShape([null, ...want])}, got ${formatShape(y.shape)}`);
  }
  const labels = new Int32Array(y.size);
  for (let i = 0; i < y.size; i++) {
    const v = y.data[i];
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new ValueError(`${where}: label ${v} at index ${i} is not a class index in [0, ${classes})`);
    }
    labels[i] = v;
  }
  return new Tensor(labels, [y.shape[0], ...want]);
}

// ---------------------------------------------------------------------------------------------
// Crossentropies: native kernels, with label smoothing in TypeScript (double precision).

/**
 * Categorical crossentropy of one row with label smoothing (t (1 - s) + s / K), in double precision:
 * the smoothed targets are never rounded to float32. From logits: -sum t log softmax(z). From
 * probabilities, as Keras: q = clip(p / sum p, 1e-7, 1 - 1e-7), -sum t log q.
 */
function smoothedCategoricalRow(smoothing: number, logits: boolean): RowFn {
  return (p, t, off, K, g) => {
    const keep = 1 - smoothing, add = smoothing / K;
    let v = 0, tsum = 0;
    if (logits) {
      let mx = -Infinity;
      for (let k = 0; k < K; k++) mx = Math.max(mx, p[off + k]);
      let s = 0;
      for (let k = 0; k < K; k++) s += Math.exp(p[off + k] - mx);
      const lse = mx + Math.log(s);
      for (let k = 0; k < K; k++) {
        const tk = t[off + k] * keep + add;
        v -= tk * (p[off + k] - lse);
        tsum += tk;
      }
      if (g) for (let k = 0; k < K; k++) g[k] = Math.exp(p[off + k] - lse) * tsum - (t[off + k] * keep + add);
      return v;
    }
    let sum = 0;
    for (let k = 0; k < K; k++) sum += p[off + k];
    let gq = 0;
    for (let k = 0; k < K; k++) {
      const tk = t[off + k] * keep + add, q = p[off + k] / sum, qc = clip(q, EPSILON, 1 - EPSILON);
      v -= tk * Math.log(qc);
      const gk = (-tk / qc) * clipPrime(q, EPSILON, 1 - EPSILON);
      if (g) g[k] = gk;
      gq += gk * q;
    }
    // q = p / sum p: dL/dp_j = (g_j - sum_k g_k q_k) / sum p.
    if (g) for (let k = 0; k < K; k++) g[k] = (g[k] - gq) / sum;
    return v;
  };
}

/** Binary crossentropy with label smoothing (t (1 - s) + s / 2), in double precision, from logits or (clipped) probabilities. */
function smoothedBinary(smoothing: number, logits: boolean): Pointwise {
  const target = (t: number): number => t * (1 - smoothing) + 0.5 * smoothing;
  if (logits) {
    return {
      value: (z, t) => target(t) * softplus(-z) + (1 - target(t)) * softplus(z),
      grad: (z, t) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z))) - target(t),
    };
  }
  return {
    value: (p, t) => {
      const pc = clip(p, EPSILON, 1 - EPSILON), ts = target(t);
      return -(ts * Math.log(pc) + (1 - ts) * Math.log(1 - pc));
    },
    grad: (p, t) => {
      const pc = clip(p, EPSILON, 1 - EPSILON), ts = target(t);
      return (-ts / pc + (1 - ts) / (1 - pc)) * clipPrime(p, EPSILON, 1 - EPSILON);
    },
  };
}

/** `fromLogits`: the model output is logits, with no final softmax; the trainer fuses a final softmax otherwise. */
function categoricalCE(ownLogits: boolean, labelSmoothing: number): Loss {
  const smoothed = [smoothedCategoricalRow(labelSmoothing, false), smoothedCategoricalRow(labelSmoothing, true)];
  const scratch = { buffer: new Float64Array(0) };
  return {
    name: 'categorical_crossentropy',
    fusesWith: ownLogits ? null : 'softmax',
    sparse: false,
    prepareTargets: denseTargets('categorical_crossentropy', distributions),
    compute(input, targets, grad, fromLogits, gradScale = 1, weights = null) {
      const K = lastDim(input), R = input.size / K;
      checkWeights(weights, R, 'categorical_crossentropy');
      if (R === 0) return 0;
      const logits = fromLogits || ownLogits;
      if (labelSmoothing) return rowCompute(smoothed[logits ? 1 : 0], scratch, input, targets, grad, gradScale, weights);
      const kernel = logits ? native.softmaxCrossEntropy : native.categoricalCrossEntropy;
      return kernel(gradData(grad), f32(input), f32(targets), weights, R, K, gradScale / R) / R;
    },
  };
}

function sparseCategoricalCE(ownLogits: boolean): Loss {
  return {
    name: 'sparse_categorical_crossentropy',
    fusesWith: ownLogits ? null : 'softmax',
    sparse: true,
    prepareTargets: sparseTargets,
    compute(input, targets, grad, fromLogits, gradScale = 1, weights = null) {
      const K = lastDim(input), R = input.size / K;
      checkWeights(weights, R, 'sparse_categorical_crossentropy');
      if (R === 0) return 0;
      const kernel = fromLogits || ownLogits ? native.sparseSoftmaxCrossEntropy : native.sparseCategoricalCrossEntropy;
      return kernel(gradData(grad), f32(input), targets.data as Int32Array, weights, R, K, gradScale / R) / R;
    },
  };
}

function binaryCE(ownLogits: boolean, labelSmoothing: number): Loss {
  const smoothed = [smoothedBinary(labelSmoothing, false), smoothedBinary(labelSmoothing, true)];
  return {
    name: 'binary_crossentropy',
    fusesWith: ownLogits ? null : 'sigmoid',
    sparse: false,
    prepareTargets: denseTargets('binary_crossentropy', inUnitInterval),
    compute(input, targets, grad, fromLogits, gradScale = 1, weights = null) {
      const n = input.size, K = lastDim(input);
      checkWeights(weights, n / K, 'binary_crossentropy');
      if (n === 0) return 0;
      const logits = fromLogits || ownLogits;
      if (labelSmoothing) return pointwiseCompute(smoothed[logits ? 1 : 0], false, input, targets, grad, gradScale, weights);
      const kernel = logits ? native.sigmoidBinaryCrossEntropy : native.binaryCrossEntropy;
      return kernel(gradData(grad), f32(input), f32(targets), weights, n / K, K, gradScale / n) / n;
    },
  };
}

const meanSquared: Loss = {
  name: 'mean_squared_error',
  fusesWith: null,
  sparse: false,
  prepareTargets: denseTargets('mean_squared_error'),
  compute(input, targets, grad, _fromLogits, gradScale = 1, weights = null) {
    const n = input.size, K = lastDim(input);
    checkWeights(weights, n / K, 'mean_squared_error');
    if (n === 0) return 0;
    return native.squaredError(gradData(grad), f32(input), f32(targets), weights, n / K, K, gradScale / n) / n;
  },
};

// ---------------------------------------------------------------------------------------------
// Elementwise losses: the mean over the last axis of f(prediction, target), then over the batch,
// which is the mean over every element.

interface Pointwise {
  value(p: number, t: number): number;
  /** d value / d p. */
  grad(p: number, t: number): number;
}

/**
 * The mean of `f` over every element, each times its row's weight (rows of the last axis; weights
 * null: all 1); with `grad`, writes gradScale times its gradient.
 */
function pointwiseCompute(f: Pointwise, hinge: boolean, input: Tensor, targets: Tensor, grad: Tensor | null, gradScale: number,
  weights: Float32Array | null): number {
  const p = f32(input), t = f32(targets), n = p.length, g = gradData(grad);
  if (n === 0) return 0;
  // Hinge losses: 0/1 labels become -1/1 when the batch holds no other value, as in Keras.
  let convert = false;
  if (hinge) {
    convert = true;
    for (let i = 0; i < n && convert; i++) convert = t[i] === 0 || t[i] === 1;
  }
  const K = lastDim(input);
  let total = 0;
  for (let r = 0, i = 0; i < n; r++) {
    const w = weights ? weights[r] : 1, scale = (gradScale / n) * w;
    let row = 0;
    for (const end = i + K; i < end; i++) {
      const ti = convert ? 2 * t[i] - 1 : t[i];
      row += f.value(p[i], ti);
      if (g) g[i] = scale * f.grad(p[i], ti);
    }
    total += w * row;
  }
  return total / n;
}

/** A loss of dense targets computed in TypeScript (no activation to fuse): `compute` gets checked weights. */
function typescriptLoss(name: string, check: DomainCheck | undefined,
  compute: (input: Tensor, targets: Tensor, grad: Tensor | null, gradScale: number, weights: Float32Array | null) => number): Loss {
  return {
    name,
    fusesWith: null,
    sparse: false,
    prepareTargets: denseTargets(name, check),
    compute(input, targets, grad, _fromLogits, gradScale = 1, weights = null) {
      checkWeights(weights, input.size / lastDim(input), name);
      return compute(input, targets, grad, gradScale, weights);
    },
  };
}

function pointwiseLoss(name: string, f: Pointwise, check?: DomainCheck, hinge = false): Loss {
  return typescriptLoss(name, check, (input, targets, grad, gradScale, weights) =>
    pointwiseCompute(f, hinge, input, targets, grad, gradScale, weights));
}

const maeFn: Pointwise = {
  value: (p, t) => Math.abs(t - p),
  grad: (p, t) => -absPrime(t - p),
};

const mapeFn: Pointwise = {
  value: (p, t) => 100 * Math.abs((t - p) / Math.max(Math.abs(t), EPSILON)),
  grad: (p, t) => {
    const m = Math.max(Math.abs(t), EPSILON);
    return (-100 * absPrime((t - p) / m)) / m;
  },
};

const msleFn: Pointwise = {
  value: (p, t) => (Math.log(Math.max(p, EPSILON) + 1) - Math.log(Math.max(t, EPSILON) + 1)) ** 2,
  grad: (p, t) => {
    const q = Math.max(p, EPSILON) + 1;
    return (2 * (Math.log(q) - Math.log(Math.max(t, EPSILON) + 1)) * maxPrime(p, EPSILON)) / q;
  },
};

function huberFn(delta: number): Pointwise {
  return {
    value: (p, t) => {
      const e = p - t, a = Math.abs(e);
      return a <= delta ? 0.5 * e * e : delta * a - 0.5 * delta * delta;
    },
    grad: (p, t) => {
      const e = p - t;
      return Math.abs(e) <= delta ? e : delta * absPrime(e);
    },
  };
}

const logCoshFn: Pointwise = {
  // x + softplus(-2x) - log 2, as Keras writes log(cosh(x)).
  value: (p, t) => {
    const x = p - t;
    return x + softplus(-2 * x) - LOG2;
  },
  grad: (p, t) => Math.tanh(p - t),
};

const poissonFn: Pointwise = {
  value: (p, t) => p - t * Math.log(p + EPSILON),
  grad: (p, t) => 1 - t / (p + EPSILON),
};

const hingeFn: Pointwise = {
  value: (p, t) => Math.max(1 - t * p, 0),
  grad: (p, t) => -t * maxPrime(1 - t * p, 0),
};

const squaredHingeFn: Pointwise = {
  value: (p, t) => Math.max(1 - t * p, 0) ** 2,
  grad: (p, t) => -2 * t * Math.max(1 - t * p, 0),
};

// ---------------------------------------------------------------------------------------------
// Row losses: one value per row along the last axis, then the mean over rows.

/** Returns the row's value; with `g`, writes d value / d p[off + k] into g[k]. */
type RowFn = (p: Float32Array, t: Float32Array, off: number, K: number, g: Float64Array | null) => number;

/**
 * The mean over rows of `f` times the row's weight (weights null: all 1); with `grad`, writes gradScale
 * times its gradient. `scratch` holds a reused row buffer.
 */
function rowCompute(f: RowFn, scratch: { buffer: Float64Array }, input: Tensor, targets: Tensor, grad: Tensor | null, gradScale: number,
  weights: Float32Array | null): number {
  const K = lastDim(input), R = input.size / K;
  if (R === 0) return 0;
  const p = f32(input), t = f32(targets), out = gradData(grad);
  if (out && scratch.buffer.length !== K) scratch.buffer = new Float64Array(K);
  const g = out ? scratch.buffer : null;
  let total = 0;
  for (let r = 0, off = 0; r < R; r++, off += K) {
    const w = weights ? weights[r] : 1;
    total += w * f(p, t, off, K, g);
    if (out) {
      const scale = (gradScale / R) * w;
      for (let k = 0; k < K; k++) out[off + k] = scale * g![k];
    }
  }
  return total / R;
}

function rowLoss(name: string, f: RowFn, check?: DomainCheck): Loss {
  const scratch = { buffer: new Float64Array(0) };
  return typescriptLoss(name, check, (input, targets, grad, gradScale, weights) =>
    rowCompute(f, scratch, input, targets, grad, gradScale, weights));
}

/** sum t log(t / p) with both clipped to [1e-7, 1]. */
const kldFn: RowFn = (p, t, off, K, g) => {
  let v = 0;
  for (let k = 0; k < K; k++) {
    const tc = clip(t[off + k], EPSILON, 1), x = p[off + k], pc = clip(x, EPSILON, 1);
    v += tc * Math.log(tc / pc);
    if (g) g[k] = (-tc / pc) * clipPrime(x, EPSILON, 1);
  }
  return v;
};

/** -cos(t, p), each normalized as x * min(1/|x|, 1/epsilon) (Keras's ops.normalize). */
const cosineFn: RowFn = (p, t, off, K, g) => {
  let tt = 0, pp = 0, tp = 0;
  for (let k = 0; k < K; k++) {
    const a = t[off + k], b = p[off + k];
    tt += a * a;
    pp += b * b;
    tp += a * b;
  }
  const tInv = Math.min(1 / Math.sqrt(tt), 1 / EPSILON);
  const rsqrt = 1 / Math.sqrt(pp), pInv = Math.min(rsqrt, 1 / EPSILON);
  if (g) {
    // d/dp_k of -(t̂ · p) inv(p): inv = |p|^-1 gives -inv (t̂_k - (t̂ · p) p_k inv^2); a clamped inv is constant.
    const tHatP = tp * tInv;
    const clamped = !(rsqrt < 1 / EPSILON);
    for (let k = 0; k < K; k++) {
      const th = t[off + k] * tInv;
      g[k] = clamped ? -th * pInv : -pInv * (th - tHatP * p[off + k] * pInv * pInv);
    }
  }
  return -tp * tInv * pInv;
};

/** max(max_k (1 - t_k) p_k - sum_k t_k p_k + 1, 0); tied maxima share the gradient equally, as in JAX. */
const categoricalHingeFn: RowFn = (p, t, off, K, g) => {
  let pos = 0, neg = -Infinity;
  for (let k = 0; k < K; k++) {
    pos += t[off + k] * p[off + k];
    neg = Math.max(neg, (1 - t[off + k]) * p[off + k]);
  }
  const m = neg - pos + 1;
  if (g) {
    const f = maxPrime(m, 0);
    let ties = 0;
    for (let k = 0; k < K; k++) if ((1 - t[off + k]) * p[off + k] === neg) ties++;
    for (let k = 0; k < K; k++) {
      const atMax = (1 - t[off + k]) * p[off + k] === neg ? (1 - t[off + k]) / ties : 0;
      g[k] = f * (atMax - t[off + k]);
    }
  }
  return Math.max(m, 0);
};

// ---------------------------------------------------------------------------------------------
// Names and factories.

const categorical = categoricalCE(false, 0);
const sparseCategorical = sparseCategoricalCE(false);
const binary = binaryCE(false, 0);
const meanAbsolute = pointwiseLoss('mean_absolute_error', maeFn);
const meanAbsolutePercentage = pointwiseLoss('mean_absolute_percentage_error', mapeFn);
const meanSquaredLogarithmic = pointwiseLoss('mean_squared_logarithmic_error', msleFn);
const huberDefault = pointwiseLoss('huber', huberFn(1));
const logCosh = pointwiseLoss('log_cosh', logCoshFn);
const poissonLoss = pointwiseLoss('poisson', poissonFn);
const hingeLoss = pointwiseLoss('hinge', hingeFn, hingeLabels, true);
const squaredHingeLoss = pointwiseLoss('squared_hinge', squaredHingeFn, hingeLabels, true);
const categoricalHingeLoss = rowLoss('categorical_hinge', categoricalHingeFn);
const klDivergence = rowLoss('kl_divergence', kldFn);
const cosine = rowLoss('cosine_similarity', cosineFn);

/** Keras 3 names (functions, classes, aliases) and TF.js names, canonicalized (no '_', lower case). */
const table: Record<string, Loss> = {
  categoricalcrossentropy: categorical,
  sparsecategoricalcrossentropy: sparseCategorical,
  binarycrossentropy: binary,
  bce: binary,
  meansquarederror: meanSquared,
  mse: meanSquared,
  meanabsoluteerror: meanAbsolute,
  mae: meanAbsolute,
  meanabsolutepercentageerror: meanAbsolutePercentage,
  mape: meanAbsolutePercentage,
  meansquaredlogarithmicerror: meanSquaredLogarithmic,
  msle: meanSquaredLogarithmic,
  huber: huberDefault,
  huberloss: huberDefault,
  logcosh: logCosh,
  kldivergence: klDivergence,
  kld: klDivergence,
  kullbackleiblerdivergence: klDivergence,
  poisson: poissonLoss,
  hinge: hingeLoss,
  squaredhinge: squaredHingeLoss,
  categoricalhinge: categoricalHingeLoss,
  cosinesimilarity: cosine,
  cosineproximity: cosine,
};

/** Resolves 'categoricalCrossentropy', 'categorical_crossentropy', 'mse', ... */
export function getLoss(name: string | Loss): Loss {
  if (typeof name === 'object' && name !== null && 'compute' in name) return name;
  if (typeof name !== 'string') throw new ValueError(`compile: loss must be a name such as 'categoricalCrossentropy' or a bn.losses object, got ${formatValue(name)}`);
  return lookup(table, name, 'loss', (m) => new ValueError(`compile: ${m}`));
}

/** Keras options every loss class takes; blasnet implements only their defaults. */
const common = (name: string) => ({ reduction: 'sum_over_batch_size', name, dtype: null });

function withKeras(loss: Loss, className: string, config: Record<string, unknown>): Loss {
  return { ...loss, keras: { className, config: { name: loss.name, reduction: 'sum_over_batch_size', ...config } } };
}

function simple(loss: Loss, className: string, where: string, extra: Record<string, unknown> = {}) {
  return (args?: Record<string, unknown>): Loss => {
    readOptions(args, where, { known: [], unsupported: { ...common(loss.name), ...extra } });
    return withKeras(loss, className, {});
  };
}

function flag(value: unknown, option: string, where: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new ValueError(`${where}: ${option} must be true or false, got ${formatValue(value)}`);
  return value;
}

function smoothing(value: unknown, where: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new ValueError(`${where}: labelSmoothing must be a number in [0, 1], got ${formatValue(value)}`);
  return value;
}

export interface CrossentropyArgs {
  /** The model output is logits (no final softmax or sigmoid). Default false. */
  fromLogits?: boolean;
  /** Moves targets toward uniform: t (1 - s) + s / classes (categorical), t (1 - s) + s / 2 (binary). Default 0. */
  labelSmoothing?: number;
}

export interface SparseCrossentropyArgs {
  /** The model output is logits (no final softmax). Default false. */
  fromLogits?: boolean;
}

export interface HuberArgs {
  /** Where the loss turns from quadratic to linear. Default 1. */
  delta?: number;
}

/**
 * Loss objects with Keras's options, for `compile({loss: ...})`:
 * `bn.losses.categoricalCrossentropy({fromLogits: true, labelSmoothing: 0.1})`, `bn.losses.huber({delta: 0.5})`.
 * Unknown options are refused by name; Keras's `reduction`, `name`, `axis` and `dtype` only at their defaults.
 */
export const losses = {
  categoricalCrossentropy(args?: KerasOptions<CrossentropyArgs>): Loss {
    const where = 'losses.categoricalCrossentropy';
    const a = readOptions<CrossentropyArgs>(args, where, { known: ['fromLogits', 'labelSmoothing'], unsupported: { ...common('categorical_crossentropy'), axis: -1 } });
    const fromLogits = flag(a.fromLogits, 'fromLogits', where), ls = smoothing(a.labelSmoothing, where);
    return withKeras(categoricalCE(fromLogits, ls), 'CategoricalCrossentropy', { from_logits: fromLogits, label_smoothing: ls, axis: -1 });
  },
  binaryCrossentropy(args?: KerasOptions<CrossentropyArgs>): Loss {
    const where = 'losses.binaryCrossentropy';
    const a = readOptions<CrossentropyArgs>(args, where, { known: ['fromLogits', 'labelSmoothing'], unsupported: { ...common('binary_crossentropy'), axis: -1 } });
    const fromLogits = flag(a.fromLogits, 'fromLogits', where), ls = smoothing(a.labelSmoothing, where);
    return withKeras(binaryCE(fromLogits, ls), 'BinaryCrossentropy', { from_logits: fromLogits, label_smoothing: ls, axis: -1 });
  },
  sparseCategoricalCrossentropy(args?: KerasOptions<SparseCrossentropyArgs>): Loss {
    const where = 'losses.sparseCategoricalCrossentropy';
    const a = readOptions<SparseCrossentropyArgs>(args, where, { known: ['fromLogits'], unsupported: { ...common('sparse_categorical_crossentropy'), axis: -1, ignoreClass: null } });
    const fromLogits = flag(a.fromLogits, 'fromLogits', where);
    return withKeras(sparseCategoricalCE(fromLogits), 'SparseCategoricalCrossentropy', { from_logits: fromLogits, ignore_class: null });
  },
  huber(args?: KerasOptions<HuberArgs>): Loss {
    const where = 'losses.huber';
    const a = readOptions<HuberArgs>(args, where, { known: ['delta'], unsupported: common('huber_loss') });
    const delta = a.delta ?? 1;
    if (typeof delta !== 'number' || !(delta > 0) || !Number.isFinite(delta)) throw new ValueError(`${where}: delta must be a finite number > 0, got ${formatValue(a.delta)}`);
    return withKeras(pointwiseLoss('huber_loss', huberFn(delta)), 'Huber', { delta });
  },
  meanSquaredError: simple(meanSquared, 'MeanSquaredError', 'losses.meanSquaredError'),
  meanAbsoluteError: simple(meanAbsolute, 'MeanAbsoluteError', 'losses.meanAbsoluteError'),
  meanAbsolutePercentageError: simple(meanAbsolutePercentage, 'MeanAbsolutePercentageError', 'losses.meanAbsolutePercentageError'),
  meanSquaredLogarithmicError: simple(meanSquaredLogarithmic, 'MeanSquaredLogarithmicError', 'losses.meanSquaredLogarithmicError'),
  logCosh: simple(logCosh, 'LogCosh', 'losses.logCosh'),
  klDivergence: simple(klDivergence, 'KLDivergence', 'losses.klDivergence'),
  kullbackLeiblerDivergence: simple(klDivergence, 'KLDivergence', 'losses.kullbackLeiblerDivergence'),
  poisson: simple(poissonLoss, 'Poisson', 'losses.poisson'),
  hinge: simple(hingeLoss, 'Hinge', 'losses.hinge'),
  squaredHinge: simple(squaredHingeLoss, 'SquaredHinge', 'losses.squaredHinge'),
  categoricalHinge: simple(categoricalHingeLoss, 'CategoricalHinge', 'losses.categoricalHinge'),
  cosineSimilarity: simple(cosine, 'CosineSimilarity', 'losses.cosineSimilarity', { axis: -1 }),
  /** The loss a name stands for, e.g. get('mae'). */
  get: getLoss,
};
