import t from 'tap';
import * as bn from '../../lib';
import { getLoss } from '../../lib/losses';
import { Metric, MetricFn, getMetric, metrics } from '../../lib/metrics';
import { sampleWeights } from '../../lib/models/weights';
import { Tensor } from '../../lib/tensor';
import { Arr, read, relError, tensor } from './helpers';

// Metrics updated with Keras's sample weights (tools/goldens/weights_keras.py), per sample and
// per timestep: result() after each of two batches, then again after reset().
interface Batch {
  y_true: Arr;
  y_pred: Arr;
  sample_weight: Arr;
}
interface Case {
  id: string;
  bn: { name?: string; factory?: string; args?: Record<string, unknown> };
  targets: 'dense' | 'sparse';
  batches: Batch[];
  results: number[];
}
const fixture = read<{ cases: Case[]; function_metric: { batches: Batch[]; results: number[] } }>('metrics.json');
const tolerance = 1e-6;

function feed(metric: Metric, b: Batch, sparse: boolean): void {
  const loss = getLoss(sparse ? 'sparseCategoricalCrossentropy' : 'mse');
  const pred = tensor(b.y_pred);
  const outputShape = pred.shape.slice(1);
  const y = loss.prepareTargets(tensor(b.y_true), outputShape, 'test');
  const [w] = sampleWeights(tensor(b.sample_weight), [{ name: 'out', shape: outputShape }], pred.shape[0], 'test');
  metric.update(pred, y, false, w!.data as Float32Array);
}

for (const c of fixture.cases) {
  t.test(`weighted metric ${c.id}`, async (t) => {
    const loss = getLoss(c.targets === 'sparse' ? 'sparseCategoricalCrossentropy' : 'mse');
    const id = c.bn.name ?? (metrics as unknown as Record<string, (a: unknown) => Metric>)[c.bn.factory!](c.bn.args);
    const metric = getMetric(id, loss);
    for (let round = 0; round < 2; round++) {
      c.batches.forEach((b, i) => {
        feed(metric, b, c.targets === 'sparse');
        const r = metric.result!();
        t.ok(relError(r, c.results[i]) <= tolerance, `${round ? 'after reset, ' : ''}result after batch ${i + 1}: ${r} vs Keras ${c.results[i]}`);
      });
      metric.reset!();
    }
  });
}

t.test('a function metric returning one value per sample is weighted per sample', async (t) => {
  const maxAbsPerSample: MetricFn = (yTrue, yPred) => {
    const K = yPred.shape[1], out: number[] = [];
    for (let n = 0; n < yPred.shape[0]; n++) {
      let m = 0;
      for (let k = 0; k < K; k++) m = Math.max(m, Math.abs(yTrue.data[n * K + k] - yPred.data[n * K + k]));
      out.push(m);
    }
    return out;
  };
  const metric = getMetric(maxAbsPerSample, getLoss('mse'));
  fixture.function_metric.batches.forEach((b, i) => {
    feed(metric, b, false);
    t.ok(relError(metric.result!(), fixture.function_metric.results[i]) <= tolerance, `${metric.result!()} vs Keras ${fixture.function_metric.results[i]}`);
  });
  const scalar = getMetric(function meanAbs() { return 0.5; }, getLoss('mse'));
  t.throws(() => scalar.update(new Tensor(new Float32Array(6), [2, 3]), new Tensor(new Float32Array(6), [2, 3]), false, new Float32Array(2)),
    { name: 'ValueError', message: /metric meanAbs: returns one number per batch, which sample weights or the output's mask cannot weigh/ });
});

t.test('weights of 1 give the unweighted result; the wrong length is refused', async (t) => {
  const pred = new Tensor(Float32Array.from([0.2, 0.7, 0.9, 0.4, 0.6, 0.1]), [3, 2]);
  const y = new Tensor(Float32Array.from([0, 1, 1, 0, 1, 1]), [3, 2]);
  for (const name of ['binary_accuracy', 'mae', 'precision', 'recall', 'auc', 'binary_crossentropy']) {
    const a = getMetric(name, getLoss('mse')), b = getMetric(name, getLoss('mse'));
    a.update(pred, y, false);
    b.update(pred, y, false, new Float32Array(3).fill(1));
    t.ok(Math.abs(a.result!() - b.result!()) < 1e-12, `${name}: ${a.result!()} = ${b.result!()}`);
    t.throws(() => b.update(pred, y, false, new Float32Array(6)), { name: 'ValueError', message: /weights has 6 values, expected one per prediction row \(every axis but the last\) = 3/ });
  }
});

// Metric options against Keras (float32 there): Precision/Recall topK, AUC multiLabel, numLabels,
// labelWeights and explicit thresholds, without and with sample weights.
interface OptionCase {
  id: string;
  bn: { factory: string; args: Record<string, unknown> };
  batches: (Omit<Batch, 'sample_weight'> & { sample_weight: Arr | null })[];
  results: number[];
}
const options = read<{ option_cases: OptionCase[]; log_names: { metrics: string[]; weighted_metrics: string[]; keys: string[] } }>('metrics.json');
for (const c of options.option_cases) {
  t.test(`metric option ${c.id}: ${JSON.stringify(c.bn.args)}`, async (t) => {
    const made = (metrics as unknown as Record<string, (a: unknown) => Metric>)[c.bn.factory](c.bn.args);
    const metric = getMetric(made, getLoss('binaryCrossentropy'));
    for (let round = 0; round < 2; round++) {
      c.batches.forEach((b, i) => {
        metric.update(tensor(b.y_pred), tensor(b.y_true), false, b.sample_weight ? Float32Array.from(b.sample_weight.values) : null);
        const r = metric.result!();
        t.ok(relError(r, c.results[i]) <= 1e-5, `${round ? 'after reset, ' : ''}result after batch ${i + 1}: ${r} vs Keras ${c.results[i]}`);
      });
      metric.reset!();
    }
  });
}

t.test('metric options: what they refuse on the data', async (t) => {
  const pred = new Tensor(new Float32Array(6).fill(0.5), [2, 3]), y = new Tensor(new Float32Array(6), [2, 3]);
  t.throws(() => getMetric(metrics.precision({ topK: 4 }), getLoss('mse')).update(pred, y, false), /precision: topK 4 is more than the 3 values of a prediction row/);
  t.throws(() => getMetric(metrics.auc({ multiLabel: true, numLabels: 2 }), getLoss('mse')).update(pred, y, false), /auc: numLabels is 2 but the predictions have 3 labels/);
  t.throws(() => getMetric(metrics.auc({ labelWeights: [1, 2] }), getLoss('mse')).update(pred, y, false), /auc: labelWeights has 2 values but the predictions have 3 labels/);
  const seq = new Tensor(new Float32Array(12).fill(0.5), [2, 2, 3]);
  t.throws(() => getMetric(metrics.auc({ multiLabel: true }), getLoss('mse')).update(seq, seq, false), /auc: multiLabel needs predictions of rank 2 \[N, labels\], got shape \[2, 2, 3\]/);
});

t.test("compile's log keys for repeated plain and weighted metrics are Keras's", async (t) => {
  const { metrics: plain, weighted_metrics: weighted, keys } = options.log_names;
  const m = bn.sequential([bn.layers.dense({ units: 2, inputShape: [2] })]);
  m.compile({ optimizer: 'sgd', loss: 'mse', metrics: plain, weightedMetrics: weighted });
  const logs = m.testOnBatch(bn.zeros([2, 2]), bn.zeros([2, 2]));
  t.same(Object.keys(logs).sort(), [...keys].sort());
  t.same(Object.keys(logs), ['loss', 'mae', 'mae_1', 'mse', 'weighted_mae', 'weighted_mae_1', 'weighted_mse', 'mape'], 'metrics first, then weighted metrics, each in compile order');
});
