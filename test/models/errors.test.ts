import t from 'tap';
import * as bn from '../../lib/index';

// Bad input gives an Error naming the layer and the expected and actual values; never a crash.
function mlp(): bn.Sequential {
  const model = bn.sequential();
  model.add(bn.layers.dense({ name: 'hidden', units: 8, activation: 'relu', inputShape: [4] }));
  model.add(bn.layers.dense({ name: 'probs', units: 3, activation: 'softmax' }));
  return model;
}

t.test('first layer without inputShape', async (t) => {
  const model = bn.sequential();
  t.throws(() => model.add(bn.layers.dense({ name: 'first', units: 2 })), /first \(Dense\) is the first layer .* needs an inputShape/);
});

t.test('unknown names', async (t) => {
  t.throws(() => bn.layers.dense({ name: 'd', units: 2, activation: 'relux' as 'relu' }), /d \(Dense\): Unknown activation 'relux'. Expected one of: .*relu/);
  const model = mlp();
  t.throws(() => model.compile({ optimizer: 'adamm', loss: 'mse' }), /Unknown optimizer 'adamm'/);
  t.throws(() => model.compile({ optimizer: 'adam', loss: 'crossentropyy' }), /Unknown loss 'crossentropyy'/);
  t.throws(() => model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['accurracy'] }), /Unknown metric 'accurracy'/);
  t.throws(() => bn.layers.dense({ units: 2, kernelInitializer: 'glorot' }), /Unknown initializer 'glorot'/);
  t.throws(() => bn.layers.dense({ units: 0 }), /units must be a positive integer, got 0/);
});

t.test('fit, evaluate before compile', async (t) => {
  const model = mlp();
  const x = bn.zeros([2, 4]), y = bn.zeros([2, 3]);
  await t.rejects(model.fit(x, y), /call compile\(\{optimizer, loss\}\) before fit/);
  await t.rejects(model.evaluate(x, y), /before evaluate/);
  t.same(model.predict(x).shape, [2, 3], 'predict works uncompiled, as in Keras');
});

t.test('wrong input and target shapes', async (t) => {
  const model = mlp();
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  t.throws(() => model.predict(bn.zeros([2, 5])), /predict: hidden \(Dense\) expects input of shape \[null, 4\], got x of shape \[2, 5\]/);
  await t.rejects(model.fit(bn.zeros([2, 4]), bn.zeros([2, 2])), /categorical_crossentropy needs targets of shape \[null, 3\] .*got \[2, 2\]/);
  await t.rejects(model.fit(bn.zeros([2, 4]), bn.zeros([3, 3])), /x has 2 samples but y has 3/);
  const nanTargets = bn.tensor([[0, 1, 0], [NaN, 0, 1]]);
  await t.rejects(model.fit(bn.zeros([2, 4]), nanTargets), /targets hold NaN at flat index 3/);
  await t.rejects(model.fit(bn.zeros([2, 4]), bn.zeros([2, 3]), { epochs: 0 }), /epochs must be a positive integer, got 0/);
  await t.rejects(model.fit(bn.zeros([2, 4]), bn.zeros([2, 3]), { batchSize: 2.5 }), /batchSize must be a positive integer/);
  await t.rejects(model.fit(bn.zeros([2, 4]), bn.zeros([2, 3]), { validationSplit: 1.5 }), /validationSplit must be in \[0, 1\)/);
});

t.test('sparse labels out of range or fractional', async (t) => {
  const model = mlp();
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  await t.rejects(model.fit(bn.zeros([2, 4]), bn.tensor([1, 3])), /label 3 at index 1 is not a class index in \[0, 3\)/);
  await t.rejects(model.fit(bn.zeros([2, 4]), bn.tensor([1.5, 0])), /label 1.5 at index 0/);
  await t.rejects(model.fit(bn.zeros([2, 4]), bn.zeros([2, 3])), /needs integer labels of shape \[null\], got \[2, 3\]/);
});

t.test('layer shapes that do not chain', async (t) => {
  const model = mlp();
  t.throws(() => model.add(bn.layers.dense({ name: 'late', units: 2, inputShape: [5] })), /late \(Dense\) declares inputShape \[null, 5\] but probs outputs \[null, 3\]/);
  t.throws(() => model.setWeights([bn.zeros([4, 8])]), /expected 4 tensors, got 1/);
  t.throws(() => model.layers[0].setWeights([bn.zeros([4, 9]), bn.zeros([8])]), /hidden \(Dense\): weight 'kernel' has shape \[4, 8\], got \[4, 9\]/);
});

t.test('tensor construction errors', async (t) => {
  t.throws(() => bn.tensor([[1, 2], [3]]), /ragged nested array/);
  t.throws(() => bn.tensor([1, 2, 3], [2, 2]), /3 values do not fill shape \[2, 2\]/);
  t.throws(() => bn.tensor([1.5], [1], 'int32'), /int32 values must be integers, got 1.5/);
  t.throws(() => bn.zeros([2, 3]).reshape([4, -1]), /cannot reshape \[2, 3\]/);
});
