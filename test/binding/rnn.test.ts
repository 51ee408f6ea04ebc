import t from 'tap';
import { RnnGeometry, native } from '../../lib/native';
import { rnnBufferSizes } from '../../lib/layers/recurrent';
import { Call, rejectsBadArguments } from '../helpers/binding';

// The recurrent exports reject wrong kinds, lengths and geometry fields with the
// right error class, naming the argument.
const f = (n: number): Float32Array => new Float32Array(n).fill(0.25);
const N = 2, T = 3, I = 4, U = 5;

for (const cell of ['lstm', 'gru'] as const) {
  for (const returnSequences of [true, false]) {
    const G = (cell === 'lstm' ? 4 : 3) * U;
    const bias = cell === 'lstm' ? G : 2 * G;
    const geom: RnnGeometry = { N, T, I, U, activation: 3, recurrentActivation: 2, goBackwards: false, returnSequences, resetAfter: true };
    const sizes = rnnBufferSizes(cell, geom);
    const out = returnSequences ? N * T * U : N * U;
    const forward = [f(out), f(sizes.cache), f(N * T * I), f(I * G), f(U * G), f(bias), geom];
    const backward = [f(N * T * I), f(I * G), f(U * G), f(bias), f(sizes.scratch), f(out), f(sizes.cache), f(I * G), f(U * G), geom];
    const fwdName = `${cell}Forward` as const, bwdName = `${cell}Backward` as const;
    t.test(`${fwdName} seq=${returnSequences}`, async (t) => rejectsBadArguments(t, fwdName, native[fwdName] as Call, forward, []));
    t.test(`${bwdName} seq=${returnSequences}`, async (t) => rejectsBadArguments(t, bwdName, native[bwdName] as Call, backward, []));
    t.test(`${cell} mask argument seq=${returnSequences}`, async (t) => {
      for (const [name, args] of [[fwdName, forward], [bwdName, backward]] as const) {
        const fn = native[name] as Call;
        // After dropout's two optional masks (null here).
        const call = (mask: unknown, extra: unknown[] = []): unknown => fn(...args.map((a) => (a instanceof Float32Array ? a.slice() : a)), null, null, mask, ...extra);
        t.doesNotThrow(() => call(null), `${name}: a null stepMask is none`);
        t.doesNotThrow(() => call(new Uint8Array(N * T).fill(1)), `${name}: a Uint8Array of N*T`);
        t.throws(() => call(new Float32Array(N * T)), { name: 'TypeError', message: /stepMask must be a Uint8Array/ }, `${name}: a Float32Array mask -> TypeError`);
        t.throws(() => call([1, 1, 1, 1, 1, 1]), TypeError, `${name}: a plain array -> TypeError`);
        t.throws(() => call(new Uint8Array(N * T - 1)), { name: 'RangeError', message: /stepMask has 5 elements, expected N\*T = 6/ }, `${name}: a short mask -> RangeError`);
        t.throws(() => call(new Uint8Array(N * T + 1)), RangeError, `${name}: a long mask -> RangeError`);
        t.throws(() => call(null, [null]), TypeError, `${name}: an argument after the mask -> TypeError`);
      }
    });
    t.test(`${cell} geometry fields seq=${returnSequences}`, async (t) => {
      const call = (g: unknown): unknown => native[fwdName](f(out), f(sizes.cache), f(N * T * I), f(I * G), f(U * G), f(bias), g as RnnGeometry);
      t.throws(() => call(null), TypeError, 'geom null -> TypeError');
      for (const key of ['N', 'T', 'I', 'U']) {
        for (const bad of [0, -1, 1.5, NaN, 2 ** 60]) t.throws(() => call({ ...geom, [key]: bad }), RangeError, `geom.${key} = ${bad} -> RangeError`);
        t.throws(() => call({ ...geom, [key]: '3' }), TypeError, `geom.${key} as a string -> TypeError`);
      }
      t.throws(() => call({ ...geom, activation: 4 }), { name: 'RangeError', message: /geom.activation must be elementwise; softmax is not supported/ });
      t.throws(() => call({ ...geom, recurrentActivation: 13 }), RangeError, 'activation id out of range');
      t.throws(() => call({ ...geom, goBackwards: 1 }), TypeError, 'goBackwards must be a boolean');
      if (cell === 'gru') t.throws(() => call({ ...geom, resetAfter: undefined }), TypeError, 'resetAfter must be a boolean');
      t.throws(() => call({ ...geom, T: 2 ** 20, N: 2 ** 12 }), /geom.T\*N must be at most/, 'T*N beyond a 32-bit GEMM dimension');
    });
  }
}

t.test('messages name the argument and the expected size', async (t) => {
  const geom: RnnGeometry = { N, T, I, U, activation: 3, recurrentActivation: 2, goBackwards: false, returnSequences: false, resetAfter: false };
  const sizes = rnnBufferSizes('gru', geom);
  t.throws(() => native.gruForward(f(N * U), f(sizes.cache), f(N * T * I), f(I * 3 * U), f(U * 3 * U), f(6 * U), geom),
    { name: 'RangeError', message: 'gruForward: bias has 30 elements, expected 3U = 15' });
  t.throws(() => native.lstmForward(f(N * U), f(7), f(N * T * I), f(I * 4 * U), f(U * 4 * U), null, geom),
    { name: 'RangeError', message: `lstmForward: cache has 7 elements, expected T*N*(I+11U) = ${T * N * (I + 11 * U)}` });
  t.throws(() => native.lstmForward(f(N * T * U), f(T * N * (I + 11 * U)), f(N * T * I), f(I * 4 * U), f(U * 4 * U), null, geom),
    { name: 'RangeError', message: `lstmForward: out has ${N * T * U} elements, expected N*U = ${N * U}` });
});

// With dropout masks (two trailing arguments): their lengths, and the larger cache and scratch.
for (const cell of ['lstm', 'gru'] as const) {
  const gates = cell === 'lstm' ? 4 : 3, G = gates * U;
  const bias = cell === 'lstm' ? G : 2 * G;
  const geom: RnnGeometry = { N, T, I, U, activation: 3, recurrentActivation: 2, goBackwards: false, returnSequences: true, resetAfter: true };
  for (const [inputMasks, recurrent] of [[1, true], [gates, true], [1, false], [0, true]] as const) {
    const sizes = rnnBufferSizes(cell, geom, { inputMasks, recurrent });
    const masks = [inputMasks ? f(inputMasks * N * I) : null, recurrent ? f(gates * N * U) : null];
    const forward = [f(N * T * U), f(sizes.cache), f(N * T * I), f(I * G), f(U * G), f(bias), geom, ...masks];
    const backward = [f(N * T * I), f(I * G), f(U * G), f(bias), f(sizes.scratch), f(N * T * U), f(sizes.cache), f(I * G), f(U * G), geom, ...masks];
    const fwdName = `${cell}Forward` as const, bwdName = `${cell}Backward` as const;
    const label = `inputMasks=${inputMasks} recurrent=${recurrent}`;
    t.test(`${fwdName} with dropout ${label}`, async (t) => rejectsBadArguments(t, fwdName, native[fwdName] as Call, forward, []));
    t.test(`${bwdName} with dropout ${label}`, async (t) => rejectsBadArguments(t, bwdName, native[bwdName] as Call, backward, []));
  }
}

t.test('dropout messages name the mask and the sizes', async (t) => {
  const geom: RnnGeometry = { N, T, I, U, activation: 3, recurrentActivation: 2, goBackwards: false, returnSequences: false, resetAfter: true };
  const plain = rnnBufferSizes('lstm', geom);
  const args = [f(N * U), f(plain.cache), f(N * T * I), f(I * 4 * U), f(U * 4 * U), null, geom] as const;
  t.throws(() => native.lstmForward(...args, f(5), null),
    { name: 'RangeError', message: `lstmForward: inputMask has 5 elements, expected 4*N*I = ${4 * N * I} or N*I = ${N * I}` });
  t.throws(() => native.lstmForward(...args, null, f(5)),
    { name: 'RangeError', message: `lstmForward: recurrentMask has 5 elements, expected 4*N*U = ${4 * N * U}` });
  t.throws(() => native.lstmForward(...args, f(4 * N * I), f(4 * N * U)), {
    name: 'RangeError',
    message: `lstmForward: cache has ${plain.cache} elements, expected T*N*(I+11U)+T*N*(4I+4U) = ${T * N * (I + 11 * U + 4 * I + 4 * U)}`,
  });
  t.doesNotThrow(() => native.lstmForward(...args, null, null), 'both null: the plain call');
  t.throws(() => native.lstmForward(...args, null), { name: 'TypeError', message: 'lstmForward: expected 7 arguments, got 8' });
});
