import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import * as bn from '../../lib';
import { maxAbsDiff, randomArray, rng } from '../helpers/gradcheck';

// The Embedding layer against tf.layers.embedding with the same table, and one SGD step
// of Embedding -> Dense in both libraries (the scatter-add must match tfjs's gradient).
tf.setBackend('cpu');

const V = 11, D = 4, L = 6, N = 5;
const next = rng(7);
const indices = Array.from({ length: N }, () => Array.from({ length: L }, () => Math.floor(next() * V)));
indices[0][1] = indices[0][0]; // repeated within a sample
indices[2][3] = indices[0][0]; // and across samples
const table = randomArray(V * D, 1);

t.test('forward matches tf.layers.embedding', async (t) => {
  const layer = bn.layers.embedding({ inputDim: V, outputDim: D, inputLength: L });
  const model = bn.sequential({ layers: [layer] });
  model.setWeights([bn.tensor(table, [V, D])]);
  const ref = tf.layers.embedding({ inputDim: V, outputDim: D, inputLength: L });
  ref.apply(tf.zeros([1, L], 'int32'));
  ref.setWeights([tf.tensor2d(table, [V, D])]);
  const want = (ref.apply(tf.tensor2d(indices, [N, L], 'int32')) as tf.Tensor).dataSync();
  for (const [what, x] of [['int32 tensor', bn.tensor(indices, undefined, 'int32')], ['float32 integers', indices]] as const) {
    const got = model.predict(x);
    t.same(got.shape, [N, L, D], `${what}: output shape`);
    const diff = maxAbsDiff(got.data, want);
    t.ok(diff <= 1e-6, `${what}: max |blasnet - tfjs| = ${diff.toExponential(2)}`);
  }
});

t.test('one SGD step of Embedding -> Dense matches tfjs', async (t) => {
  const kernel = randomArray(D * 3, 2), bias = randomArray(3, 3);
  const y = randomArray(N * L * 3, 4);
  const model = bn.sequential({ layers: [bn.layers.embedding({ inputDim: V, outputDim: D, inputLength: L }), bn.layers.dense({ units: 3 })] });
  model.setWeights([bn.tensor(table, [V, D]), bn.tensor(kernel, [D, 3]), bn.tensor(bias, [3])]);
  model.compile({ optimizer: bn.optimizers.sgd({ learningRate: 0.5 }), loss: 'meanSquaredError' });
  await model.fit(indices, bn.tensor(y, [N, L, 3]), { epochs: 1, batchSize: N, shuffle: false, verbose: 0 });

  const ref = tf.sequential({ layers: [tf.layers.embedding({ inputDim: V, outputDim: D, inputLength: L }), tf.layers.dense({ units: 3 })] });
  ref.setWeights([tf.tensor2d(table, [V, D]), tf.tensor2d(kernel, [D, 3]), tf.tensor1d(bias)]);
  ref.compile({ optimizer: tf.train.sgd(0.5), loss: 'meanSquaredError' });
  await ref.fit(tf.tensor2d(indices, [N, L], 'int32'), tf.tensor3d(y, [N, L, 3]), { epochs: 1, batchSize: N, shuffle: false, verbose: 0 });

  const got = model.getWeights(), want = ref.getWeights();
  ['embeddings', 'kernel', 'bias'].forEach((name, i) => {
    const diff = maxAbsDiff(got[i].data, want[i].dataSync());
    t.ok(diff <= 1e-5, `${name} after one step: max |blasnet - tfjs| = ${diff.toExponential(2)}`);
  });
});

t.test('config, validation and errors', async (t) => {
  const layer = bn.layers.embedding({ input_dim: 100, output_dim: 8, input_length: 3, mask_zero: false } as never);
  t.same(layer.declaredInputShape, [3], 'inputLength gives the input shape');
  const config = layer.getConfig();
  t.match(config, { input_dim: 100, output_dim: 8, mask_zero: false, input_length: 3, batch_input_shape: [null, 3],
    embeddings_initializer: { class_name: 'RandomUniform', config: { minval: -0.05, maxval: 0.05 } } });
  t.equal(bn.layers.embedding({ inputDim: 3, outputDim: 2, mask_zero: true } as never).getConfig().mask_zero, true, 'mask_zero is kept');
  t.throws(() => bn.layers.embedding({ inputDim: 3, outputDim: 2, maskZero: 1 } as never), /maskZero must be true or false, got 1/);
  t.throws(() => bn.layers.embedding({ inputDim: 0, outputDim: 2 }), /inputDim must be a positive integer, got 0/);
  t.throws(() => bn.layers.embedding({ inputDim: 3, outputDim: 2.5 }), /outputDim must be a positive integer, got 2.5/);
  t.throws(() => bn.layers.embedding({ inputDim: 3, outputDim: 2, inputLength: 4, inputShape: [5] }), /inputLength 4 disagrees with inputShape \[5\]/);

  const model = bn.sequential({ layers: [bn.layers.embedding({ name: 'emb', inputDim: 10, outputDim: 2, inputShape: [4] })] });
  t.throws(() => model.predict([[1, 2, 3, 10]]), new RangeError('emb (Embedding): index 10 at [0, 3] is outside [0, 10)'));
  t.throws(() => model.predict([[1, 2, 3, 0.5]]), /predict: emb \(Embedding\) takes integer indices, got 0.5 at flat index 3 of x/);

  const dense = bn.sequential({ layers: [bn.layers.dense({ name: 'd', units: 2, inputShape: [4] })] });
  t.throws(() => dense.predict(bn.tensor([[1, 2, 3, 4]], undefined, 'int32')), /predict: d \(Dense\) takes float32 input, got int32 x; only an Embedding first layer/);
  t.throws(() => bn.sequential({ layers: [bn.layers.dense({ units: 2, inputShape: [4] }), bn.layers.embedding({ name: 'late', inputDim: 3, outputDim: 2 })] }).predict([[1, 2, 3, 4]]),
    /late \(Embedding\): expected int32 input, got float32; it takes integer indices, so it must be the first layer/);
});
