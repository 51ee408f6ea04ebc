import t from 'tap';
import { native } from '../../lib/native';
import { RnnCase, caseName, checkNullWeightGrads, rnnGradCheck, rnnSetup } from '../helpers/rnn';
import { randomArray } from '../helpers/gradcheck';

// gru_backward against central differences of gru_forward: dx, dkernel,
// drecurrent, dbias over sequence lengths, batch sizes, both directions and
// both reset conventions (Keras 3 reset_after=true, TensorFlow.js reset before).
let seed = 300;
for (const resetAfter of [true, false]) {
  for (const returnSequences of [true, false]) {
    for (const goBackwards of [false, true]) {
      for (const T of [1, 3, 4]) {
        for (const N of [1, 3]) {
          const c: RnnCase = { cell: 'gru', N, T, I: 3, U: 2, returnSequences, goBackwards, resetAfter };
          const s = (seed += 10);
          t.test(caseName(c), async (t) => rnnGradCheck(t, c, s));
        }
      }
    }
  }
}

// Other activations (weights kept small so hard_sigmoid stays off its kinks at +-2.5), and no bias.
for (const c of [
  { cell: 'gru', N: 2, T: 3, I: 2, U: 3, returnSequences: true, goBackwards: false, activation: 'linear', recurrentActivation: 'hard_sigmoid' },
  { cell: 'gru', N: 2, T: 3, I: 2, U: 3, returnSequences: false, goBackwards: true, activation: 'softsign', recurrentActivation: 'tanh', resetAfter: false },
  { cell: 'gru', N: 3, T: 4, I: 2, U: 2, returnSequences: true, goBackwards: true, useBias: false },
  { cell: 'gru', N: 3, T: 4, I: 2, U: 2, returnSequences: true, goBackwards: false, useBias: false, resetAfter: false },
] as RnnCase[]) {
  t.test(caseName(c), async (t) => rnnGradCheck(t, c, 7, { scale: 0.3 }));
}

t.test('null weight gradients: dx and each weight gradient alone keep their bits, 1 and 2 threads', async (t) => {
  const defaultThreads = native.getNumThreads();
  for (const threads of [1, 2]) {
    native.setNumThreads(threads);
    for (const resetAfter of [true, false]) {
      for (const c of [
        { cell: 'gru', N: 17, T: 4, I: 5, U: 20, returnSequences: true, goBackwards: false, resetAfter },
        { cell: 'gru', N: 3, T: 3, I: 2, U: 3, returnSequences: false, goBackwards: true, resetAfter, activation: 'softsign', recurrentActivation: 'tanh' },
        { cell: 'gru', N: 2, T: 1, I: 3, U: 2, returnSequences: true, goBackwards: false, resetAfter, useBias: false },
      ] as RnnCase[]) checkNullWeightGrads(t, c, 50);
    }
  }
  native.setNumThreads(defaultThreads);
});

t.test('parameter gradients accumulate and dx is overwritten', async (t) => {
  for (const resetAfter of [true, false]) {
    const s = rnnSetup({ cell: 'gru', N: 2, T: 3, I: 2, U: 3, returnSequences: true, goBackwards: false, resetAfter }, 9);
    s.forward();
    const r = randomArray(s.out.length, 3);
    s.backward(r);
    const dk = s.grads.dkernel.slice(), dr = s.grads.drecurrent.slice(), db = s.grads.dbias!.slice(), dx = s.grads.dx.slice();
    s.backward(r);
    t.ok(s.grads.dkernel.every((v, i) => Math.abs(v - 2 * dk[i]) < 1e-6), `dkernel accumulates (resetAfter=${resetAfter})`);
    t.ok(s.grads.drecurrent.every((v, i) => Math.abs(v - 2 * dr[i]) < 1e-6), `drecurrent accumulates (resetAfter=${resetAfter})`);
    t.ok(s.grads.dbias!.every((v, i) => Math.abs(v - 2 * db[i]) < 1e-6), `dbias accumulates (resetAfter=${resetAfter})`);
    t.same(Array.from(s.grads.dx), Array.from(dx), `dx is overwritten (resetAfter=${resetAfter})`);
  }
});

// Dropout (fixed masks given to the kernel, as Keras' GRUCell): one input mask for all gates
// (implementation 2), one per gate (implementation 1), recurrent masks per gate, and both, with
// the recurrent mask before the product (reset_after) or inside r * h_prev (reset before).
let dropoutSeed = 700;
for (const resetAfter of [true, false]) {
  for (const [inputMasks, recurrentMasks] of [[1, false], [3, false], [0, true], [3, true], [1, true]] as const) {
    for (const [T, returnSequences, goBackwards] of [[1, true, false], [3, true, true], [4, false, false]] as const) {
      const c: RnnCase = { cell: 'gru', N: 3, T, I: 3, U: 2, returnSequences, goBackwards, resetAfter, inputMasks, recurrentMasks };
      const s = (dropoutSeed += 10);
      t.test(caseName(c), async (t) => rnnGradCheck(t, c, s));
    }
  }
}

t.test('dropout: null weight gradients keep their bits, 1 and 2 threads (column blocks across gates)', async (t) => {
  const defaultThreads = native.getNumThreads();
  for (const threads of [1, 2]) {
    native.setNumThreads(threads);
    for (const resetAfter of [true, false]) {
      for (const [inputMasks, recurrentMasks] of [[1, true], [3, true], [3, false]] as const) {
        checkNullWeightGrads(t, { cell: 'gru', N: 17, T: 4, I: 5, U: 20, returnSequences: true, goBackwards: false, resetAfter, inputMasks, recurrentMasks }, 51);
      }
    }
  }
  native.setNumThreads(defaultThreads);
});
