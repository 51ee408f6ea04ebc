import t from 'tap';
import * as bn from '../../lib';

// Bad sample and class weights: a clear error naming the caller, what was expected and what was given.
function classifier(units = 3): bn.LayersModel {
  bn.setSeed(3);
  const m = bn.sequential([bn.layers.dense({ units, activation: units === 1 ? 'sigmoid' : 'softmax', inputShape: [2] })]);
  m.compile({ optimizer: 'sgd', loss: units === 1 ? 'binaryCrossentropy' : 'sparseCategoricalCrossentropy', weightedMetrics: ['accuracy'] });
  return m;
}
const x = new bn.Tensor(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), [4, 2]);
const labels = new bn.Tensor(Int32Array.from([0, 1, 2, 1]), [4]);

t.test('sample weights: wrong length, wrong shape, NaN and infinite values', async (t) => {
  const m = classifier();
  await t.rejects(m.fit(x, labels, { sampleWeight: [1, 2, 3], verbose: 0 }), { name: 'ShapeError', message: 'fit: sampleWeight has 3 samples (shape [3]) but x has 4' });
  await t.rejects(m.evaluate(x, labels, { sampleWeight: new bn.Tensor(new Float32Array(8), [4, 2]) }),
    { name: 'ShapeError', message: 'evaluate: sampleWeight has shape [4, 2], expected [4] (one weight per sample): the output has shape [null, 3]' });
  await t.rejects(m.fit(x, labels, { sampleWeight: [1, NaN, 1, 1], verbose: 0 }), { name: 'ValueError', message: 'fit: sampleWeight holds NaN at flat index 1; every weight must be a finite number' });
  t.throws(() => m.trainOnBatch(x, labels, [1, 1, Infinity, 1]), /trainOnBatch: sampleWeight holds Infinity at flat index 2; every weight must be a finite number/);
  t.throws(() => m.testOnBatch(x, labels, [[1], [1], [1]]), /testOnBatch: sampleWeight has 3 samples/);
  await t.rejects(m.fit(x, labels, { validationData: [x, labels, [1, 1]], verbose: 0 }), /fit \(validationData\): sampleWeight has 2 samples \(shape \[2\]\) but x has 4/);
  await t.rejects(m.fit(x, labels, { validationData: [x] as never, verbose: 0 }), /fit: validationData must hold 2 items \[x, y\] or 3 items \[x, y, sampleWeight\], got 1 items/);
  // Keras multiplies by any weight: negative weights are accepted, [N, 1] too.
  t.doesNotThrow(() => m.testOnBatch(x, labels, [1, -1, 0.5, 0]));
  t.doesNotThrow(() => m.testOnBatch(x, labels, [[1], [-1], [0.5], [0]]));
});

t.test('class weights: keys in range, finite values, an object, one class per sample', async (t) => {
  const m = classifier();
  await t.rejects(m.fit(x, labels, { classWeight: { 3: 1 }, verbose: 0 }),
    { name: 'ValueError', message: /^fit: classWeight key '3' is not a class index in \[0, 3\) of output 'dense_\d+' \(3 units\)$/ });
  await t.rejects(m.fit(x, labels, { classWeight: { '-1': 1 }, verbose: 0 }), /classWeight key '-1' is not a class index in \[0, 3\)/);
  await t.rejects(m.fit(x, labels, { classWeight: { 1.5: 1 } as never, verbose: 0 }), /classWeight key '1.5' is not a class index/);
  await t.rejects(m.fit(x, labels, { classWeight: { cat: 1 } as never, verbose: 0 }), /classWeight key 'cat' is not a class index/);
  await t.rejects(m.fit(x, labels, { classWeight: { 0: NaN }, verbose: 0 }), { name: 'ValueError', message: 'fit: classWeight for class 0 must be a finite number, got NaN' });
  await t.rejects(m.fit(x, labels, { classWeight: { 0: '2' } as never, verbose: 0 }), /classWeight for class 0 must be a finite number, got "2"/);
  await t.rejects(m.fit(x, labels, { classWeight: [1, 2, 3] as never, verbose: 0 }), /fit: classWeight must be an object \{classIndex: weight\}, e.g. \{0: 1, 1: 5\}, got \[1,2,3\]/);
  // A single sigmoid unit has the classes 0 and 1.
  const b = classifier(1);
  const yb = new bn.Tensor(Float32Array.from([0, 1, 1, 0]), [4, 1]);
  t.doesNotThrow(() => b.trainOnBatch(x, yb, null, { 0: 1, 1: 3 }));
  t.throws(() => b.trainOnBatch(x, yb, null, { 2: 1 }), /classWeight key '2' is not a class index in \[0, 2\) of output 'dense_\d+' \(1 unit\)/);
  // Sequences: one class per sample is not defined (Keras fails); per-timestep sample weights are the way.
  const s = bn.sequential([bn.layers.dense({ units: 3, activation: 'softmax', inputShape: [2, 2] })]);
  s.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  t.throws(() => s.trainOnBatch(new bn.Tensor(new Float32Array(8), [2, 2, 2]), new bn.Tensor(Int32Array.from([0, 1, 2, 0]), [2, 2]), null, { 0: 2 }),
    /trainOnBatch: classWeight needs one class per sample: targets of shape \[N\], \[N, 1\] or \[N, 3\], got \[2, 2\] \(for sequences give sampleWeight per timestep\)/);
});

t.test('zero sample weights leave the weights untouched (SGD with momentum, Adam)', async (t) => {
  for (const optimizer of [() => bn.optimizers.sgd({ learningRate: 0.5, momentum: 0.9 }), () => bn.optimizers.adam({ learningRate: 0.1 })]) {
    bn.setSeed(7);
    const m = bn.sequential([bn.layers.dense({ units: 4, activation: 'relu', inputShape: [2] }), bn.layers.dense({ units: 3, activation: 'softmax' })]);
    m.compile({ optimizer: optimizer(), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const before = m.getWeights().map((w) => Array.from(w.data));
    const h = await m.fit(x, labels, { sampleWeight: [0, 0, 0, 0], epochs: 3, batchSize: 2, verbose: 0 });
    t.same(m.getWeights().map((w) => Array.from(w.data)), before, `${m.optimizer.className}: weights unchanged`);
    t.same(h.history.loss, [0, 0, 0], 'the weighted loss is 0');
  }
});

t.test('shuffling gathers the weights with their samples', async (t) => {
  // Samples of weight 0 contribute nothing wherever the shuffle puts them: changing their targets changes nothing.
  const run = async (y2: number, sampleWeight: number[]): Promise<number[][]> => {
    bn.setSeed(11);
    const m = bn.sequential([bn.layers.dense({ units: 2, inputShape: [2] })]);
    m.compile({ optimizer: bn.optimizers.sgd({ learningRate: 0.1 }), loss: 'mse' });
    const xs = new bn.Tensor(Float32Array.from({ length: 16 }, (_, i) => Math.sin(i)), [8, 2]);
    const ys = new bn.Tensor(Float32Array.from({ length: 16 }, (_, i) => (Math.floor(i / 2) % 2 === 1 ? y2 : Math.cos(i))), [8, 2]);
    await m.fit(xs, ys, { sampleWeight, batchSize: 3, epochs: 3, shuffle: true, verbose: 0 });
    return m.getWeights().map((w) => Array.from(w.data));
  };
  const zeroOdd = [1, 0, 2, 0, 1, 0, 0.5, 0];
  t.same(await run(100, zeroOdd), await run(-50, zeroOdd), 'the odd samples weigh 0');
  t.notSame(await run(100, zeroOdd.map((w) => w + 0.1)), await run(-50, zeroOdd.map((w) => w + 0.1)), 'with weight they count');
});
