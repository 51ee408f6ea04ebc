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

t.test('padSequences: defaults, options and errors (Keras values in test/masking/keras-golden.test.ts)', async (t) => {
  const pad = bn.preprocessing.padSequences;
  const x = pad([[1], [2, 3], [4, 5, 6]]);
  t.same([x.shape, x.dtype, Array.from(x.data)], [[3, 3], 'int32', [0, 0, 1, 0, 2, 3, 4, 5, 6]], "Keras's docstring example: pre-padding with 0, int32");
  t.same(Array.from(pad([[1, 2, 3, 4]], { maxlen: 2 }).data), [3, 4], 'truncating pre keeps the end');
  t.same(Array.from(pad([[1, 2, 3, 4]], { maxlen: 2, truncating: 'post' }).data), [1, 2], 'truncating post keeps the start');
  t.same(Array.from(pad([Int32Array.from([7, 8])], { maxlen: 3, padding: 'post', value: -1 }).data), [7, 8, -1], 'typed arrays; post padding with a value');
  t.same(Array.from(pad([[0.5], []], { dtype: 'float32', value: 0.25 }).data), [0.5, 0.25], 'float32; an empty sequence is all padding');
  t.equal(bn.utils.padSequences, pad, 'also bn.utils.padSequences, as keras.utils.pad_sequences');
  t.throws(() => pad([[1]], { padding: 'left' } as never), /padSequences: padding must be 'pre' or 'post', got "left"/);
  t.throws(() => pad([[1]], { truncating: 'mid' } as never), /padSequences: truncating must be 'pre' or 'post', got "mid"/);
  t.throws(() => pad([[1]], { maxlen: 2.5 }), /maxlen must be a positive integer or null, got 2.5/);
  t.throws(() => pad([[1]], { maxlen: -1 }), /maxlen must be a positive integer or null, got -1/);
  t.throws(() => pad([[1]], { maxlen: 0 }), /nothing to pad/);
  t.throws(() => pad([]), /nothing to pad: no sequences/);
  t.throws(() => pad([[1]], { dtype: 'int64' } as never), /dtype must be 'int32' or 'float32', got "int64"/);
  t.throws(() => pad([[1]], { value: 0.5 }), /value must be a finite number and a 32-bit integer with dtype int32, got 0.5/);
  t.throws(() => pad([[1, 2.5]]), /sequences\[0\]\[1\] is 2.5; expected a 32-bit integer \(dtype int32\)/);
  t.throws(() => pad([[1, NaN]], { dtype: 'float32' }), /sequences\[0\]\[1\] is NaN; expected a finite number/);
  t.throws(() => pad([[1], 2] as never), /sequences\[1\] must be an array of numbers, got 2/);
  t.throws(() => pad('abc' as never), /sequences must be a list of sequences/);
  t.throws(() => pad([[1]], { max_len: 3 } as never), /unknown option 'max_len' — did you mean 'maxlen'\?/);
});
