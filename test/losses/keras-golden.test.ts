import t from 'tap';
import type { Test } from 'tap';
import { Activation } from '../../lib/activations';
import { getLoss } from '../../lib/losses';
import { Metric, getMetric, metrics } from '../../lib/metrics';
import { Tensor } from '../../lib/tensor';
import { Batch, f32, lossFixture, lossFor, makeLoss, makeMetric, metricFixture, relError, targets, worst } from './helpers';

// Every loss and metric against Keras 3 (JAX backend, float64), from test/fixtures/losses
// (tools/goldens/losses_keras.py): the value and the gradient of each loss, and each metric's
// streaming result after each of two batches. Tolerance: 1e-6 relative.
const tolerance = 1e-6;

for (const c of lossFixture.cases) {
  t.test(`loss ${c.id}: ${c.keras} as ${JSON.stringify(c.bn)}`, async (t) => {
    const loss = makeLoss(c.bn);
    t.equal(loss.fusesWith === c.fused || c.fused === null, true, `fuses with ${loss.fusesWith}`);
    const input = f32(c.y_pred, c.y_pred_shape);
    const y = targets(loss, c.y_true, c.y_true_shape, c.y_pred_shape);
    const grad = new Tensor(new Float32Array(input.size), input.shape);
    const fromLogits = c.fused !== null;
    const value = loss.compute(input, y, grad, fromLogits);
    t.ok(relError(value, c.loss) <= tolerance, `loss ${value} vs Keras ${c.loss} (rel ${relError(value, c.loss).toExponential(2)})`);
    const w = worst(grad.data, c.grad);
    t.ok(w.error <= tolerance, `gradient: worst rel error ${w.error.toExponential(2)} at ${w.index} (${grad.data[w.index]} vs ${c.grad[w.index]})`);
    t.equal(loss.compute(input, y, null, fromLogits), value, 'the same value without a gradient');
    // A loss weight scales the gradient, not the value.
    const scaled = new Tensor(new Float32Array(input.size), input.shape);
    t.equal(loss.compute(input, y, scaled, fromLogits, 2.5), value, 'gradScale leaves the value');
    const ws = worst(scaled.data, Array.from(grad.data, (g) => 2.5 * g));
    t.ok(ws.error <= 1e-6, `gradScale 2.5 scales the gradient (rel ${ws.error.toExponential(2)})`);
  });
}

/** One metric through the batches of a case, checking result() after each, then reset() and again. */
function runBatches(t: Test, metric: Metric, batches: Batch[], results: number[], sparse: boolean): void {
  const loss = lossFor(sparse ? 'sparse' : 'dense');
  const feed = (b: Batch) => metric.update(f32(b.y_pred, b.y_pred_shape), targets(loss, b.y_true, b.y_true_shape, b.y_pred_shape), false);
  for (let round = 0; round < 2; round++) {
    batches.forEach((b, i) => {
      feed(b);
      const r = metric.result!();
      t.ok(relError(r, results[i]) <= tolerance, `${round ? 'after reset, ' : ''}result after batch ${i + 1}: ${r} vs Keras ${results[i]}`);
    });
    metric.reset!();
    t.equal(metric.result!(), 0, 'reset clears the state');
  }
}

for (const c of metricFixture.cases) {
  t.test(`metric ${c.id}: ${c.keras} as ${JSON.stringify(c.bn)}`, async (t) => {
    const metric = makeMetric(c.bn, c.targets);
    t.type(metric.reset, 'function');
    t.type(metric.result, 'function');
    runBatches(t, metric, c.batches, c.results, c.targets === 'sparse');
    // A metric fed logits of a fused activation gives what it gives on the activation's output.
    if (c.targets === 'dense' && c.batches.every((b) => b.y_pred.every((v) => v > 0 && v < 1))) {
      const fusing = getLoss('binaryCrossentropy');
      const a = getMetric(c.bn.name ?? makeMetric(c.bn, 'dense'), fusing);
      const b = getMetric(c.bn.name ?? makeMetric(c.bn, 'dense'), fusing);
      const sigmoid = new Activation('sigmoid', 'test');
      for (const batch of c.batches) {
        const z = f32(batch.y_pred.map((p) => Math.log(p / (1 - p))), batch.y_pred_shape);
        const p = new Tensor(new Float32Array(z.size), z.shape);
        sigmoid.forward(p, z);
        const y = f32(batch.y_true, batch.y_true_shape);
        a.update(z, y, true);
        b.update(p, y, false);
      }
      t.equal(a.result!(), b.result!(), 'logits of a fused sigmoid: the same result as on the sigmoid output');
    }
  });
}

t.test('a bn.metrics object works on its own and is copied per output by getMetric', async (t) => {
  const c = metricFixture.cases.find((m) => m.id === 'auc_pr')!;
  const object = metrics.auc({ curve: 'PR' });
  runBatches(t, object, c.batches, c.results, false);
  const copy = getMetric(object, getLoss('binaryCrossentropy'));
  t.not(copy, object, 'a fresh copy');
  t.equal(copy.name, 'auc');
  const b = c.batches[0];
  object.update(f32(b.y_pred, b.y_pred_shape), f32(b.y_true, b.y_true_shape), false);
  t.equal(copy.result!(), 0, 'the copy has its own state');
});

t.test('function metrics are averaged as Keras averages them', async (t) => {
  const js: Record<string, (yTrue: Tensor, yPred: Tensor) => number | number[]> = {
    // Returns a number: Keras counts it once per batch.
    meanAbsScalar: function mean_abs_scalar(yTrue, yPred) {
      let s = 0;
      for (let i = 0; i < yTrue.size; i++) s += Math.abs(yTrue.data[i] - yPred.data[i]);
      return s / yTrue.size;
    },
    // Returns one value per sample: Keras takes the mean over samples.
    maxAbsPerSample: function max_abs_per_sample(yTrue, yPred) {
      const K = yPred.shape[1];
      return Array.from({ length: yPred.shape[0] }, (_, r) => {
        let m = 0;
        for (let k = 0; k < K; k++) m = Math.max(m, Math.abs(yTrue.data[r * K + k] - yPred.data[r * K + k]));
        return m;
      });
    },
  };
  for (const c of metricFixture.function_metrics) {
    const metric = getMetric(js[c.bn.function!], getLoss('mse'));
    t.equal(metric.name, c.id, `logged under the function's name, ${c.id}`);
    // Keras computes these in float64 from float32 inputs; the JS functions too.
    runBatches(t, metric, c.batches, c.results, false);
  }
  // model.evaluate(batch_size=2) on 3 samples: a scalar function is the plain mean of the two
  // batch values (3.5), while mae is the mean over samples (3.1667).
  const e = metricFixture.evaluate;
  const fn = getMetric(js.meanAbsScalar, getLoss('mse')), mae = getMetric('mae', getLoss('mse'));
  for (const [start, end] of [[0, 2], [2, 3]]) {
    const x = f32(e.x.slice(2 * start, 2 * end), [end - start, 2]), y = f32(e.y.slice(2 * start, 2 * end), [end - start, 2]);
    fn.update(x, y, false);
    mae.update(x, y, false);
  }
  t.ok(relError(fn.result!(), e.logs.mean_abs_scalar) <= tolerance, `function metric ${fn.result!()} vs Keras evaluate ${e.logs.mean_abs_scalar}`);
  t.ok(relError(mae.result!(), e.logs.mae) <= tolerance, `mae ${mae.result!()} vs Keras evaluate ${e.logs.mae}`);
});
