import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import * as bn from '../../lib';
import { SymbolicTensor } from '../../lib/engine/symbolic';
import { maxAbsDiff } from '../helpers/gradcheck';

// Masking against Keras 3 (test/fixtures/masking/masking.json, made by
// tools/goldens/masking_keras.py): models with Embedding(maskZero) on left-padded batches
// (outputs, evaluate's loss and metrics, train_on_batch's loss, weights after one SGD step),
// each recurrent layer on a padded batch, and padSequences.

interface Values { shape: number[]; values: number[] }
interface ModelCase {
  name: string; x: number[][]; y: number[] | number[][] | number[][][]; y_shape: number[];
  loss: string; metrics: string[];
  weights_before: Values[]; outputs: Values; evaluate: Record<string, number>; train_on_batch: Record<string, number>;
  weights_after: Values[];
  sample_weight?: number[][]; weighted_metrics?: string[];
}
interface RecurrentCase {
  layer: 'LSTM' | 'GRU'; return_sequences: boolean; bidirectional: boolean; x: number[][]; weights: Values[]; outputs: Values;
}
const golden = JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'masking', 'masking.json'), 'utf8')) as {
  vocab: number; dim: number; timesteps: number;
  models: ModelCase[]; recurrent: RecurrentCase[];
  time_distributed: { x: number[][][]; weights: Values[]; outputs: Values };
  pad_sequences: { sequences: number[][]; cases: { options: Record<string, unknown>; result: number[][] }[] };
};
const { vocab: V, dim: D, timesteps: T } = golden;
const L = bn.layers;
const embed = (): bn.Layer => L.embedding({ inputDim: V, outputDim: D, maskZero: true });

/** The blasnet model of each Keras model in the fixture. */
function build(name: string): bn.LayersModel {
  const tokens = bn.input({ shape: [T], dtype: 'int32' });
  const chain = (...layers: bn.Layer[]): SymbolicTensor => layers.reduce<SymbolicTensor>((x, l) => l.apply(x) as SymbolicTensor, tokens);
  switch (name) {
    case 'sequential_lstm':
      return bn.sequential({ layers: [L.embedding({ inputDim: V, outputDim: D, maskZero: true, inputShape: [T] }), L.lstm({ units: 4 }), L.dense({ units: 3, activation: 'softmax' })] });
    case 'sequential_gru_tagger':
    case 'sequential_gru_tagger_weighted':
      return bn.sequential({ layers: [L.embedding({ inputDim: V, outputDim: D, maskZero: true, inputShape: [T] }), L.gru({ units: 4, returnSequences: true }),
        L.timeDistributed({ layer: L.dense({ units: 3, activation: 'softmax' }) })] });
    case 'functional_bilstm_pool':
      return bn.model({ inputs: tokens, outputs: chain(embed(), L.bidirectional({ layer: L.lstm({ units: 3, returnSequences: true }) }),
        L.globalAveragePooling1d(), L.dense({ units: 1, activation: 'sigmoid' })) });
    case 'functional_seq_mse': {
      const e = embed().apply(tokens) as SymbolicTensor;
      const g = L.gru({ units: 2, returnSequences: true, goBackwards: true }).apply(e) as SymbolicTensor;
      const d = L.dense({ units: 2, activation: 'tanh' }).apply(g) as SymbolicTensor;
      const c = L.concatenate().apply([d, e]) as SymbolicTensor;
      return bn.model({ inputs: tokens, outputs: L.dense({ units: 1 }).apply(c) as SymbolicTensor });
    }
  }
  throw new Error(name);
}

const weights = (ws: Values[]): bn.Tensor[] => ws.map((w) => bn.tensor(Float32Array.from(w.values), w.shape));
const tokensOf = (x: number[][]): bn.Tensor => bn.tensor(Int32Array.from(x.flat()), [x.length, x[0].length], 'int32');

for (const c of golden.models) {
  t.test(`${c.name}: outputs, loss, metrics and one SGD step match Keras`, async (t) => {
    const model = build(c.name);
    model.setWeights(weights(c.weights_before));
    model.compile({ optimizer: bn.optimizers.sgd({ learningRate: 0.1 }), loss: c.loss, metrics: c.metrics, weightedMetrics: c.weighted_metrics } as never);
    const x = tokensOf(c.x);
    const sampleWeight = c.sample_weight ? bn.tensor(Float32Array.from(c.sample_weight.flat()), [c.sample_weight.length, c.sample_weight[0].length]) : undefined;
    const y = bn.tensor(Float32Array.from((c.y as number[]).flat(2) as number[]), c.y_shape);
    const out = model.predict(x) as bn.Tensor;
    t.same(out.shape, c.outputs.shape, 'output shape');
    const d = maxAbsDiff(out.data, c.outputs.values);
    t.ok(d < 2e-6, `outputs: max |blasnet - keras| = ${d.toExponential(2)}`);
    const evaluated = await model.evaluate(x, y, { verbose: 0, sampleWeight } as never);
    for (const [k, want] of Object.entries(c.evaluate)) {
      t.ok(Math.abs(evaluated[k] - want) < 2e-6, `evaluate ${k}: ${evaluated[k]} vs keras ${want}`);
    }
    const logs = model.trainOnBatch(x, y, sampleWeight);
    t.ok(Math.abs(logs.loss - c.train_on_batch.loss) < 2e-6, `train_on_batch loss: ${logs.loss} vs keras ${c.train_on_batch.loss}`);
    const after = model.getWeights();
    c.weights_after.forEach((w, i) => {
      const diff = maxAbsDiff(after[i].data, w.values);
      t.ok(diff < 5e-6, `weight ${i} ${JSON.stringify(w.shape)} after one step: max diff ${diff.toExponential(2)}`);
    });
  });
}

t.test('Keras on JAX weighs train_on_batch\'s metrics without the mask, evaluate\'s with it: blasnet masks both', async (t) => {
  const c = golden.models.find((m) => m.name === 'sequential_gru_tagger')!;
  t.not(c.train_on_batch.accuracy, c.evaluate.accuracy, 'the fixture shows the difference');
  const model = build(c.name);
  model.setWeights(weights(c.weights_before));
  model.compile({ optimizer: bn.optimizers.sgd({ learningRate: 0.1 }), loss: c.loss, metrics: c.metrics } as never);
  const y = bn.tensor(Float32Array.from((c.y as number[][]).flat()), c.y_shape);
  const logs = model.trainOnBatch(tokensOf(c.x), y);
  t.ok(Math.abs(logs.accuracy - c.evaluate.accuracy) < 1e-6, `trainOnBatch accuracy ${logs.accuracy} is over the kept steps, as evaluate's`);
});

for (const c of golden.recurrent) {
  const what = `${c.bidirectional ? 'Bidirectional ' : ''}${c.layer} returnSequences=${c.return_sequences}`;
  t.test(`${what}: the padded batch as Keras; each row as its unpadded sequence`, async (t) => {
    const rnnOf = (): bn.Layer => {
      const inner = (c.layer === 'LSTM' ? L.lstm : L.gru)({ units: 2, returnSequences: c.return_sequences });
      return c.bidirectional ? L.bidirectional({ layer: inner as never }) : inner;
    };
    const padded = bn.sequential({ layers: [L.embedding({ inputDim: V, outputDim: D, maskZero: true, inputShape: [T] }), rnnOf()] });
    padded.setWeights(weights(c.weights));
    const x = tokensOf(c.x);
    const got = padded.predict(x) as bn.Tensor;
    const d = maxAbsDiff(got.data, c.outputs.values);
    t.ok(d < 2e-6, `outputs: max |blasnet - keras| = ${d.toExponential(2)}`);
    const U = got.shape[got.shape.length - 1];
    c.x.forEach((row, n) => {
      const kept = row.filter((v) => v !== 0);
      const short = bn.sequential({ layers: [L.embedding({ inputDim: V, outputDim: D, inputShape: [kept.length] }), rnnOf()] });
      short.setWeights(weights(c.weights));
      const want = (short.predict(tokensOf([kept])) as bn.Tensor).data;
      const P = T - kept.length;
      const mine = c.return_sequences ? got.data.subarray((n * T + P) * U, (n + 1) * T * U) : got.data.subarray(n * U, (n + 1) * U);
      t.ok(maxAbsDiff(mine, want) < 1e-6, `row ${n} (${P} padded): its kept steps give the unpadded sequence's output`);
      if (c.return_sequences && c.bidirectional) {
        t.ok(got.data.subarray(n * T * U, (n * T + P) * U).every((v) => v === 0), 'Bidirectional outputs 0 at the padded steps');
      }
    });
  });
}

t.test('TimeDistributed gives its LSTM each timestep\'s mask: words of sentences, as Keras', async (t) => {
  const c = golden.time_distributed;
  const S = c.x[0].length;
  const tokens = bn.input({ shape: [S, T], dtype: 'int32' });
  const e = L.embedding({ inputDim: V, outputDim: D, maskZero: true }).apply(tokens) as SymbolicTensor;
  const out = L.timeDistributed({ layer: L.lstm({ units: 2 }) }).apply(e) as SymbolicTensor;
  t.notOk(out.masked, 'the LSTM consumed the mask: the output has none');
  const model = bn.model({ inputs: tokens, outputs: out });
  model.setWeights(weights(c.weights));
  const x = bn.tensor(Int32Array.from(c.x.flat(2)), [c.x.length, S, T], 'int32');
  const got = model.predict(x) as bn.Tensor;
  t.same(got.shape, c.outputs.shape);
  const d = maxAbsDiff(got.data, c.outputs.values);
  t.ok(d < 2e-6, `outputs: max |blasnet - keras| = ${d.toExponential(2)}`);
});

t.test('padSequences matches keras.utils.pad_sequences', async (t) => {
  const { sequences, cases } = golden.pad_sequences;
  for (const c of cases) {
    const got = bn.preprocessing.padSequences(sequences, c.options as never);
    t.same(got.shape, [c.result.length, c.result[0].length], `${JSON.stringify(c.options)}: shape`);
    t.same(Array.from(got.data), c.result.flat(), `${JSON.stringify(c.options)}: values`);
    t.equal(got.dtype, (c.options.dtype as string | undefined) ?? 'int32', 'dtype');
  }
});
