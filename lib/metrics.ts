// Metrics as Keras 3 computes them. Every metric is streaming: `update` adds a batch to its
// state, `result` reports the value over every batch since `reset`. Mean metrics (accuracy,
// mae, a loss used as a metric, ...) keep a sum over samples and a count, rmse the same with a
// square root at the end, precision, recall and auc confusion counts, and a metric given as a
// function the mean of what it returns. Each takes optional per-position weights (one per
// prediction row: a sample or a sample-timestep), as Keras's sample_weight: a mean metric
// then reports sum(w v) / sum(w), the confusion counts add w instead of 1.
import { Activation } from './activations';
import { ValueError, formatValue } from './errors';
import { Loss, getLoss } from './losses';
import { KerasOptions, lookup } from './names';
import { readOptions } from './options';
import { Tensor } from './tensor';

/**
 * A metric over the batches of an epoch (or an evaluation). `fromLogits` says the predictions
 * are the pre-activation values of an output whose softmax or sigmoid the loss fused.
 */
export interface Metric {
  /** The key in History and logs, e.g. 'accuracy'. */
  readonly name: string;
  /**
   * Adds a batch to the metric's state. Returns [value × count, count] for this batch alone
   * (for mean metrics: the sum of the per-sample values and the number of samples). `weights`
   * holds one value per position of `pred` (every axis but the last), as Keras's sample_weight;
   * null weighs every position 1.
   */
  update(pred: Tensor, targets: Tensor, fromLogits: boolean, weights?: Float32Array | null): [number, number];
  /**
   * Learns the shapes of the targets as the user gave them and of the predictions, before the
   * first update (Keras builds compiled metrics from the first batch); 'accuracy' chooses its kind here.
   */
  build?(targetShape: readonly number[], predShape: readonly number[]): void;
  /** Clears the state (Keras reset_state). Every metric made by getMetric or bn.metrics has it. */
  reset?(): void;
  /** The value over every batch since the last reset (Keras result()); 0 before any update. */
  result?(): number;
}

/**
 * A metric as a function of the targets and the model output (probabilities when the loss fused a
 * softmax or sigmoid). Its name is the function's name. As in Keras, a number is one value per
 * batch (the epoch value is the plain mean over batches), while a Tensor or array holds one value
 * per sample (the epoch value is the mean over samples; a Tensor of rank > 1 is first averaged
 * over its other axes). `yTrue` is what the loss takes: int32 class labels for a sparse loss.
 */
export type MetricFn = (yTrue: Tensor, yPred: Tensor) => number | Tensor | ArrayLike<number>;

/** A metric name ('mae', 'precision', ...), a bn.metrics object, a Metric or a function. */
export type MetricIdentifier = string | Metric | MetricFn;

type Fused = Loss['fusesWith'];
/** What targets a metric reads: one value per output, integer class labels, or either. */
type Targets = 'dense' | 'sparse' | 'any';

/** How to make a fresh copy of a bn.metrics object for one output of a compiled model. */
interface Recipe {
  make(fused: Fused): Metric;
  targets: Targets;
}
const recipes = new WeakMap<Metric, Recipe>();

const activations: Record<'softmax' | 'sigmoid', Activation> = {
  softmax: new Activation('softmax', 'metrics'),
  sigmoid: new Activation('sigmoid', 'metrics'),
};

/** The model output: the fused activation applied to logits, with the same kernel as the layer. */
function modelOutput(pred: Tensor, fromLogits: boolean, fused: Fused): Tensor {
  if (!fromLogits || fused === null) return pred;
  const y = new Tensor(new Float32Array(pred.size), pred.shape);
  activations[fused].forward(y, pred);
  return y;
}

const lastDim = (t: Tensor): number => t.shape[t.shape.length - 1];

/** Keras's divide_no_nan. */
const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/** Weights must hold one value per prediction row; the caller's bug otherwise, reported rather than read past. */
function checkWeights(name: string, pred: Tensor, weights: Float32Array | null): void {
  const rows = pred.size / lastDim(pred);
  if (weights && weights.length !== rows) {
    throw new ValueError(`${name}: weights has ${weights.length} values, expected one per prediction row (every axis but the last) = ${rows}`);
  }
}

/**
 * A Keras Mean metric over the values `row(pred, targets, r, K)` of the prediction rows: the
 * weighted sum and the sum of weights (Keras's reduce_to_samplewise_values gives the same ratio:
 * it divides both by the rows per sample). `finish` maps the mean to the result (a square root for rmse).
 */
function meanMetric(name: string, fused: Fused, row: (pred: ArrayLike<number>, targets: ArrayLike<number>, r: number, K: number) => number,
  finish: (mean: number) => number = (m) => m): Metric {
  const perBatch = (pred: Tensor, targets: Tensor, weights: Float32Array | null): [number, number] => {
    const K = lastDim(pred), R = pred.size / K, p = pred.data, t = targets.data;
    let s = 0, c = 0;
    if (weights) {
      for (let r = 0; r < R; r++) {
        s += weights[r] * row(p, t, r, K);
        c += weights[r];
      }
    } else {
      for (let r = 0; r < R; r++) s += row(p, t, r, K);
      c = R;
    }
    return [s, c];
  };
  return meanOf(name, fused, perBatch, finish);
}

/** A Keras Mean metric over `perBatch`'s [weighted sum of values, sum of weights]. */
function meanOf(name: string, fused: Fused, perBatch: (pred: Tensor, targets: Tensor, weights: Float32Array | null) => [number, number],
  finish: (mean: number) => number = (m) => m): Metric {
  let total = 0, count = 0;
  return {
    name,
    update(pred, targets, fromLogits, weights = null) {
      checkWeights(name, pred, weights);
      const [s, c] = perBatch(modelOutput(pred, fromLogits, fused), targets, weights);
      total += s;
      count += c;
      return [finish(ratio(s, c)) * c, c];
    },
    reset() {
      total = 0;
      count = 0;
    },
    result: () => finish(ratio(total, count)),
  };
}

function argmax(data: ArrayLike<number>, offset: number, K: number): number {
  let best = offset;
  for (let k = offset + 1; k < offset + K; k++) if (data[k] > data[best]) best = k;
  return best - offset;
}

/** 1 where the argmax of a prediction row is the row's true class, `trueClass(targets, r, K)`. */
function argmaxAccuracy(name: string, trueClass: (targets: ArrayLike<number>, row: number, K: number) => number): Metric {
  // argmax is the same on logits and on their softmax: no activation needed.
  return meanMetric(name, null, (p, t, r, K) => (argmax(p, r * K, K) === trueClass(t, r, K) ? 1 : 0));
}

/** One-hot (or probability) targets: the true class is their argmax. */
const categoricalAccuracy = (name: string): Metric => argmaxAccuracy(name, (t, r, K) => argmax(t, r * K, K));

/** Integer class labels, one per row. */
const sparseCategoricalAccuracy = (name: string): Metric => argmaxAccuracy(name, (t, r) => t[r]);

/** Keras's binary_accuracy: the target equals (prediction > threshold), elementwise, averaged over the row. */
function binaryAccuracy(name: string, fused: Fused, threshold = 0.5): Metric {
  return meanMetric(name, fused, (p, t, r, K) => {
    let hits = 0;
    for (let i = r * K; i < (r + 1) * K; i++) if ((p[i] > threshold ? 1 : 0) === t[i]) hits++;
    return hits / K;
  });
}

/** Keras's in_top_k: the label's rank (1 + the number of strictly larger scores) is at most k; NaN ranks last. */
function inTopK(pred: ArrayLike<number>, off: number, K: number, label: number, k: number): boolean {
  let v = pred[off + label];
  if (Number.isNaN(v)) v = -Infinity;
  let rank = 1;
  for (let j = off; j < off + K; j++) if (pred[j] > v) rank++;
  return rank <= k;
}

function topKAccuracy(name: string, k: number, sparse: boolean): Metric {
  // Rank is the same on logits and on their softmax.
  return meanMetric(name, null, (p, t, r, K) => (inTopK(p, r * K, K, sparse ? t[r] : argmax(t, r * K, K), k) ? 1 : 0));
}

/** A loss as a metric: the mean of its per-row values. `sign` -1 turns Keras's -cos loss into the +cos metric. */
function lossMetric(name: string, fused: Fused, loss: Loss, sign = 1): Metric {
  return meanOf(name, fused, (pred, targets, weights) => {
    // The loss is sum(w l) / rows: times rows, the weighted sum.
    const R = pred.size / lastDim(pred);
    let c = R;
    if (weights) {
      c = 0;
      for (let r = 0; r < R; r++) c += weights[r];
    }
    return [sign * loss.compute(pred, targets, null, false, 1, weights) * R, c];
  });
}

function elementwiseMean(name: string, fused: Fused, f: (p: number, t: number) => number, finish?: (m: number) => number): Metric {
  return meanMetric(name, fused, (p, t, r, K) => {
    let s = 0;
    for (let i = r * K; i < (r + 1) * K; i++) s += f(p[i], t[i]);
    return s / K;
  }, finish);
}

const absError = (p: number, t: number): number => Math.abs(t - p);
const squaredError = (p: number, t: number): number => (p - t) * (p - t);

/** Precision or recall at one threshold: confusion counts over every batch since reset (Keras Precision, Recall). */
/**
 * Keras's _filter_top_k as a mask: the k largest values of each row (ties to the lower index, as
 * jax.lax.top_k) are kept, the others become -1e10 and so never exceed a threshold.
 */
function topKMask(pred: ArrayLike<number>, K: number, k: number, mask: Uint8Array): void {
  mask.fill(0);
  for (let off = 0; off < pred.length; off += K) {
    for (let j = 0; j < k; j++) {
      let best = -1;
      for (let i = off; i < off + K; i++) if (!mask[i] && (best < 0 || pred[i] > pred[best] || (Number.isNaN(pred[i]) && !Number.isNaN(pred[best])))) best = i;
      mask[best] = 1;
    }
  }
}

/** Keras's NEG_INF, the threshold of a top-k precision or recall given no thresholds. */
const NEG_INF = -1e10;

function confusionMetric(name: string, fused: Fused, kind: 'precision' | 'recall', threshold: number, classId: number | null, topK: number | null): Metric {
  let tp = 0, fp = 0, fn = 0;
  const value = (a: number, b: number, c: number): number => (kind === 'precision' ? ratio(a, a + b) : ratio(a, a + c));
  // Keras compares in float32.
  const t32 = Math.fround(threshold);
  let mask = new Uint8Array(0);
  return {
    name,
    update(raw, targets, fromLogits, weights = null) {
      checkWeights(name, raw, weights);
      const pred = modelOutput(raw, fromLogits, fused);
      const K = lastDim(pred);
      if (classId !== null && classId >= K) throw new ValueError(`${name}: classId ${classId} is out of range for ${K} outputs`);
      if (topK !== null) {
        if (topK > K) throw new ValueError(`${name}: topK ${topK} is more than the ${K} values of a prediction row`);
        if (mask.length !== pred.size) mask = new Uint8Array(pred.size);
        topKMask(pred.data, K, topK, mask);
      }
      let a = 0, b = 0, c = 0;
      const start = classId ?? 0, step = classId === null ? 1 : K;
      // Keras broadcasts a row's weight over its K values: each counts w instead of 1.
      for (let i = start; i < pred.size; i += step) {
        const w = weights ? weights[Math.floor(i / K)] : 1;
        const p = topK !== null && !mask[i] ? NEG_INF : pred.data[i];
        const positive = targets.data[i] !== 0, predicted = p > t32;
        if (predicted) positive ? (a += w) : (b += w);
        else if (positive) c += w;
      }
      tp += a;
      fp += b;
      fn += c;
      return [value(a, b, c), 1];
    },
    reset() {
      tp = fp = fn = 0;
    },
    result: () => value(tp, fp, fn),
  };
}

export interface AucArgs {
  /** Thresholds evenly spaced over [0, 1]. Default 200. */
  numThresholds?: number;
  /** 'ROC' (default) or 'PR'. */
  curve?: 'ROC' | 'PR';
  /** 'interpolation' (default), 'minoring' or 'majoring'. */
  summationMethod?: 'interpolation' | 'minoring' | 'majoring';
  /** Explicit thresholds (numThresholds is then their count + 2: Keras adds -1e-7 and 1 + 1e-7). */
  thresholds?: number[];
  /** One curve per output column (label), the AUC their mean; else every value is pooled into one curve. Default false. */
  multiLabel?: boolean;
  /** The number of labels when multiLabel (checked against the output). */
  numLabels?: number;
  /** Per label: its weight in the confusion counts (pooled), or in the mean over labels (multiLabel). */
  labelWeights?: number[];
  /** Apply a sigmoid to the predictions first. Default false. */
  fromLogits?: boolean;
  name?: string;
}

/** Keras's AUC configuration, validated. */
interface AucConfig {
  /** Number of thresholds, the two outer ones included. */
  T: number;
  /** Uneven explicit thresholds (float32, sorted, with -1e-7 and 1 + 1e-7 around), or null: evenly spaced buckets. */
  thresholds: Float32Array | null;
  curve: 'ROC' | 'PR';
  summation: 'interpolation' | 'minoring' | 'majoring';
  fromLogits: boolean;
  multiLabel: boolean;
  numLabels: number | null;
  labelWeights: number[] | null;
}

/**
 * The area under one curve from cumulative counts: tp[i], fp[i] (i < T, from `off`) the weight of
 * positives and negatives predicted above threshold i, pos and neg their totals (Keras AUC.result).
 */
function curveArea(c: AucConfig, tp: Float64Array, fp: Float64Array, off: number, pos: number, neg: number): number {
  const { T, curve, summation } = c;
  const fn = (i: number): number => pos - tp[off + i], tn = (i: number): number => neg - fp[off + i];
  let auc = 0;
  if (curve === 'PR' && summation === 'interpolation') {
    // Keras's interpolate_pr_auc (Davis & Goadrich), term by term.
    for (let i = off; i < off + T - 1; i++) {
      const dtp = tp[i] - tp[i + 1];
      const pA = tp[i] + fp[i], pB = tp[i + 1] + fp[i + 1];
      const slope = ratio(dtp, Math.max(pA - pB, 0));
      const intercept = tp[i + 1] - slope * pB;
      const pRatio = pA > 0 && pB > 0 ? ratio(pA, Math.max(pB, 0)) : 1;
      auc += ratio(slope * (dtp + intercept * Math.log(pRatio)), Math.max(tp[i + 1] + fn(i + 1 - off), 0));
    }
    return auc;
  }
  const x = new Float64Array(T), y = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    const recall = ratio(tp[off + i], tp[off + i] + fn(i));
    if (curve === 'ROC') {
      x[i] = ratio(fp[off + i], fp[off + i] + tn(i));
      y[i] = recall;
    } else {
      x[i] = recall;
      y[i] = ratio(tp[off + i], tp[off + i] + fp[off + i]);
    }
  }
  for (let i = 0; i < T - 1; i++) {
    const h = summation === 'interpolation' ? (y[i] + y[i + 1]) / 2
      : summation === 'minoring' ? Math.min(y[i], y[i + 1]) : Math.max(y[i], y[i + 1]);
    auc += (x[i] - x[i + 1]) * h;
  }
  return auc;
}

/**
 * Keras's AUC: per label (multiLabel) or pooled, the weight of positives and negatives above each
 * threshold over every batch since reset, then the Riemann sum of the ROC or PR curve (the mean
 * over labels, weighted by labelWeights when given). Evenly spaced thresholds bucket each
 * prediction as Keras does (ceil(p (T - 1)) - 1 in float32, p clipped to [0, 1]); explicit uneven
 * ones compare p > threshold in float32.
 */
function aucMetric(name: string, fused: Fused, c: AucConfig): Metric {
  const { T } = c;
  // Running state and this batch's, per label: [tp, fp] bucket weights (later made cumulative), and totals.
  let L = 0;
  let tpB = new Float64Array(0), fpB = new Float64Array(0), tpRun = new Float64Array(0), fpRun = new Float64Array(0);
  let pos = new Float64Array(0), neg = new Float64Array(0), posRun = new Float64Array(0), negRun = new Float64Array(0);
  const sigmoid = activations.sigmoid;
  const allocate = (labels: number): void => {
    L = labels;
    [tpB, fpB, tpRun, fpRun] = [0, 0, 0, 0].map(() => new Float64Array(L * T));
    [pos, neg, posRun, negRun] = [0, 0, 0, 0].map(() => new Float64Array(L));
  };
  /** The bucket of a prediction: the index of the last threshold it exceeds (-1: none). */
  const bucketOf = c.thresholds
    ? (p: number): number => {
      const th = c.thresholds!;
      let lo = 0, hi = T;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (th[mid] < p) lo = mid + 1;
        else hi = mid;
      }
      return lo - 1;
    }
    : (raw: number): number => {
      const p = Math.min(Math.max(raw, 0), 1);
      return Math.max(Math.ceil(Math.fround(p * (T - 1))) - 1, 0);
    };
  const result = (tp: Float64Array, fp: Float64Array, ps: Float64Array, ns: Float64Array): number => {
    // Cumulative from the top threshold down: tp[i] counts what exceeds threshold i.
    const tpc = new Float64Array(L * T), fpc = new Float64Array(L * T);
    for (let l = 0; l < L; l++) {
      let a = 0, b = 0;
      for (let i = T - 1; i >= 0; i--) {
        a += tp[l * T + i];
        b += fp[l * T + i];
        tpc[l * T + i] = a;
        fpc[l * T + i] = b;
      }
    }
    if (!c.multiLabel) return curveArea(c, tpc, fpc, 0, ps[0], ns[0]);
    let sum = 0, weights = 0;
    for (let l = 0; l < L; l++) {
      const lw = c.labelWeights ? c.labelWeights[c.labelWeights.length === 1 ? 0 : l] : 1;
      sum += lw * curveArea(c, tpc, fpc, l * T, ps[l], ns[l]);
      weights += lw;
    }
    return c.labelWeights ? ratio(sum, weights) : sum / L;
  };
  return {
    name,
    update(raw, targets, logits, weights = null) {
      checkWeights(name, raw, weights);
      let pred = modelOutput(raw, logits, fused);
      if (c.fromLogits) {
        const y = new Tensor(new Float32Array(pred.size), pred.shape);
        sigmoid.forward(y, pred);
        pred = y;
      }
      const K = lastDim(pred);
      if (c.multiLabel && pred.rank !== 2) throw new ValueError(`${name}: multiLabel needs predictions of rank 2 [N, labels], got shape [${pred.shape.join(', ')}]`);
      if (c.numLabels !== null && c.numLabels !== K) throw new ValueError(`${name}: numLabels is ${c.numLabels} but the predictions have ${K} labels`);
      if (c.labelWeights && c.labelWeights.length !== 1 && c.labelWeights.length !== K) {
        throw new ValueError(`${name}: labelWeights has ${c.labelWeights.length} values but the predictions have ${K} labels`);
      }
      const labels = c.multiLabel ? K : 1;
      if (L !== labels) allocate(labels);
      tpB.fill(0);
      fpB.fill(0);
      pos.fill(0);
      neg.fill(0);
      // Pooled, Keras weighs each value by its label's weight; with multiLabel the label weights weigh the mean.
      const lw = !c.multiLabel ? c.labelWeights : null;
      for (let i = 0; i < pred.size; i++) {
        const k = i % K, l = c.multiLabel ? k : 0;
        const w = (weights ? weights[(i - k) / K] : 1) * (lw ? lw[lw.length === 1 ? 0 : k] : 1);
        const bucket = bucketOf(pred.data[i]);
        if (targets.data[i] !== 0) {
          pos[l] += w;
          if (bucket >= 0) tpB[l * T + bucket] += w;
        } else {
          neg[l] += w;
          if (bucket >= 0) fpB[l * T + bucket] += w;
        }
      }
      for (let i = 0; i < L * T; i++) {
        tpRun[i] += tpB[i];
        fpRun[i] += fpB[i];
      }
      for (let l = 0; l < L; l++) {
        posRun[l] += pos[l];
        negRun[l] += neg[l];
      }
      return [result(tpB, fpB, pos, neg), 1];
    },
    reset() {
      tpRun.fill(0);
      fpRun.fill(0);
      posRun.fill(0);
      negRun.fill(0);
    },
    result: () => (L === 0 ? 0 : result(tpRun, fpRun, posRun, negRun)),
  };
}

/** A function metric, averaged as Keras's MeanMetricWrapper averages what the function returns. */
function functionMetric(fn: MetricFn, fused: Fused): Metric {
  const name = fn.name;
  if (!name) throw new ValueError('compile: a metric function needs a name, the key it gets in the logs: use a named function (function f1(yTrue, yPred) {...}) or a const it is assigned to');
  let total = 0, count = 0;
  return {
    name,
    update(pred, targets, fromLogits, weights = null) {
      checkWeights(name, pred, weights);
      const out = fn(targets, modelOutput(pred, fromLogits, fused));
      let values: ArrayLike<number>, samples: number;
      if (typeof out === 'number' || (out instanceof Tensor && out.rank === 0)) {
        if (weights) throw new ValueError(`metric ${name}: returns one number per batch, which sample weights or the output's mask cannot weigh (Keras fails too); return one value per sample (or per timestep) to use it as a weighted metric or on a masked output`);
        values = typeof out === 'number' ? [out] : out.data;
        samples = 1;
      } else if (out instanceof Tensor) {
        values = out.data;
        samples = out.shape[0];
      } else if (out && typeof (out as ArrayLike<number>).length === 'number') {
        values = out as ArrayLike<number>;
        samples = values.length;
      } else {
        throw new ValueError(`metric ${name}: expected a number, a Tensor or an array of numbers, got ${formatValue(out)}`);
      }
      const [s, c] = weights ? weightedSampleMeans(name, values, samples, pred.shape[0], weights) : sampleMeans(values, samples);
      total += s;
      count += c;
      return [s, c];
    },
    reset() {
      total = 0;
      count = 0;
    },
    result: () => ratio(total, count),
  };
}

/** [sum over samples of each sample's mean value, samples]: a Tensor of rank > 1 is averaged over its other axes. */
function sampleMeans(values: ArrayLike<number>, samples: number): [number, number] {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  const per = samples === 0 ? 0 : values.length / samples;
  return [per > 0 ? s / per : s, samples];
}

/**
 * Keras's reduce_to_samplewise_values for a function's values and per-position weights: values
 * with one entry per position are weighted one by one, values with any number per sample by the
 * sample's weight (one position per sample); each sample's weighted values and weights are averaged.
 */
function weightedSampleMeans(name: string, values: ArrayLike<number>, samples: number, N: number, weights: Float32Array): [number, number] {
  const S = weights.length / N;
  if (samples !== N || values.length % N !== 0 || (S > 1 && values.length !== weights.length)) {
    throw new ValueError(`metric ${name}: returned ${values.length} values for ${samples} samples; with sample weights (${weights.length} for ${N} samples) it must return one value per sample${S > 1 ? ' and timestep' : ''}, as Keras needs`);
  }
  const per = values.length / N;
  let s = 0, c = 0;
  for (let n = 0; n < N; n++) {
    let vs = 0, ws = 0;
    for (let j = 0; j < per; j++) {
      const w = weights[S > 1 ? n * S + j : n];
      vs += values[n * per + j] * w;
      ws += w;
    }
    s += vs / per;
    c += S > 1 ? ws / per : weights[n];
  }
  return [s, c];
}

// ---------------------------------------------------------------------------------------------
// Names, factories and getMetric.

const defaultAuc: AucConfig = { T: 200, thresholds: null, curve: 'ROC', summation: 'interpolation', fromLogits: false, multiLabel: false, numLabels: null, labelWeights: null };

/** Every metric by canonical name: its maker (given the name to log and the fused activation) and the targets it reads. */
const table: Record<string, { make: (name: string, fused: Fused) => Metric; targets: Targets }> = {
  categoricalaccuracy: { make: (n) => categoricalAccuracy(n), targets: 'dense' },
  sparsecategoricalaccuracy: { make: (n) => sparseCategoricalAccuracy(n), targets: 'sparse' },
  binaryaccuracy: { make: (n, f) => binaryAccuracy(n, f), targets: 'dense' },
  meanabsoluteerror: { make: (n, f) => elementwiseMean(n, f, absError), targets: 'dense' },
  meansquarederror: { make: (n, f) => elementwiseMean(n, f, squaredError), targets: 'dense' },
  rootmeansquarederror: { make: (n, f) => elementwiseMean(n, f, squaredError, Math.sqrt), targets: 'dense' },
  meanabsolutepercentageerror: { make: (n, f) => lossMetric(n, f, getLoss('mape')), targets: 'dense' },
  meansquaredlogarithmicerror: { make: (n, f) => lossMetric(n, f, getLoss('msle')), targets: 'dense' },
  topkcategoricalaccuracy: { make: (n) => topKAccuracy(n, 5, false), targets: 'dense' },
  sparsetopkcategoricalaccuracy: { make: (n) => topKAccuracy(n, 5, true), targets: 'sparse' },
  precision: { make: (n, f) => confusionMetric(n, f, 'precision', 0.5, null, null), targets: 'dense' },
  recall: { make: (n, f) => confusionMetric(n, f, 'recall', 0.5, null, null), targets: 'dense' },
  auc: { make: (n, f) => aucMetric(n, f, defaultAuc), targets: 'dense' },
  kldivergence: { make: (n, f) => lossMetric(n, f, getLoss('kld')), targets: 'dense' },
  poisson: { make: (n, f) => lossMetric(n, f, getLoss('poisson')), targets: 'dense' },
  logcosherror: { make: (n, f) => lossMetric(n, f, getLoss('logcosh')), targets: 'dense' },
  hinge: { make: (n, f) => lossMetric(n, f, getLoss('hinge')), targets: 'dense' },
  squaredhinge: { make: (n, f) => lossMetric(n, f, getLoss('squaredHinge')), targets: 'dense' },
  categoricalhinge: { make: (n, f) => lossMetric(n, f, getLoss('categoricalHinge')), targets: 'dense' },
  binarycrossentropy: { make: (n, f) => lossMetric(n, f, getLoss('binaryCrossentropy')), targets: 'dense' },
  categoricalcrossentropy: { make: (n, f) => lossMetric(n, f, getLoss('categoricalCrossentropy')), targets: 'dense' },
  sparsecategoricalcrossentropy: { make: (n, f) => lossMetric(n, f, getLoss('sparseCategoricalCrossentropy')), targets: 'sparse' },
  cosinesimilarity: { make: (n, f) => lossMetric(n, f, getLoss('cosineSimilarity'), -1), targets: 'dense' },
};
const aliases: Record<string, string> = {
  mae: 'meanabsoluteerror', mse: 'meansquarederror', rmse: 'rootmeansquarederror', mape: 'meanabsolutepercentageerror',
  msle: 'meansquaredlogarithmicerror', kld: 'kldivergence', kullbackleiblerdivergence: 'kldivergence', logcosh: 'logcosherror',
  bce: 'binarycrossentropy',
};
const names: Record<string, string> = { accuracy: 'accuracy', acc: 'accuracy', ...aliases };
for (const k of Object.keys(table)) names[k] = k;

/** Registers a bn.metrics object: usable on its own (no fused activation) and copied per output by getMetric. */
function register(recipe: Recipe): Metric {
  const metric = recipe.make(null);
  recipes.set(metric, recipe);
  return metric;
}

function isTensorShaped(loss: Loss, targets: Targets, name: string): void {
  if (targets === 'dense' && loss.sparse) {
    throw new ValueError(`compile: metric '${name}' needs one target per output, but the loss ${loss.name} takes integer class labels (use its sparse form, e.g. sparseCategoricalAccuracy, sparseTopKCategoricalAccuracy)`);
  }
  if (targets === 'sparse' && !loss.sparse) {
    throw new ValueError(`compile: metric '${name}' needs integer class labels, but the loss ${loss.name} takes one target per output (use sparseCategoricalCrossentropy, or the metric's dense form)`);
  }
}

/**
 * Resolves a metric for one output of a compiled model. A name is logged as given ('mae' logs
 * 'mae', as in Keras); 'accuracy' (or 'acc') is chosen from the shapes as Keras 3 does (see
 * shapeAccuracy). A bn.metrics object is copied (each output keeps its own state); a function is
 * logged under its own name.
 */
export function getMetric(identifier: MetricIdentifier, loss: Loss): Metric {
  const fused = loss.fusesWith;
  if (typeof identifier === 'function') return functionMetric(identifier, fused);
  if (typeof identifier === 'object' && identifier !== null && typeof (identifier as Metric).update === 'function') {
    const recipe = recipes.get(identifier as Metric);
    if (!recipe) return identifier as Metric;
    isTensorShaped(loss, recipe.targets, (identifier as Metric).name);
    const copy = recipe.make(fused);
    recipes.set(copy, recipe);
    return copy;
  }
  if (typeof identifier !== 'string') {
    throw new ValueError(`compile: metrics must be names such as 'accuracy', bn.metrics objects or functions (yTrue, yPred) => number, got ${formatValue(identifier)}`);
  }
  const key = lookup(names, identifier, 'metric', (m) => new ValueError(`compile: ${m}`));
  if (key === 'accuracy') return shapeAccuracy(identifier, loss.fusesWith);
  const entry = table[key];
  isTensorShaped(loss, entry.targets, identifier);
  return entry.make(identifier, fused);
}

/**
 * Keras 3's is_binary_or_sparse_categorical (trainers/compile_utils.py): binary when the
 * predictions have one value per row; sparse categorical when the targets have a lower rank
 * than the predictions, or one value per row against several; categorical otherwise.
 */
function accuracyKind(targetShape: readonly number[], predShape: readonly number[]): 'binary' | 'sparse' | 'categorical' {
  const predLast = predShape[predShape.length - 1];
  if (predLast === 1) return 'binary';
  if (targetShape.length < predShape.length || (targetShape[targetShape.length - 1] === 1 && predLast > 1)) return 'sparse';
  return 'categorical';
}

/**
 * 'accuracy' / 'acc' as Keras 3's get_metric: binary, sparse categorical or categorical accuracy,
 * chosen from the shapes of the user's targets and of the predictions (not from the loss), logged
 * under the name given. Keras builds compiled metrics on the first batch; here the trainer calls
 * build with the targets as given, before preparing them for the loss (an update before any
 * build takes the shapes it sees). Chosen once, like Keras.
 */
function shapeAccuracy(name: string, fused: Fused): Metric {
  let chosen: Metric | null = null;
  const build = (targetShape: readonly number[], predShape: readonly number[]): void => {
    if (chosen) return;
    const kind = accuracyKind(targetShape, predShape);
    chosen = kind === 'binary' ? binaryAccuracy(name, fused) : kind === 'sparse' ? sparseCategoricalAccuracy(name) : categoricalAccuracy(name);
  };
  return {
    name,
    build,
    update(pred, targets, fromLogits, weights = null) {
      if (!chosen) build(targets.shape, pred.shape);
      return chosen!.update(pred, targets, fromLogits, weights);
    },
    reset: () => chosen?.reset!(),
    result: () => (chosen ? chosen.result!() : 0),
  };
}

function options<T>(args: unknown, where: string, known: string[], unsupported: Record<string, unknown> = {}): T & { name?: string } {
  const a = readOptions<T & { name?: string }>(args, where, { known: [...known, 'name'], unsupported: { dtype: null, ...unsupported } });
  if (a.name !== undefined && (typeof a.name !== 'string' || !a.name)) throw new ValueError(`${where}: name must be a non-empty string, got ${formatValue(a.name)}`);
  return a;
}

function positiveInt(v: unknown, fallback: number, what: string, where: string, min = 1): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new ValueError(`${where}: ${what} must be an integer >= ${min}, got ${formatValue(v)}`);
  return v;
}

/** A plain metric with only `name` (and Keras's dtype at its default) as options. */
function plain(key: string, defaultName: string, where: string) {
  return (args?: { name?: string }): Metric => {
    const a = options(args, where, []);
    const entry = table[key];
    return register({ make: (fused) => entry.make(a.name ?? defaultName, fused), targets: entry.targets });
  };
}

export interface ThresholdArgs {
  /** A prediction above it counts as positive. Default 0.5 (with topK: any value among the top k). */
  thresholds?: number | [number];
  /** Only the k largest values of each prediction row can count as positive. */
  topK?: number;
  /** Count only this output column (class). */
  classId?: number;
  name?: string;
}

function confusionFactory(kind: 'precision' | 'recall') {
  return (args?: KerasOptions<ThresholdArgs>): Metric => {
    const where = `metrics.${kind}`;
    const a = options<ThresholdArgs>(args, where, ['thresholds', 'classId', 'topK']);
    const topK = a.topK === undefined || a.topK === null ? null : positiveInt(a.topK, 1, 'topK', where);
    let threshold: unknown = a.thresholds ?? (topK === null ? 0.5 : NEG_INF);
    if (Array.isArray(threshold)) {
      // Keras's result is then a vector, one value per threshold; blasnet's logs hold one number per metric.
      if (threshold.length !== 1) throw new ValueError(`${where}: blasnet takes one threshold (Keras logs a vector for several, which blasnet's logs cannot hold), got ${formatValue(threshold)}`);
      threshold = threshold[0];
    }
    const ok = typeof threshold === 'number' && ((threshold >= 0 && threshold <= 1) || (threshold === NEG_INF && a.thresholds === undefined));
    if (!ok) throw new ValueError(`${where}: thresholds must be a number in [0, 1], got ${formatValue(a.thresholds)}`);
    const classId = a.classId === undefined || a.classId === null ? null : positiveInt(a.classId, 0, 'classId', where, 0);
    const t = threshold as number;
    return register({ make: (fused) => confusionMetric(a.name ?? kind, fused, kind, t, classId, topK), targets: 'dense' });
  };
}

function topKFactory(sparse: boolean) {
  return (args?: { k?: number; name?: string }): Metric => {
    const where = sparse ? 'metrics.sparseTopKCategoricalAccuracy' : 'metrics.topKCategoricalAccuracy';
    const a = options<{ k?: number }>(args, where, ['k'], sparse ? { fromSortedIds: false } : {});
    const k = positiveInt(a.k, 5, 'k', where);
    const name = a.name ?? (sparse ? 'sparse_top_k_categorical_accuracy' : 'top_k_categorical_accuracy');
    return register({ make: () => topKAccuracy(name, k, sparse), targets: sparse ? 'sparse' : 'dense' });
  };
}

/**
 * Metric objects with Keras's options, for `compile({metrics: [...]})`, e.g.
 * `bn.metrics.auc({curve: 'PR'})`, `bn.metrics.precision({thresholds: 0.3})`,
 * `bn.metrics.topKCategoricalAccuracy({k: 3})`. Each is also usable on its own:
 * `m.update(pred, targets, false)`, `m.result()`, `m.reset()`.
 */
export const metrics = {
  precision: confusionFactory('precision'),
  recall: confusionFactory('recall'),
  auc(args?: KerasOptions<AucArgs>): Metric {
    const where = 'metrics.auc';
    const a = options<AucArgs>(args, where, ['numThresholds', 'curve', 'summationMethod', 'fromLogits', 'thresholds', 'multiLabel', 'numLabels', 'labelWeights']);
    let T = positiveInt(a.numThresholds, 200, 'numThresholds', where, 2);
    const curve = String(a.curve ?? 'ROC').toUpperCase();
    if (curve !== 'ROC' && curve !== 'PR') throw new ValueError(`${where}: curve must be 'ROC' or 'PR', got ${formatValue(a.curve)}`);
    const summation = String(a.summationMethod ?? 'interpolation').toLowerCase();
    if (summation !== 'interpolation' && summation !== 'minoring' && summation !== 'majoring') {
      throw new ValueError(`${where}: summationMethod must be 'interpolation', 'minoring' or 'majoring', got ${formatValue(a.summationMethod)}`);
    }
    for (const flagName of ['fromLogits', 'multiLabel'] as const) {
      if (a[flagName] !== undefined && a[flagName] !== null && typeof a[flagName] !== 'boolean') throw new ValueError(`${where}: ${flagName} must be true or false, got ${formatValue(a[flagName])}`);
    }
    const multiLabel = a.multiLabel ?? false;
    const numLabels = a.numLabels === undefined || a.numLabels === null ? null : positiveInt(a.numLabels, 1, 'numLabels', where);
    // Keras: "`num_labels` is needed only when `multi_label` is True."
    if (numLabels !== null && !multiLabel) throw new ValueError(`${where}: numLabels is needed only when multiLabel is true`);
    const numbers = (v: unknown, what: string): number[] | null => {
      if (v === undefined || v === null) return null;
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) throw new ValueError(`${where}: ${what} must be a list of finite numbers, got ${formatValue(v)}`);
      return v;
    };
    const labelWeights = numbers(a.labelWeights, 'labelWeights');
    const explicit = numbers(a.thresholds, 'thresholds');
    let thresholds: Float32Array | null = null;
    if (explicit) {
      // Keras: sorted, between -epsilon and 1 + epsilon; evenly spaced ones are its default buckets.
      const sorted = [...explicit].sort((x, y) => x - y);
      T = sorted.length + 2;
      const even = T >= 3 && [0, ...sorted, 1].every((v, i) => Math.abs(v - Math.fround(i / (T - 1))) <= 1e-7 + 1e-5 * Math.abs(Math.fround(i / (T - 1))));
      if (!even) thresholds = Float32Array.from([-1e-7, ...sorted, 1 + 1e-7]);
    }
    const config: AucConfig = { T, thresholds, curve, summation, fromLogits: a.fromLogits ?? false, multiLabel, numLabels, labelWeights };
    return register({ make: (fused) => aucMetric(a.name ?? 'auc', fused, config), targets: 'dense' });
  },
  topKCategoricalAccuracy: topKFactory(false),
  sparseTopKCategoricalAccuracy: topKFactory(true),
  binaryAccuracy(args?: { threshold?: number; name?: string }): Metric {
    const a = options<{ threshold?: number }>(args, 'metrics.binaryAccuracy', ['threshold']);
    const threshold = a.threshold ?? 0.5;
    if (typeof threshold !== 'number' || !Number.isFinite(threshold)) throw new ValueError(`metrics.binaryAccuracy: threshold must be a number, got ${formatValue(a.threshold)}`);
    return register({ make: (fused) => binaryAccuracy(a.name ?? 'binary_accuracy', fused, threshold), targets: 'dense' });
  },
  categoricalAccuracy: plain('categoricalaccuracy', 'categorical_accuracy', 'metrics.categoricalAccuracy'),
  sparseCategoricalAccuracy: plain('sparsecategoricalaccuracy', 'sparse_categorical_accuracy', 'metrics.sparseCategoricalAccuracy'),
  meanAbsoluteError: plain('meanabsoluteerror', 'mean_absolute_error', 'metrics.meanAbsoluteError'),
  meanSquaredError: plain('meansquarederror', 'mean_squared_error', 'metrics.meanSquaredError'),
  rootMeanSquaredError: plain('rootmeansquarederror', 'root_mean_squared_error', 'metrics.rootMeanSquaredError'),
  meanAbsolutePercentageError: plain('meanabsolutepercentageerror', 'mean_absolute_percentage_error', 'metrics.meanAbsolutePercentageError'),
  meanSquaredLogarithmicError: plain('meansquaredlogarithmicerror', 'mean_squared_logarithmic_error', 'metrics.meanSquaredLogarithmicError'),
  klDivergence: plain('kldivergence', 'kl_divergence', 'metrics.klDivergence'),
  poisson: plain('poisson', 'poisson', 'metrics.poisson'),
  logCoshError: plain('logcosherror', 'logcosh', 'metrics.logCoshError'),
  hinge: plain('hinge', 'hinge', 'metrics.hinge'),
  squaredHinge: plain('squaredhinge', 'squared_hinge', 'metrics.squaredHinge'),
  categoricalHinge: plain('categoricalhinge', 'categorical_hinge', 'metrics.categoricalHinge'),
  cosineSimilarity: plain('cosinesimilarity', 'cosine_similarity', 'metrics.cosineSimilarity'),
};
