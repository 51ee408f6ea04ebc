import t from 'tap';
import type { Test } from 'tap';
import * as bn from '../../lib/index';
import { ValueError } from '../../lib/errors';
import { getLoss, losses } from '../../lib/losses';
import { Tensor } from '../../lib/tensor';

// Targets outside a loss's domain are refused by prepareTargets (which fit, evaluate and
// trainOnBatch call before any step), naming the loss, the value and its position. Keras
// itself checks none of these: it computes binary crossentropy for labels outside [0, 1],
// categorical crossentropy for rows that are not distributions (-sum t log p of whatever t is),
// and hinge on any labels (mapping them to -1/1 only when a batch holds nothing but 0 and 1).

const prepare = (loss: string | bn.Loss, values: number[], shape: number[], outputShape = shape.slice(1)) =>
  getLoss(loss).prepareTargets(new Tensor(Float32Array.from(values), shape), outputShape, 'fit (output dense_1)');

function refuses(t: Test, f: () => unknown, re: RegExp, what: string): void {
  try {
    f();
    t.fail(`${what}: expected ${re}`);
  } catch (e) {
    t.type(e, ValueError, `${what}: a ValueError`);
    t.match((e as Error).message, re, what);
  }
}

t.test('binary crossentropy: labels in [0, 1]', async (t) => {
  const ok = [0, 1, 0.25, 1, 0, 0.5];
  t.doesNotThrow(() => prepare('binaryCrossentropy', ok, [2, 3]), 'labels and probabilities in [0, 1]');
  refuses(t, () => prepare('binaryCrossentropy', [0, 1, 0, 1, 1.5, 0], [2, 3]),
    /^fit \(output dense_1\): binary_crossentropy needs targets in \[0, 1\] \(the probability of the positive class\), got 1\.5 at targets\[1, 1\]$/, 'above 1');
  refuses(t, () => prepare('bce', [0, -1, 0, 1], [4, 1]), /binary_crossentropy needs targets in \[0, 1\].*got -1 at targets\[1, 0\]/, '-1 (a hinge label)');
  refuses(t, () => prepare(losses.binaryCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }), [2, 0], [1, 2]),
    /binary_crossentropy needs targets in \[0, 1\].*got 2 at targets\[0, 0\]/, 'a loss object too');
});

t.test('categorical crossentropy: rows that are distributions', async (t) => {
  t.doesNotThrow(() => prepare('categoricalCrossentropy', [0, 1, 0, 0.2, 0.3, 0.5], [2, 3]), 'one-hot and soft rows');
  t.doesNotThrow(() => prepare('categoricalCrossentropy', [0.3333, 0.3333, 0.3333], [1, 3]), 'a sum within 1e-3 of 1');
  refuses(t, () => prepare('categoricalCrossentropy', [0, 1, 0, 0, 1, 1], [2, 3]),
    /^fit \(output dense_1\): categorical_crossentropy targets row targets\[1\] sums to 2, not 1; each row along the last axis must be a probability distribution, e\.g\. one-hot \(for integer class labels use sparseCategoricalCrossentropy\)$/, 'a multi-hot row');
  refuses(t, () => prepare('categorical_crossentropy', [0, 0, 0], [1, 3]), /row targets\[0\] sums to 0, not 1/, 'an all-zero row');
  refuses(t, () => prepare('categoricalCrossentropy', [1, 0, 0, 1.5, -0.5, 0], [2, 3]),
    /categorical_crossentropy targets hold -0\.5 at targets\[1, 1\]/, 'a negative entry');
  refuses(t, () => prepare('categoricalCrossentropy', [0, 1, 1, 0, 0.9, 0, 0, 1], [2, 2, 2]), /row targets\[1, 0\] sums to 0\.9/, 'sequence targets');
  refuses(t, () => prepare(losses.categoricalCrossentropy({ labelSmoothing: 0.1 }), [2, 0], [1, 2]), /row targets\[0\] sums to 2/,
    'raw targets are checked before smoothing');
  // Class labels given to categorical crossentropy fail on shape before values.
  t.throws(() => prepare('categoricalCrossentropy', [0, 2], [2, 1], [3]), /needs targets of shape \[null, 3\]/);
});

t.test('hinge: labels -1/1 or 0/1', async (t) => {
  for (const loss of ['hinge', 'squaredHinge']) {
    t.doesNotThrow(() => prepare(loss, [-1, 1, 1, -1], [2, 2]), `${loss}: -1/1`);
    t.doesNotThrow(() => prepare(loss, [0, 1, 1, 0], [2, 2]), `${loss}: 0/1`);
    const name = getLoss(loss).name;
    refuses(t, () => prepare(loss, [1, -1, 0.5, 1], [2, 2]),
      new RegExp(`^fit \\(output dense_1\\): ${name} needs labels -1 or 1 \\(or 0 or 1, which it maps to -1 and 1\\), got 0\\.5 at targets\\[1, 0\\]$`), `${loss}: 0.5`);
    refuses(t, () => prepare(loss, [1, -1, 1, 0], [2, 2]),
      new RegExp(`${name} needs labels -1 or 1, or 0 or 1, not both: 0 at targets\\[1, 1\\] and -1 at targets\\[0, 1\\]`), `${loss}: a mix`);
  }
  // 0/1 labels give the loss of -1/1 labels, as in Keras.
  const p = new Tensor(Float32Array.from([0.3, -0.8, 1.7, 0.1]), [2, 2]);
  for (const loss of ['hinge', 'squaredHinge']) {
    const l = getLoss(loss);
    const a = l.compute(p, prepare(loss, [0, 1, 1, 0], [2, 2]), null, false);
    const b = l.compute(p, prepare(loss, [-1, 1, 1, -1], [2, 2]), null, false);
    t.equal(a, b, `${loss}: 0/1 labels are mapped to -1/1`);
  }
});

t.test('fit refuses out-of-domain targets before the first step', async (t) => {
  bn.setSeed(1);
  const model = bn.sequential({ layers: [bn.layers.dense({ units: 2, activation: 'sigmoid', inputShape: [3] })] });
  model.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
  const before = model.getWeights().map((w) => Array.from(w.data));
  const x = bn.tensor(Float32Array.from({ length: 12 }, (_, i) => i / 12), [4, 3]);
  const y = bn.tensor([0, 1, 1, 0, 1, 2, 0, 0], [4, 2]);
  await t.rejects(model.fit(x, y, { epochs: 1, verbose: 0 }), /binary_crossentropy needs targets in \[0, 1\].*got 2 at targets\[2, 1\]/);
  t.same(model.getWeights().map((w) => Array.from(w.data)), before, 'no step was taken');
  t.throws(() => model.trainOnBatch(x, y), /binary_crossentropy needs targets in \[0, 1\]/);
  await t.rejects(model.evaluate(x, y), /binary_crossentropy needs targets in \[0, 1\]/);
});
