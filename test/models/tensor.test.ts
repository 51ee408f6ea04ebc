import t from 'tap';
import * as bn from '../../lib/index';

t.test('tensor basics', async (t) => {
  const a = bn.tensor([[1, 2, 3], [4, 5, 6]]);
  t.same(a.shape, [2, 3]);
  t.equal(a.dtype, 'float32');
  t.equal(a.size, 6);
  t.ok(a.data instanceof Float32Array);
  t.same(a.toArray(), [[1, 2, 3], [4, 5, 6]]);
  const r = a.reshape([3, -1]);
  t.same(r.shape, [3, 2]);
  t.equal(r.data, a.data, 'reshape shares the data');
  const i = bn.tensor([1, 2], [2], 'int32');
  t.ok(i.data instanceof Int32Array);
  const typed = new Float32Array([1, 2, 3, 4]);
  t.equal(bn.tensor(typed, [2, 2]).data, typed, 'typed arrays are used without a copy');
  t.same(bn.tensor(5).shape, []);
  t.equal(bn.tensor(5).toArray(), 5);
  t.notOk('dispose' in a, 'no dispose(): tensors are garbage-collected');
});

t.test('keras weight layout round trip', async (t) => {
  bn.setSeed(1);
  const model = bn.sequential();
  model.add(bn.layers.dense({ units: 3, inputShape: [2], activation: 'relu' }));
  model.add(bn.layers.dense({ units: 1 }));
  const w = model.getWeights();
  t.same(w.map((x) => x.shape), [[2, 3], [3], [3, 1], [1]], 'kernel [in, units] then bias, per layer');
  // Set known weights and check y = relu(x K1 + b1) K2 + b2 by hand.
  model.setWeights([
    bn.tensor([[1, 0, -1], [2, 1, 0]]), bn.tensor([0, 1, 0]),
    bn.tensor([[1], [1], [1]]), bn.tensor([0.5]),
  ]);
  const y = model.predict(bn.tensor([[1, 1]]));
  // x K1 + b1 = [3, 2, -1]; relu -> [3, 2, 0]; sum + 0.5 = 5.5
  t.same(Array.from(y.data), [5.5]);
  const again = model.getWeights();
  t.same(again.map((x) => Array.from(x.data)), [[1, 0, -1, 2, 1, 0], [0, 1, 0], [1, 1, 1], [0.5]]);
  again[0].data[0] = 99;
  t.equal(model.getWeights()[0].data[0], 1, 'getWeights returns copies');
});

t.test('matches TensorFlow.js dense layers with the same weights', async (t) => {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  bn.setSeed(9);
  const model = bn.sequential();
  model.add(bn.layers.dense({ units: 5, inputShape: [4], activation: 'tanh' }));
  model.add(bn.layers.dense({ units: 3, activation: 'softmax' }));
  const ref = tf.sequential();
  ref.add(tf.layers.dense({ units: 5, inputShape: [4], activation: 'tanh' }));
  ref.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  ref.setWeights(model.getWeights().map((w) => tf.tensor(Array.from(w.data), [...w.shape])));
  const x = bn.tensor(Array.from({ length: 24 }, (_, i) => Math.sin(i)), [6, 4]);
  const ours = model.predict(x).data;
  const theirs = (ref.predict(tf.tensor(Array.from(x.data), [6, 4])) as import('@tensorflow/tfjs').Tensor).dataSync();
  const diff = Math.max(...Array.from(ours, (v, i) => Math.abs(v - theirs[i])));
  t.ok(diff < 1e-6, `max |blasnet - tfjs| = ${diff.toExponential(2)}`);
});

t.test('summary lists layers, shapes and parameter counts', async (t) => {
  const model = bn.sequential();
  model.add(bn.layers.dense({ name: 'a', units: 128, activation: 'relu', inputShape: [784] }));
  model.add(bn.layers.dense({ name: 'b', units: 10, activation: 'softmax' }));
  const lines: string[] = [];
  const text = model.summary((l) => lines.push(l));
  t.match(text, /a \(Dense\)\s+\[null, 128\]\s+100480/);
  t.match(text, /b \(Dense\)\s+\[null, 10\]\s+1290/);
  t.match(text, /Total params: 101770/);
  t.equal(lines.length, 1);
});
