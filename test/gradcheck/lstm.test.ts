import t from 'tap';
import { native } from '../../lib/native';
import { RnnCase, caseName, checkNullWeightGrads, rnnGradCheck, rnnSetup } from '../helpers/rnn';
import { randomArray } from '../helpers/gradcheck';

// lstm_backward against central differences of lstm_forward: dx, dkernel,
// drecurrent, dbias over sequence lengths, batch sizes and both directions.
let seed = 100;
for (const returnSequences of [true, false]) {
  for (const goBackwards of [false, true]) {
    for (const T of [1, 3, 4]) {
      for (const N of [1, 3]) {
        const c: RnnCase = { cell: 'lstm', N, T, I: 3, U: 2, returnSequences, goBackwards };
        const s = (seed += 10);
        t.test(caseName(c), async (t) => rnnGradCheck(t, c, s));
      }
    }
  }
}

// Other activations (weights kept small so hard_sigmoid stays off its kinks at +-2.5), and no bias.
for (const c of [
  { cell: 'lstm', N: 2, T: 3, I: 2, U: 3, returnSequences: true, goBackwards: false, activation: 'linear', recurrentActivation: 'hard_sigmoid' },
  { cell: 'lstm', N: 2, T: 3, I: 2, U: 3, returnSequences: false, goBackwards: true, activation: 'softsign', recurrentActivation: 'tanh' },
  { cell: 'lstm', N: 3, T: 4, I: 2, U: 2, returnSequences: true, goBackwards: true, useBias: false },
] as RnnCase[]) {
  t.test(caseName(c), async (t) => rnnGradCheck(t, c, 7, { scale: 0.3 }));
}

t.test('null weight gradients: dx and each weight gradient alone keep their bits, 1 and 2 threads', async (t) => {
  const defaultThreads = native.getNumThreads();
  for (const threads of [1, 2]) {
    native.setNumThreads(threads);
    for (const c of [
      { cell: 'lstm', N: 17, T: 4, I: 5, U: 20, returnSequences: true, goBackwards: false },
      { cell: 'lstm', N: 3, T: 3, I: 2, U: 3, returnSequences: false, goBackwards: true, activation: 'softsign', recurrentActivation: 'tanh' },
      { cell: 'lstm', N: 2, T: 1, I: 3, U: 2, returnSequences: true, goBackwards: false, useBias: false },
    ] as RnnCase[]) checkNullWeightGrads(t, c, 40);
  }
  native.setNumThreads(defaultThreads);
});

t.test('goBackwards reads the reversed sequence and returns it in processing order', async (t) => {
  const base: RnnCase = { cell: 'lstm', N: 2, T: 4, I: 3, U: 2, returnSequences: true, goBackwards: false };
  const fwd = rnnSetup(base, 5), back = rnnSetup({ ...base, goBackwards: true }, 5);
  const { N, T, I } = base;
  for (let n = 0; n < N; n++) {
    for (let t2 = 0; t2 < T; t2++) back.x.set(fwd.x.subarray((n * T + t2) * I, (n * T + t2 + 1) * I), (n * T + T - 1 - t2) * I);
  }
  t.same(Array.from(back.forward()), Array.from(fwd.forward()), 'identical outputs');
});

t.test('parameter gradients accumulate, dx is overwritten, last output equals the sequence end', async (t) => {
  const c: RnnCase = { cell: 'lstm', N: 2, T: 3, I: 2, U: 3, returnSequences: false, goBackwards: false };
  const s = rnnSetup(c, 9);
  const seq = rnnSetup({ ...c, returnSequences: true }, 9);
  const last = Array.from(s.forward());
  const all = seq.forward();
  const expected = [0, 1].flatMap((n) => Array.from(all.subarray((n * 3 + 2) * 3, (n * 3 + 3) * 3)));
  t.same(last, expected, 'returnSequences=false gives h_{T-1}');
  const r = randomArray(s.out.length, 3);
  s.backward(r);
  const dk = s.grads.dkernel.slice(), dr = s.grads.drecurrent.slice(), db = s.grads.dbias!.slice(), dx = s.grads.dx.slice();
  s.backward(r);
  t.ok(s.grads.dkernel.every((v, i) => Math.abs(v - 2 * dk[i]) < 1e-6), 'dkernel accumulates');
  t.ok(s.grads.drecurrent.every((v, i) => Math.abs(v - 2 * dr[i]) < 1e-6), 'drecurrent accumulates');
  t.ok(s.grads.dbias!.every((v, i) => Math.abs(v - 2 * db[i]) < 1e-6), 'dbias accumulates');
  t.same(Array.from(s.grads.dx), Array.from(dx), 'dx is overwritten');
});

// Dropout (fixed masks given to the kernel, as Keras' LSTMCell): one input mask for all gates
// (implementation 2), one per gate (implementation 1), recurrent masks per gate, and both.
let dropoutSeed = 600;
for (const [inputMasks, recurrentMasks] of [[1, false], [4, false], [0, true], [4, true], [1, true]] as const) {
  for (const [T, returnSequences, goBackwards] of [[1, true, false], [3, true, true], [4, false, false]] as const) {
    const c: RnnCase = { cell: 'lstm', N: 3, T, I: 3, U: 2, returnSequences, goBackwards, inputMasks, recurrentMasks };
    const s = (dropoutSeed += 10);
    t.test(caseName(c), async (t) => rnnGradCheck(t, c, s));
  }
}
const unfused: RnnCase = { cell: 'lstm', N: 2, T: 3, I: 2, U: 3, returnSequences: true, goBackwards: false, activation: 'softsign', recurrentActivation: 'tanh', inputMasks: 4, recurrentMasks: true };
t.test(caseName(unfused), async (t) => rnnGradCheck(t, unfused, 8, { scale: 0.3 }));

t.test('dropout: null weight gradients keep their bits, 1 and 2 threads (column blocks across gates)', async (t) => {
  const defaultThreads = native.getNumThreads();
  for (const threads of [1, 2]) {
    native.setNumThreads(threads);
    for (const [inputMasks, recurrentMasks] of [[1, true], [4, true], [4, false]] as const) {
      checkNullWeightGrads(t, { cell: 'lstm', N: 17, T: 4, I: 5, U: 20, returnSequences: true, goBackwards: false, inputMasks, recurrentMasks }, 41);
    }
  }
  native.setNumThreads(defaultThreads);
});
