import t from 'tap';
import * as bn from '../../lib';

// bn.tensor takes every numeric typed array: copied to float32, or to int32 (dtype 'int32')
// when the values are 32-bit integers; 64-bit integer arrays are refused by name. TF.js's
// tensor() takes Uint8Array and Uint8ClampedArray besides its own (inferring int32) and
// refuses Float64Array, Int16Array and the others.

t.test('numeric typed arrays become float32 tensors, or int32 with dtype int32', async (t) => {
  const cases: [string, ArrayLike<number>][] = [
    ['Float64Array', new Float64Array([1.5, -2, 1e-50])], ['Uint8Array', new Uint8Array([1, 255])], ['Uint8ClampedArray', new Uint8ClampedArray([0, 9])],
    ['Int8Array', new Int8Array([-3, 4])], ['Uint16Array', new Uint16Array([65535])], ['Int16Array', new Int16Array([-1, 2])], ['Uint32Array', new Uint32Array([7])],
  ];
  for (const [name, a] of cases) {
    const f = bn.tensor(a as never);
    t.equal(f.dtype, 'float32', name);
    t.same(Array.from(f.data), Array.from(Float32Array.from(a)), `${name} values`);
    t.same(f.shape, [a.length]);
    t.not(f.data as unknown, a, `${name} is copied`);
  }
  const i = bn.tensor(new Int16Array([-1, 2, 3, 4]), [2, 2], 'int32');
  t.equal(i.dtype, 'int32');
  t.same(i.toArray(), [[-1, 2], [3, 4]]);
  t.same(Array.from(bn.tensor(new Float64Array([3, -4]), undefined, 'int32').data), [3, -4]);
});

t.test('values int32 cannot hold, and 64-bit integer arrays, are refused', async (t) => {
  t.throws(() => bn.tensor(new Float64Array([1, 2.5]), undefined, 'int32'), { name: 'ValueError', message: 'tensor: int32 values must be 32-bit integers, got 2.5 at flat index 1 of the Float64Array' });
  t.throws(() => bn.tensor(new Uint32Array([3e9]), undefined, 'int32'), { message: /got 3000000000 at flat index 0 of the Uint32Array/ });
  t.throws(() => bn.tensor(new BigInt64Array([1n]) as never), { name: 'ValueError', message: /^tensor: BigInt64Array holds 64-bit integers, which float32 and int32 cannot hold exactly/ });
  t.throws(() => bn.tensor(new BigUint64Array([1n]) as never), { message: /^tensor: BigUint64Array holds 64-bit integers/ });
  t.throws(() => bn.tensor(new DataView(new ArrayBuffer(4)) as never), { message: 'tensor: expected numbers, an array of numbers or a numeric typed array, got a DataView' });
  t.throws(() => bn.tensor([[1, 2], [3, 1n]] as never), { message: 'tensor: expected a number at [1][1], got 1n' });
  t.throws(() => bn.tensor([[1, 2], [3, new Float64Array([1])]] as never), { message: 'tensor: expected a number at [1][1], got Float64Array(1) [1]' });
});

t.test('sample weights and data as other typed arrays', async (t) => {
  const m = bn.sequential([bn.layers.dense({ units: 3, activation: 'softmax', inputShape: [2], kernelInitializer: 'ones' })]);
  m.compile({ optimizer: bn.optimizers.sgd({ learningRate: 0 }), loss: 'sparseCategoricalCrossentropy' });
  const x = bn.tensor([[1, 2], [3, 4]]), y = bn.tensor([0, 1], [2], 'int32');
  const plain = await m.evaluate(x, y, { sampleWeight: [1, 2], verbose: 0 });
  t.same(await m.evaluate(x, y, { sampleWeight: new Float64Array([1, 2]), verbose: 0 }), plain);
  t.same(await m.evaluate(x, y, { sampleWeight: new Uint8Array([1, 2]), verbose: 0 }), plain);
});
