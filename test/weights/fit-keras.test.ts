import t from 'tap';
import type { Test } from 'tap';
import * as bn from '../../lib';
import { Arr, read, tensor, worst } from './helpers';

// fit, evaluate, testOnBatch and trainOnBatch with sample weights, class weights, validation
// data with weights and weighted metrics, against Keras 3 (tools/goldens/weights_keras.py):
// tiny models with every weight set, 2 epochs, no shuffling; the History and the weights after.
interface Case {
  id: string;
  loss?: string;
  optimizer?: string;
  learning_rate?: number;
  metrics?: string[];
  weighted_metrics?: string[];
  units?: number;
  activation?: string;
  input_shape?: number[];
  x: Arr;
  y: Arr | Arr[];
  sample_weight?: Arr | Arr[];
  class_weight?: Record<string, number>;
  batch_size: number;
  epochs: number;
  validation_data?: [Arr, Arr, Arr];
  validation_split?: number;
  weights_before: Arr[];
  history: Record<string, number[]>;
  weights_after: Arr[];
  evaluate?: Record<string, number>;
  test_on_batch?: Record<string, number>;
  train_on_batch?: Record<string, number>;
  weights_after_train_on_batch?: Arr[];
  train_on_batch_class_weight?: { class_weight: Record<string, number>; logs: Record<string, number> };
  weights_after_class_weight?: Arr[];
  evaluate_n1?: { sample_weight: Arr; logs: Record<string, number> };
  evaluate_one_array?: Record<string, number>;
  refusals?: Record<string, string>;
}
const cases = new Map(read<{ cases: Case[] }>('models.json').cases.map((c) => [c.id, c]));
const tolerance = 2e-5;
const sparse = (c: Case): boolean => c.loss === 'sparse_categorical_crossentropy';
const y = (c: Case): bn.Tensor => tensor(c.y as Arr, sparse(c) ? 'int32' : 'float32');

function singleOutput(c: Case): bn.LayersModel {
  const x = bn.input({ shape: c.input_shape!, name: 'x' });
  const out = bn.layers.dense({ units: c.units!, activation: c.activation as 'softmax', name: 'out' }).apply(x) as bn.SymbolicTensor;
  const model = bn.model({ inputs: x, outputs: out });
  model.setWeights(c.weights_before.map((w) => tensor(w)));
  const optimizer = c.optimizer === 'adam' ? bn.optimizers.adam({ learningRate: c.learning_rate! }) : bn.optimizers.sgd({ learningRate: c.id === 'class_weight_binary' ? 0.2 : 0.1 });
  model.compile({ optimizer, loss: c.loss!, metrics: c.metrics, weightedMetrics: c.weighted_metrics });
  return model;
}

function sameLogs(t: Test, got: Record<string, number | number[]>, want: Record<string, number | number[]>, what: string): void {
  t.same(Object.keys(got).sort(), Object.keys(want).sort(), `${what}: Keras's keys`);
  for (const [k, v] of Object.entries(want)) {
    const a = ([] as number[]).concat(got[k] ?? []), b = ([] as number[]).concat(v);
    const w = worst(a, b);
    t.ok(a.length === b.length && w.error <= tolerance, `${what} ${k}: ${a.join(', ')} vs Keras ${b.join(', ')}`);
  }
}

function sameWeights(t: Test, model: bn.LayersModel, want: Arr[], what: string): void {
  const got = model.getWeights();
  want.forEach((w, i) => {
    const e = worst(got[i].data, w.values);
    t.ok(e.error <= tolerance, `${what}: weight ${i} worst rel error ${e.error.toExponential(2)}`);
  });
}

t.test('sample weights, weighted metrics, validation [x, y, sampleWeight]; evaluate, testOnBatch, trainOnBatch', async (t) => {
  const c = cases.get('sample_weight')!;
  const model = singleOutput(c);
  const [xv, yv, swv] = c.validation_data!.map((a) => tensor(a));
  const h = await model.fit(tensor(c.x), y(c), { sampleWeight: tensor(c.sample_weight as Arr), batchSize: c.batch_size, epochs: c.epochs,
    shuffle: false, verbose: 0, validationData: [xv, yv, swv] });
  sameLogs(t, h.history, c.history, 'history');
  sameWeights(t, model, c.weights_after, 'after fit');
  sameLogs(t, await model.evaluate(tensor(c.x), y(c), { sampleWeight: tensor(c.sample_weight as Arr), batchSize: 4 }), c.evaluate!, 'evaluate');
  sameLogs(t, model.testOnBatch(xv, yv, swv), c.test_on_batch!, 'testOnBatch');
  sameLogs(t, model.trainOnBatch(xv, yv, swv), c.train_on_batch!, 'trainOnBatch');
  sameWeights(t, model, c.weights_after_train_on_batch!, 'after trainOnBatch');
  const cw = c.train_on_batch_class_weight!;
  sameLogs(t, model.trainOnBatch(xv, yv, null, cw.class_weight), cw.logs, 'trainOnBatch with classWeight');
  sameWeights(t, model, c.weights_after_class_weight!, 'after trainOnBatch with classWeight');
  // Keras: "You cannot `class_weight` and `sample_weight` at the same time."
  t.match(c.refusals!.class_and_sample_weight, /cannot `class_weight` and `sample_weight`/);
  await t.rejects(model.fit(tensor(c.x), y(c), { sampleWeight: tensor(c.sample_weight as Arr), classWeight: { 0: 1 }, verbose: 0 }),
    { name: 'ValueError', message: 'fit: give sampleWeight or classWeight, not both (as Keras)' });
  t.throws(() => model.trainOnBatch(xv, yv, swv, { 0: 1 }), /give sampleWeight or classWeight, not both/);
});

for (const id of ['class_weight_sparse', 'class_weight_onehot_adam', 'class_weight_binary']) {
  t.test(`class weights: ${id}`, async (t) => {
    const c = cases.get(id)!;
    const model = singleOutput(c);
    const h = await model.fit(tensor(c.x), y(c), { classWeight: c.class_weight, batchSize: c.batch_size, epochs: c.epochs, shuffle: false,
      verbose: 0, validationSplit: c.validation_split });
    sameLogs(t, h.history, c.history, 'history');
    sameWeights(t, model, c.weights_after, 'after fit');
  });
}

t.test('per-timestep weights [N, T] on a sequence output; [N, 1] broadcast over timesteps; [N] refused as Keras', async (t) => {
  const c = cases.get('sequence_per_timestep')!;
  const model = singleOutput(c);
  const h = await model.fit(tensor(c.x), y(c), { sampleWeight: tensor(c.sample_weight as Arr), batchSize: c.batch_size, epochs: c.epochs,
    shuffle: false, verbose: 0 });
  sameLogs(t, h.history, c.history, 'history');
  sameWeights(t, model, c.weights_after, 'after fit');
  sameLogs(t, await model.evaluate(tensor(c.x), y(c), { sampleWeight: tensor(c.evaluate_n1!.sample_weight), batchSize: 4 }), c.evaluate_n1!.logs, 'evaluate, [N, 1]');
  t.match(c.refusals!.per_sample_on_sequence, /Incompatible shapes for broadcasting/);
  await t.rejects(model.fit(tensor(c.x), y(c), { sampleWeight: new Float32Array(10).fill(1), verbose: 0 }),
    { name: 'ShapeError', message: 'fit: sampleWeight has shape [10], expected [10, 3] (one weight per sample and timestep, or 1 on an axis to share it): the output has shape [null, 3, 4]' });
});

t.test('two outputs: a list of sample weights, loss weights, weighted metrics per output; one [N] array for both', async (t) => {
  const c = cases.get('two_outputs')!;
  const x = bn.input({ shape: [4], name: 'x' });
  const a = bn.layers.dense({ units: 3, activation: 'softmax', name: 'a' }).apply(x) as bn.SymbolicTensor;
  const b = bn.layers.dense({ units: 2, name: 'b' }).apply(x) as bn.SymbolicTensor;
  const model = bn.model({ inputs: x, outputs: [a, b] });
  model.setWeights(c.weights_before.map((w) => tensor(w)));
  model.compile({ optimizer: bn.optimizers.sgd({ learningRate: 0.1 }), loss: ['categoricalCrossentropy', 'mse'], lossWeights: [1, 0.5],
    metrics: [['accuracy'], ['mae']], weightedMetrics: [['accuracy'], ['mae', 'mse']] });
  const ys = (c.y as Arr[]).map((v) => tensor(v));
  const sw = (c.sample_weight as Arr[]).map((v) => tensor(v));
  const h = await model.fit(tensor(c.x), ys, { sampleWeight: sw, batchSize: c.batch_size, epochs: c.epochs, shuffle: false, verbose: 0 });
  sameLogs(t, h.history, c.history, 'history');
  sameWeights(t, model, c.weights_after, 'after fit');
  sameLogs(t, await model.evaluate(tensor(c.x), ys, { sampleWeight: sw[0], batchSize: 4 }), c.evaluate_one_array!, 'evaluate, one array for both');
  sameLogs(t, await model.evaluate(tensor(c.x), ys, { sampleWeight: { a: sw[0], b: sw[0] }, batchSize: 4 }), c.evaluate_one_array!, 'evaluate, keyed by output');
  t.match(c.refusals!.class_weight_two_outputs, /only supported for Models with a single output/);
  await t.rejects(model.fit(tensor(c.x), ys, { classWeight: { 0: 1 }, verbose: 0 }), /classWeight is only supported for models with a single output/);
  t.match(c.refusals!.one_array_not_per_sample, /one scalar score per sample/);
  await t.rejects(model.fit(tensor(c.x), ys, { sampleWeight: new bn.Tensor(new Float32Array(20), [10, 2]), verbose: 0 }),
    /a single sampleWeight array must hold one weight per sample \(shape \[N\]\), got \[10, 2\]/);
  t.ok(c.refusals!.wrong_count);
  await t.rejects(model.fit(tensor(c.x), ys, { sampleWeight: [sw[0]], verbose: 0 }), /sampleWeight has 1 arrays but the model has 2 outputs/);
  await t.rejects(model.fit(tensor(c.x), ys, { sampleWeight: { a: sw[0] }, verbose: 0 }), /sampleWeight has no entry for output 'b'/);
  await t.rejects(model.fit(tensor(c.x), ys, { sampleWeight: { a: sw[0], c: sw[0] }, verbose: 0 }), /sampleWeight names output 'c', but the outputs are a, b/);
  // null: that output unweighted.
  const before = await model.evaluate(tensor(c.x), ys, { batchSize: 4 });
  const nulls = await model.evaluate(tensor(c.x), ys, { sampleWeight: [null, null], batchSize: 4 });
  t.same(nulls, before, 'null weights for every output: the unweighted logs');
});
