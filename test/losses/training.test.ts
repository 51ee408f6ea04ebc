import t from 'tap';
import * as bn from '../../lib/index';
import { losses } from '../../lib/losses';
import { metrics } from '../../lib/metrics';
import { rng } from '../helpers/gradcheck';

// The losses and metrics inside compiled models: loss objects (fromLogits, label smoothing)
// give what the loss computes on the model's own output, every loss trains, and metrics by
// name, object and function appear in trainOnBatch's logs under Keras's names.

function data(n: number, seed: number, dims = 4): bn.Tensor {
  const r = rng(seed);
  return bn.tensor(Float32Array.from({ length: n * dims }, () => 2 * r() - 1), [n, dims]);
}

function oneHot(n: number, k: number, seed: number): bn.Tensor {
  const r = rng(seed), y = new Float32Array(n * k);
  for (let i = 0; i < n; i++) y[i * k + Math.floor(r() * k)] = 1;
  return bn.tensor(y, [n, k]);
}

t.test('loss objects: the loss of trainOnBatch is the loss of the model output', async (t) => {
  const x = data(16, 1), y = oneHot(16, 3, 2);
  const cases: [string, string, bn.Loss, boolean][] = [
    // A final softmax fused into the loss (smoothing included) gives the loss of the probabilities.
    ['softmax output, labelSmoothing 0.1', 'softmax', losses.categoricalCrossentropy({ labelSmoothing: 0.1 }), false],
    // fromLogits: true with a linear output: the model output is the logits.
    ['linear output, fromLogits', 'linear', losses.categoricalCrossentropy({ fromLogits: true }), true],
    ['linear output, fromLogits, labelSmoothing 0.2', 'linear', losses.categoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.2 }), true],
  ];
  for (const [what, activation, loss] of cases) {
    bn.setSeed(5);
    const model = bn.sequential({ layers: [bn.layers.dense({ units: 3, activation: activation as 'linear', inputShape: [4] })] });
    model.compile({ optimizer: 'sgd', loss });
    const out = model.predict(x) as bn.Tensor;
    const want = loss.compute(out, loss.prepareTargets(y, [3], 'test'), null, false);
    const got = model.trainOnBatch(x, y).loss;
    t.ok(Math.abs(got - want) <= 1e-6 * want, `${what}: ${got} vs ${want}`);
  }
  // Sparse labels with fromLogits.
  bn.setSeed(6);
  const model = bn.sequential({ layers: [bn.layers.dense({ units: 3, inputShape: [4] })] });
  const loss = losses.sparseCategoricalCrossentropy({ fromLogits: true });
  model.compile({ optimizer: 'adam', loss });
  const labels = bn.tensor([0, 1, 2, 1, 0, 2, 2, 1, 0, 0, 1, 2, 1, 1, 0, 2], [16], 'int32');
  const want = loss.compute(model.predict(x) as bn.Tensor, loss.prepareTargets(labels, [3], 'test'), null, false);
  t.ok(Math.abs(model.trainOnBatch(x, labels).loss - want) <= 1e-6 * want, 'sparse, fromLogits');
});

t.test('every loss trains', async (t) => {
  const n = 64;
  const x = data(n, 3);
  const w = [0.5, -1, 0.25, 0.8];
  const linear = Array.from({ length: n }, (_, i) => w.reduce((s, v, k) => s + v * x.data[i * 4 + k], 0));
  const regression = bn.tensor(linear.flatMap((v) => [v, -v]), [n, 2]);
  const counts = bn.tensor(linear.flatMap((v) => [Math.round(Math.exp(v)), 1]), [n, 2]);
  const signs = bn.tensor(linear.flatMap((v) => (v > 0 ? [1, -1] : [-1, 1])), [n, 2]);
  const classes = bn.tensor(linear.flatMap((v) => (v > 0 ? [1, 0] : [0, 1])), [n, 2]);
  const configs: [string | bn.Loss, string, bn.Tensor][] = [
    ['mae', 'linear', regression], ['huber', 'linear', regression], [losses.huber({ delta: 0.3 }), 'linear', regression],
    ['logcosh', 'linear', regression], ['mape', 'linear', regression], ['msle', 'softplus', counts],
    ['poisson', 'softplus', counts], ['cosineSimilarity', 'linear', regression], ['hinge', 'tanh', signs],
    ['squaredHinge', 'tanh', classes], ['categoricalHinge', 'linear', classes], ['kld', 'softmax', classes],
    [losses.binaryCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }), 'linear', classes],
    [losses.categoricalCrossentropy({ labelSmoothing: 0.1 }), 'softmax', classes],
  ];
  for (const [loss, activation, y] of configs) {
    bn.setSeed(11);
    const model = bn.sequential({ layers: [bn.layers.dense({ units: 2, activation: activation as 'linear', inputShape: [4] })] });
    model.compile({ optimizer: bn.optimizers.adam({ learningRate: 0.05 }), loss });
    const history = await model.fit(x, y, { epochs: 15, batchSize: 16, verbose: 0 });
    const l = history.history.loss;
    const name = typeof loss === 'string' ? loss : loss.name;
    t.ok(l[l.length - 1] < 0.8 * l[0], `${name}: loss fell from ${l[0].toFixed(4)} to ${l[l.length - 1].toFixed(4)}`);
  }
});

t.test('metrics in compile: names, objects and functions in the logs', async (t) => {
  const x = data(12, 7), y = oneHot(12, 3, 8);
  bn.setSeed(9);
  const model = bn.sequential({ layers: [bn.layers.dense({ units: 3, activation: 'sigmoid', inputShape: [4] })] });
  function meanPrediction(_yTrue: bn.Tensor, yPred: bn.Tensor): number {
    let s = 0;
    for (let i = 0; i < yPred.size; i++) s += yPred.data[i];
    return s / yPred.size;
  }
  model.compile({
    optimizer: 'sgd', loss: 'binaryCrossentropy',
    metrics: ['mae', 'precision', 'recall', 'auc', 'rmse', metrics.auc({ curve: 'PR', name: 'pr_auc' }), meanPrediction] as never,
  });
  const out = model.predict(x) as bn.Tensor;
  const logs = model.trainOnBatch(x, y);
  t.same(Object.keys(logs), ['loss', 'mae', 'precision', 'recall', 'auc', 'rmse', 'pr_auc', 'meanPrediction']);
  // The sigmoid is fused into the loss: metrics still see the probabilities.
  t.ok(Math.abs(logs.meanPrediction - meanPrediction(y, out)) < 1e-6, `meanPrediction ${logs.meanPrediction}`);
  let s = 0;
  for (let i = 0; i < out.size; i++) s += Math.abs(out.data[i] - y.data[i]);
  t.ok(Math.abs(logs.mae - s / out.size) < 1e-6, `mae ${logs.mae}`);
  for (const k of ['precision', 'recall', 'auc', 'pr_auc']) t.ok(logs[k] >= 0 && logs[k] <= 1, `${k} ${logs[k]}`);
});
