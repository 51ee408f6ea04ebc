import t from 'tap';
import * as bn from '../../lib';

const close = (a: ArrayLike<number>, b: number[], tol = 1e-6): boolean => b.every((v, i) => Math.abs(a[i] - v) <= tol);

t.test('standardize: global statistics, reused for test data', async (t) => {
  const train = bn.tensor([[1, 2], [3, 4]]);
  const s = bn.preprocessing.standardize(train);
  t.equal(s.mean, 2.5);
  t.ok(Math.abs((s.std as number) - Math.sqrt(1.25)) < 1e-12, 'population std');
  t.ok(close(s.x.data, [-1.5, -0.5, 0.5, 1.5].map((v) => v / Math.sqrt(1.25))));
  t.same(Array.from(train.data), [1, 2, 3, 4], 'the input is not modified');
  const test = bn.preprocessing.standardize([[2.5, 5]], s);
  t.ok(close(test.x.data, [0, 2.5 / Math.sqrt(1.25)]), 'test data uses the training statistics');
  t.equal(test.mean, 2.5);
  const constant = bn.preprocessing.standardize([3, 3, 3]);
  t.equal(constant.std, 1, 'a zero std is stored as 1');
  t.same(Array.from(constant.x.data), [0, 0, 0]);
});

t.test('standardize and normalize per feature', async (t) => {
  const x = bn.tensor([[0, 10, 5], [2, 30, 5]]);
  const s = bn.preprocessing.standardize(x, { perFeature: true });
  t.same(s.mean, [1, 20, 5]);
  t.same(s.std, [1, 10, 1]);
  t.same(s.x.toArray(), [[-1, -1, 0], [1, 1, 0]]);
  const n = bn.preprocessing.normalize(x, { perFeature: true });
  t.same(n.min, [0, 10, 5]);
  t.same(n.max, [2, 30, 5]);
  t.same(n.x.toArray(), [[0, 0, 0], [1, 1, 0]]);
  t.same(bn.preprocessing.normalize([[1, 20, 6]], n).x.toArray(), [[0.5, 0.5, 1]]);
});

t.test('normalize: global min-max to [0, 1] (MNIST pixels)', async (t) => {
  const pixels = bn.tensor([0, 51, 255, 102]);
  const n = bn.preprocessing.normalize(pixels);
  t.equal(n.min, 0);
  t.equal(n.max, 255);
  t.ok(close(n.x.data, [0, 0.2, 1, 0.4]));
  t.ok(close(bn.preprocessing.normalize([510], { min: 0, max: 255 }).x.data, [2]), 'values outside the training range are not clipped');
});

t.test('errors', async (t) => {
  t.throws(() => bn.preprocessing.standardize([1, 2], { mean: 1 }), /pass both mean and std/);
  t.throws(() => bn.preprocessing.standardize([1, 2], { mean: 1, std: 0 }), /std must be positive, got 0/);
  t.throws(() => bn.preprocessing.standardize([[1, 2]], { mean: [1, 2, 3], std: [1, 1, 1] }), /expected 1 each, or 2 each/);
  t.throws(() => bn.preprocessing.standardize([1, 2], { mean: 'a' as never, std: 1 }), /mean must be a finite number or a list of them/);
  t.throws(() => bn.preprocessing.normalize([1, 2], { min: 3, max: 1 }), /min 3 exceeds max 1/);
  t.throws(() => bn.preprocessing.normalize([1, NaN]), /x holds NaN at flat index 1; every value must be finite/);
  t.throws(() => bn.preprocessing.normalize([]), /holds no values/);
  t.throws(() => bn.preprocessing.normalize([1], 3 as never), /second argument must be an object/);
});
