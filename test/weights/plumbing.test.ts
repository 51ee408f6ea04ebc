import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import * as bn from '../../lib';

// How weights travel: validationSplit splits them with the samples, a saved model keeps its
// weighted metrics, and the unweighted path is the path with no weights at all.
const x = new bn.Tensor(Float32Array.from({ length: 20 }, (_, i) => Math.sin(i)), [10, 2]);
const y = new bn.Tensor(Float32Array.from({ length: 20 }, (_, i) => Math.cos(i)), [10, 2]);
const sw = Float32Array.from([1, 2, 0, 1, 0.5, 1, 3, 0, 1, 2]);

function model(): bn.LayersModel {
  bn.setSeed(5);
  const m = bn.sequential([bn.layers.dense({ units: 2, inputShape: [2] })]);
  m.compile({ optimizer: bn.optimizers.sgd({ learningRate: 0.05 }), loss: 'mse', metrics: ['mae'], weightedMetrics: ['mae'] });
  return m;
}

t.test('validationSplit takes the last samples with their weights, as Keras', async (t) => {
  const m = model();
  const h = await m.fit(x, y, { sampleWeight: sw, validationSplit: 0.3, epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
  const tail = (a: bn.Tensor): bn.Tensor => new bn.Tensor(a.data.slice(14), [3, 2]);
  const val = await m.evaluate(tail(x), tail(y), { sampleWeight: sw.slice(7), batchSize: 4 });
  t.equal(h.history.val_loss[0], val.loss);
  t.equal(h.history.val_weighted_mae[0], val.weighted_mae);
  t.not(val.weighted_mae, val.mae, 'the weighted metric differs from the plain one');
});

t.test('weights of 1 give exactly the unweighted training', async (t) => {
  // model() seeds the generator: each fit shuffles the same way.
  const a = model();
  const ha = await a.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
  const b = model();
  const hb = await b.fit(x, y, { sampleWeight: new Float32Array(10).fill(1), epochs: 2, batchSize: 4, verbose: 0 });
  t.same(hb.history.loss, ha.history.loss);
  t.same(b.getWeights().map((w) => Array.from(w.data)), a.getWeights().map((w) => Array.from(w.data)));
  t.same(ha.history.weighted_mae, ha.history.mae, 'without sample weights a weighted metric is the plain one');
});

t.test('a saved model keeps its weighted metrics', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'blasnet-weights-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const m = model();
  await m.save(dir);
  const loaded = await bn.loadLayersModel(dir);
  t.same(loaded.training!.logNames, ['loss', 'mae', 'weighted_mae']);
});
