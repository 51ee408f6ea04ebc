import t from 'tap';
import * as bn from '../../lib';

t.test('one-hot encoding as keras.utils.to_categorical', async (t) => {
  const y = bn.utils.toCategorical([0, 2, 1, 2]);
  t.same(y.shape, [4, 3], 'numClasses defaults to max + 1');
  t.same(y.toArray(), [[1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1]]);
  t.equal(y.dtype, 'float32');
  t.same(bn.utils.toCategorical(bn.tensor([[1], [0]], undefined, 'int32'), 4).toArray(), [[0, 1, 0, 0], [1, 0, 0, 0]], 'a trailing axis of 1 is dropped');
  t.same(bn.utils.toCategorical(bn.tensor([[1, 0], [0, 0]]), 2).shape, [2, 2, 2], 'other shapes gain a class axis');
  t.same(bn.utils.toCategorical(Float32Array.from([3]), 5).toArray(), [[0, 0, 0, 1, 0]]);
  t.same(bn.utils.toCategorical([], 3).shape, [0, 3]);
});

t.test('bad labels and class counts', async (t) => {
  t.throws(() => bn.utils.toCategorical([0, 3, 1], 3), /label 3 at flat index 1 is outside \[0, 3\)/);
  t.throws(() => bn.utils.toCategorical([0, -1]), /labels must be non-negative integers, got -1 at flat index 1/);
  t.throws(() => bn.utils.toCategorical([0, 1.5]), /labels must be non-negative integers, got 1.5 at flat index 1/);
  t.throws(() => bn.utils.toCategorical([0, NaN]), /got NaN at flat index 1/);
  t.throws(() => bn.utils.toCategorical([0, 1], 0), /numClasses must be a positive integer, got 0/);
  t.throws(() => bn.utils.toCategorical([]), /are empty; pass numClasses/);
});
