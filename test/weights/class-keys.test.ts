import t from 'tap';
import * as bn from '../../lib';

// classWeight keys must be class indices written plainly: '01', '+1', '1.0' or ' 1' would
// read as class 1 (and {1: 5, '01': 7} would silently weigh class 1 by 7), so they are refused by name.

const make = (): bn.Sequential => {
  const m = bn.sequential([bn.layers.dense({ units: 3, activation: 'softmax', inputShape: [2], kernelInitializer: 'ones' })]);
  m.compile({ optimizer: bn.optimizers.sgd({ learningRate: 0 }), loss: 'sparseCategoricalCrossentropy' });
  return m;
};
const x = bn.tensor([[1, 2], [3, 4]]), y = bn.tensor([0, 1], [2], 'int32');

t.test('canonical keys, as numbers or strings', async (t) => {
  const m = make();
  const weighed = m.trainOnBatch(x, y, undefined, { 1: 5 }).loss;
  t.equal(m.trainOnBatch(x, y, undefined, { '1': 5 }).loss, weighed);
  t.equal(m.trainOnBatch(x, y, undefined, { 0: 1, 1: 5, 2: 1 }).loss, weighed);
  // Both samples weigh 1 and 5: the mean of ln 3 * [1, 5] over the batch.
  t.equal(weighed, Math.fround(Math.fround(Math.log(3)) * 3));
});

t.test('other spellings of a class index are refused by name', async (t) => {
  const m = make();
  for (const key of ['01', '+1', '1.0', ' 1', '1e0', '0x1']) {
    t.throws(() => m.trainOnBatch(x, y, undefined, { [key]: 5 }), { name: 'ValueError', message: `trainOnBatch: classWeight key '${key}' spells class 1 otherwise; write it as 1, so that no two keys name one class` }, key);
  }
  t.throws(() => m.trainOnBatch(x, y, undefined, { 1: 5, '01': 7 }), { message: /classWeight key '01' spells class 1 otherwise/ });
  t.throws(() => m.trainOnBatch(x, y, undefined, { '03': 5 }), { message: /^trainOnBatch: classWeight key '03' is not a class index in \[0, 3\) of output 'dense_\d+' \(3 units\)$/ });
  t.throws(() => m.trainOnBatch(x, y, undefined, { '': 5 }), { message: /classWeight key '' is not a class index/ });
});
