import t from 'tap';
import { native } from '../../lib/native';
import { Call, rejectsBadArguments } from '../helpers/binding';

const f = (n: number): Float32Array => new Float32Array(n).fill(0.5);
const N = 2, I = 3, U = 4, R = 2, K = 3;

const cases: [keyof typeof native, unknown[], number[]][] = [
  ['sgemm', [false, true, 2, 3, 4, 1, f(8), f(12), 0, f(6)], [2, 3, 4]],
  ['denseForward', [f(N * U), f(N * I), f(I * U), f(U), N, I, U], [4, 5, 6]],
  ['denseBackward', [f(N * I), f(I * U), f(U), f(N * U), f(N * I), f(I * U), N, I, U], [6, 7, 8]],
  ['denseForwardActivated', [f(N * U), f(N * I), f(I * U), f(U), N, I, U, 1], [4, 5, 6]],
  ['denseBackwardActivated', [f(N * I), f(I * U), f(U), f(N * U), f(N * I), f(I * U), f(N * U), N, I, U, 1], [7, 8, 9]],
  ['activationForward', [1, f(R * K), f(R * K), R, K], [3, 4]],
  ['activationBackward', [1, f(R * K), f(R * K), f(R * K), f(R * K), R, K], [5, 6]],
  ['softmaxCrossEntropy', [f(R * K), f(R * K), f(R * K), R, K, 1], [3, 4]],
  ['categoricalCrossEntropy', [f(R * K), f(R * K), f(R * K), R, K, 1], [3, 4]],
  ['sparseSoftmaxCrossEntropy', [f(R * K), f(R * K), Int32Array.from([0, 2]), R, K, 1], [3, 4]],
  ['sparseCategoricalCrossEntropy', [f(R * K), f(R * K), Int32Array.from([1, 2]), R, K, 1], [3, 4]],
  ['sigmoidBinaryCrossEntropy', [f(5), f(5), f(5), 5, 1], [3]],
  ['binaryCrossEntropy', [f(5), f(5), f(5), 5, 1], [3]],
  ['squaredError', [f(5), f(5), f(5), 5, 1], [3]],
  ['sgdUpdate', [f(5), f(5), f(5), 0.1, 0.9, false, 0, false], []],
  ['adamUpdate', [f(5), f(5), f(5), f(5), 0.1, 0.9, 0.999, 1e-7, 1, 0, false], []],
  ['rmspropUpdate', [f(5), f(5), f(5), f(5), f(5), 0.1, 0.9, 0.5, 1e-7, 0, false], []],
];

for (const [name, valid, dims] of cases) {
  t.test(name, async (t) => rejectsBadArguments(t, name, native[name] as Call, valid, dims));
}

t.test('messages name the function, the argument and the expected size', async (t) => {
  t.throws(() => native.denseForward(f(7), f(N * I), f(I * U), null, N, I, U), { message: 'denseForward: out has 7 elements, expected N*U = 8' });
  t.throws(() => native.activationForward(13, f(6), f(6), 2, 3), /kind must be an integer in \[0, 12\], got 13/);
  t.throws(() => native.sparseSoftmaxCrossEntropy(null, f(6), Int32Array.from([0, 3]), 2, 3, 1), { name: 'RangeError', message: /labels\[1\] = 3 is outside \[0, 3\)/ });
  t.throws(() => native.sparseSoftmaxCrossEntropy(null, f(6), Int32Array.from([-1, 0]), 2, 3, 1), RangeError);
  t.throws(() => native.adamUpdate(f(2), f(2), f(2), f(2), NaN, 0.9, 0.999, 1e-7, 1, 0, false), /lr must be finite/);
  t.throws(() => native.adamUpdate(f(2), f(2), f(2), f(2), 0.1, 0.9, 0.999, 1e-7, 0, 0, false), /step must be an integer in \[1,/);
  t.throws(() => native.sgdUpdate(f(2), null, f(2), 0.1, 0.9, false, 0, false), /velocity is required when momentum > 0/);
  t.throws(() => native.sgemm(false, false, 2 ** 30, 2 ** 30, 2 ** 30, 1, f(1), f(1), 0, f(1)), /dimensions are too large|has 1 elements/);
});
