import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import { Tensor } from '../../lib/tensor';
import { LossCase, MetricCase, f32, lossFixture, makeLoss, makeMetric, metricFixture, relError, targets } from './helpers';

// The losses and metrics TF.js has, on the Keras fixtures' data: tfjs-layers' Keras-style losses
// (per-sample values, averaged here; taken from a compiled tf model, as tfjs-layers does not export them) and tf.losses, with gradients from tf.grad; tf.metrics over
// both batches of a metric case at once. TF.js computes in float32: tolerance 1e-5 relative
// (gradients: plus 1e-6 of the largest gradient). Where TF.js differs from Keras the case is
// left out or the element skipped, as noted.
tf.setBackend('cpu');

type TfLoss = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;
const mean = (f: TfLoss): TfLoss => (yt, yp) => tf.mean(f(yt, yp));

/** A tfjs-layers loss by name (they are not exported): the function a model compiled with it uses. */
function layersLoss(name: string): TfLoss {
  const input = tf.input({ shape: [1] });
  const m = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1 }).apply(input) as tf.SymbolicTensor });
  m.compile({ optimizer: 'sgd', loss: name });
  return (m as unknown as { lossFunctions: TfLoss[] }).lossFunctions[0];
}
const L = Object.fromEntries(['meanSquaredError', 'meanAbsoluteError', 'meanAbsolutePercentageError', 'meanSquaredLogarithmicError',
  'logcosh', 'poisson', 'cosineProximity', 'kullbackLeiblerDivergence', 'hinge', 'squaredHinge', 'categoricalHinge',
  'categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'binaryCrossentropy'].map((n) => [n, layersLoss(n)]));

/** Loss fixture id → the TF.js loss (a scalar), and gradient elements to skip (ties, where TF.js takes another side). */
const tfLosses: Record<string, { f: TfLoss; skip?: (c: LossCase, i: number) => boolean }> = {
  mse: { f: mean(L.meanSquaredError) },
  // TF.js takes d|x|/dx = 0 at 0, JAX 1.
  mae: { f: (yt, yp) => tf.losses.absoluteDifference(yt, yp), skip: (c, i) => c.y_true[i] === c.y_pred[i] },
  mae_rank3: { f: mean(L.meanAbsoluteError) },
  mape: { f: mean(L.meanAbsolutePercentageError) },
  msle: { f: mean(L.meanSquaredLogarithmicError) },
  huber: { f: (yt, yp) => tf.losses.huberLoss(yt, yp) },
  'huber_delta_0.5': { f: (yt, yp) => tf.losses.huberLoss(yt, yp, undefined, 0.5) },
  huber_delta_2: { f: (yt, yp) => tf.losses.huberLoss(yt, yp, undefined, 2) },
  log_cosh: { f: mean(L.logcosh) },
  poisson: { f: mean(L.poisson) },
  cosine_similarity: { f: mean(L.cosineProximity) },
  cosine_similarity_rank3: { f: mean(L.cosineProximity) },
  kl_divergence: { f: mean(L.kullbackLeiblerDivergence) },
  kl_divergence_rank3: { f: mean(L.kullbackLeiblerDivergence) },
  // tf.losses.hingeLoss always maps labels 0/1 to -1/1; tfjs-layers' hinge never does. At a
  // margin of exactly 0 TF.js gives the whole gradient, JAX half.
  hinge_01: { f: (yt, yp) => tf.losses.hingeLoss(yt, yp), skip: (c, i) => (2 * c.y_true[i] - 1) * c.y_pred[i] === 1 },
  hinge_pm1: { f: mean(L.hinge), skip: (c, i) => c.y_true[i] * c.y_pred[i] === 1 },
  squared_hinge_pm1: { f: mean(L.squaredHinge) },
  // TF.js gives tied maxima the whole gradient each, JAX shares it: row 2 ties.
  categorical_hinge: { f: mean(L.categoricalHinge), skip: (_c, i) => Math.floor(i / 3) === 2 },
  cce: { f: mean(L.categoricalCrossentropy) },
  cce_soft: { f: mean(L.categoricalCrossentropy) },
  cce_from_logits: { f: (yt, yp) => tf.losses.softmaxCrossEntropy(yt, yp) },
  cce_from_logits_smoothing: { f: (yt, yp) => tf.losses.softmaxCrossEntropy(yt, yp, undefined, 0.2) },
  scce: { f: mean(L.sparseCategoricalCrossentropy) },
  scce_from_logits: { f: (yt, yp) => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(yt, 'int32'), yp.shape[1]!), yp) },
  bce: { f: mean(L.binaryCrossentropy) },
  bce_from_logits: { f: (yt, yp) => tf.losses.sigmoidCrossEntropy(yt, yp) },
  bce_from_logits_smoothing: { f: (yt, yp) => tf.losses.sigmoidCrossEntropy(yt, yp, undefined, 0.25) },
};

t.test('every TF.js loss is covered', async (t) => {
  const ids = new Set(lossFixture.cases.map((c) => c.id));
  for (const id of Object.keys(tfLosses)) t.ok(ids.has(id), `fixture ${id}`);
});

for (const c of lossFixture.cases) {
  const ref = tfLosses[c.id];
  if (!ref) continue;
  t.test(`loss ${c.id} against TF.js`, async (t) => {
    const loss = makeLoss(c.bn);
    const input = f32(c.y_pred, c.y_pred_shape);
    const grad = new Tensor(new Float32Array(input.size), input.shape);
    const value = loss.compute(input, targets(loss, c.y_true, c.y_true_shape, c.y_pred_shape), grad, false);
    const yt = tf.tensor(c.y_true, c.y_true_shape), yp = tf.tensor(c.y_pred, c.y_pred_shape);
    const theirs = ref.f(yt, yp).dataSync()[0];
    const theirGrad = tf.grad((p: tf.Tensor) => ref.f(yt, p))(yp).dataSync();
    t.ok(relError(value, theirs) <= 1e-5, `loss ${value} vs TF.js ${theirs} (rel ${relError(value, theirs).toExponential(2)})`);
    let scale = 0;
    for (const g of theirGrad) scale = Math.max(scale, Math.abs(g));
    let bad = -1, skipped = 0;
    for (let i = 0; i < theirGrad.length; i++) {
      if (ref.skip?.(c, i)) {
        skipped++;
        continue;
      }
      const d = Math.abs(grad.data[i] - theirGrad[i]);
      if (d > 1e-5 * Math.max(Math.abs(grad.data[i]), Math.abs(theirGrad[i])) + 1e-6 * scale) bad = i;
    }
    t.equal(bad, -1, `gradient matches TF.js${skipped ? ` (${skipped} tie${skipped > 1 ? 's' : ''} skipped)` : ''}${bad >= 0 ? `: ${grad.data[bad]} vs ${theirGrad[bad]} at ${bad}` : ''}`);
  });
}

/** Metric fixture id → the tf.metrics function (per-sample or batch value) and how its values combine. */
type TfMetric = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;
const binarize = (yp: tf.Tensor): tf.Tensor => tf.cast(tf.greater(yp, 0.5), 'float32');
const tfMetrics: Record<string, TfMetric> = {
  mae: tf.metrics.meanAbsoluteError,
  mse: tf.metrics.meanSquaredError,
  mape: tf.metrics.MAPE,
  mae_rank3: tf.metrics.meanAbsoluteError,
  binary_accuracy: tf.metrics.binaryAccuracy,
  categorical_accuracy: tf.metrics.categoricalAccuracy,
  sparse_categorical_accuracy: (yt, yp) => tf.metrics.sparseCategoricalAccuracy(yt, yp),
  // TF.js's cosineProximity metric is -cos, Keras's cosine_similarity metric +cos.
  cosine_similarity: (yt, yp) => tf.neg(tf.metrics.cosineProximity(yt, yp)),
  binary_crossentropy: tf.metrics.binaryCrossentropy,
  categorical_crossentropy: tf.metrics.categoricalCrossentropy,
  sparse_categorical_crossentropy: L.sparseCategoricalCrossentropy,
  // TF.js counts predictions equal to 1: give it predictions thresholded at 0.5 (as blasnet and Keras do).
  precision: (yt, yp) => tf.metrics.precision(yt, binarize(yp)),
  recall: (yt, yp) => tf.metrics.recall(yt, binarize(yp)),
  precision_multilabel: (yt, yp) => tf.metrics.precision(yt, binarize(yp)),
  recall_multilabel: (yt, yp) => tf.metrics.recall(yt, binarize(yp)),
};

function concat(c: MetricCase, key: 'y_true' | 'y_pred'): tf.Tensor {
  const shape = [...c.batches[0][`${key}_shape`]];
  shape[0] = c.batches.reduce((n, b) => n + b[`${key}_shape`][0], 0);
  return tf.tensor(c.batches.flatMap((b) => b[key]), shape);
}

t.test('every TF.js metric is covered', async (t) => {
  const ids = new Set(metricFixture.cases.map((c) => c.id));
  for (const id of Object.keys(tfMetrics)) t.ok(ids.has(id), `fixture ${id}`);
});

for (const c of metricFixture.cases) {
  const ref = tfMetrics[c.id];
  if (!ref) continue;
  t.test(`metric ${c.id} against TF.js over both batches`, async (t) => {
    const metric = makeMetric(c.bn, c.targets);
    const loss = makeLoss({ name: c.targets === 'sparse' ? 'sparseCategoricalCrossentropy' : 'mse' });
    for (const b of c.batches) metric.update(f32(b.y_pred, b.y_pred_shape), targets(loss, b.y_true, b.y_true_shape, b.y_pred_shape), false);
    const ours = metric.result!();
    const theirs = tf.mean(ref(concat(c, 'y_true'), concat(c, 'y_pred'))).dataSync()[0];
    t.ok(relError(ours, theirs) <= 1e-5, `${ours} vs TF.js ${theirs}`);
  });
}
