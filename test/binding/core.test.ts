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
  ['softmaxCrossEntropy', [f(R * K), f(R * K), f(R * K), f(R), R, K, 1], [4, 5]],
  ['categoricalCrossEntropy', [f(R * K), f(R * K), f(R * K), f(R), R, K, 1], [4, 5]],
  ['sparseSoftmaxCrossEntropy', [f(R * K), f(R * K), Int32Array.from([0, 2]), f(R), R, K, 1], [4, 5]],
  ['sparseCategoricalCrossEntropy', [f(R * K), f(R * K), Int32Array.from([1, 2]), f(R), R, K, 1], [4, 5]],
  ['sigmoidBinaryCrossEntropy', [f(R * K), f(R * K), f(R * K), f(R), R, K, 1], [4, 5]],
  ['binaryCrossEntropy', [f(R * K), f(R * K), f(R * K), f(R), R, K, 1], [4, 5]],
  ['squaredError', [f(R * K), f(R * K), f(R * K), f(R), R, K, 1], [4, 5]],
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
  t.throws(() => native.sparseSoftmaxCrossEntropy(null, f(6), Int32Array.from([0, 3]), null, 2, 3, 1), { name: 'RangeError', message: /labels\[1\] = 3 is outside \[0, 3\)/ });
  t.throws(() => native.sparseSoftmaxCrossEntropy(null, f(6), Int32Array.from([-1, 0]), null, 2, 3, 1), RangeError);
  t.throws(() => native.squaredError(null, f(6), f(6), f(3), 2, 3, 1), { name: 'RangeError', message: 'squaredError: weights has 3 elements, expected R = 2' });
  t.throws(() => native.softmaxCrossEntropy(null, f(6), f(6), new Float64Array(2) as never, 2, 3, 1), { name: 'TypeError', message: 'softmaxCrossEntropy: weights must be a Float32Array or null' });
  t.doesNotThrow(() => native.binaryCrossEntropy(f(6), f(6), f(6), null, 2, 3, 1), 'null weights: all 1');
  t.throws(() => native.adamUpdate(f(2), f(2), f(2), f(2), NaN, 0.9, 0.999, 1e-7, 1, 0, false), /lr must be finite/);
  t.throws(() => native.adamUpdate(f(2), f(2), f(2), f(2), 0.1, 0.9, 0.999, 1e-7, 0, 0, false), /step must be an integer in \[1,/);
  t.throws(() => native.sgdUpdate(f(2), null, f(2), 0.1, 0.9, false, 0, false), /velocity is required when momentum > 0/);
  t.throws(() => native.sgemm(false, false, 2 ** 30, 2 ** 30, 2 ** 30, 1, f(1), f(1), 0, f(1)), /dimensions are too large|has 1 elements/);
});

t.test('optimizer segments: lists of one count, equal lengths per index, no mixing with flat arrays', async (t) => {
  const lists = (...n: number[]): Float32Array[] => n.map(f);
  const adam = (w: unknown, m: unknown, v: unknown, g: unknown): void =>
    native.adamUpdate(w as Float32Array[], m as Float32Array[], v as Float32Array[], g as Float32Array[], 0.1, 0.9, 0.999, 1e-7, 1, 0, true);
  t.doesNotThrow(() => adam(lists(2, 3), lists(2, 3), lists(2, 3), lists(2, 3)), 'lists of equal shape');
  t.doesNotThrow(() => adam([], [], [], []), 'no segments: nothing to do');
  t.throws(() => adam(lists(2, 3), lists(2), lists(2, 3), lists(2, 3)),
    new RangeError('adamUpdate: m has 1 segments, expected 2 as w has'));
  t.throws(() => adam(lists(2, 3), lists(2, 3), lists(2, 4), lists(2, 3)),
    new RangeError('adamUpdate: v[1] has 4 elements, expected w[1].length = 3'));
  t.throws(() => adam(lists(2, 3), lists(2, 3), lists(2, 3), f(5)),
    new TypeError('adamUpdate: g must be a list of Float32Array segments, as w is'));
  t.throws(() => adam(f(5), lists(2, 3), f(5), f(5)),
    new TypeError('adamUpdate: m is a list of segments but w is not: pass every array as a Float32Array, or every one as a list'));
  t.throws(() => adam(lists(2, 3), [f(2), new Int32Array(3)], lists(2, 3), lists(2, 3)),
    new TypeError('adamUpdate: m[1] must be a Float32Array'));
  t.throws(() => adam([f(2), 7], lists(2, 3), lists(2, 3), lists(2, 3)), new TypeError('adamUpdate: w[1] must be a Float32Array'));
  t.throws(() => adam(new Array(2 ** 20 + 1), [], [], []), new RangeError('adamUpdate: w has 1048577 segments, at most 1048576'));

  // Nullable arguments: null, or a list of the same shape whose entries are arrays.
  const rms = (mom: unknown, mg: unknown, momentum = 0.5): void =>
    native.rmspropUpdate(lists(2, 3), lists(2, 3), mom as Float32Array[], mg as Float32Array[], lists(2, 3), 0.1, 0.9, momentum, 1e-7, 0, false);
  t.doesNotThrow(() => rms(lists(2, 3), null), 'momentum as a list, meanGrad null');
  t.doesNotThrow(() => rms(null, undefined, 0), 'both null without momentum');
  t.throws(() => rms(null, null), new RangeError('rmspropUpdate: momentumBuffer is required when momentum > 0'));
  t.throws(() => rms(lists(2, 3), [f(2), null]), new TypeError('rmspropUpdate: meanGrad[1] must be a Float32Array'));
  t.throws(() => rms(lists(2, 3), f(5)), new TypeError('rmspropUpdate: meanGrad must be a list of Float32Array segments or null, as w is'));
  t.throws(() => native.sgdUpdate([f(4)], null, [f(4)], 0.1, 0.9, false, 0, false), new RangeError('sgdUpdate: velocity is required when momentum > 0'));
  t.throws(() => native.sgdUpdate(f(4), [f(4)], f(4), 0.1, 0.9, false, 0, false),
    new TypeError('sgdUpdate: velocity is a list of segments but w is not: pass every array as a Float32Array, or every one as a list'));

  // The arrays of one segment (or one flat call) must not overlap; different segments are not compared.
  const shared = f(6);
  t.throws(() => adam([shared.subarray(0, 4)], [f(4)], [shared.subarray(2, 6)], [f(4)]),
    new RangeError('adamUpdate: v[0] shares memory with w[0]; each array needs its own'));
  t.throws(() => adam(shared.subarray(0, 4), f(4), f(4), shared.subarray(2, 6)),
    new RangeError('adamUpdate: g shares memory with w; each array needs its own'));
  t.doesNotThrow(() => adam([shared.subarray(0, 3)], [shared.subarray(3, 6)], [f(3)], [f(3)]), 'adjacent, not overlapping');
});

t.test('optimizer segments: element getters run before any array is looked at', async (t) => {
  // A getter that throws: the error reaches the caller.
  const w = [f(2), f(2)];
  Object.defineProperty(w, 1, { get() { throw new Error('getter threw'); } });
  t.throws(() => native.sgdUpdate(w, null, [f(2), f(2)], 0.1, 0, false, 0, false), /getter threw/);
  // A getter that detaches an array already fetched: the views, taken after every fetch, see it empty.
  const first = new Float32Array(3), g = [first.slice(), f(3)];
  const detaching = [first, f(3)];
  Object.defineProperty(g, 1, { get() { structuredClone(first.buffer, { transfer: [first.buffer] }); return f(3); } });
  t.throws(() => native.sgdUpdate(detaching, null, g, 0.1, 0, false, 0, false),
    new RangeError('sgdUpdate: g[0] has 3 elements, expected w[0].length = 0'));
});
