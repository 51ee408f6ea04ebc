import t from 'tap';
import { native } from '../../lib/native';
import { RnnCase, caseName, checkNullWeightGrads, rnnGradCheck, rnnSetup } from '../helpers/rnn';

// Masked steps in lstm_backward / gru_backward against central differences of the masked
// forward: padding on the left, the right, in the middle, a sample with every step masked,
// both directions, with and without returnSequences, each GRU reset mode.
const masks: Record<string, number[]> = {
  // N=3, T=4, by input timestep
  mixed: [0, 0, 1, 1, /**/ 1, 1, 1, 0, /**/ 1, 0, 1, 1],
  empty: [0, 0, 0, 0, /**/ 0, 1, 1, 1, /**/ 1, 1, 1, 1],
};
let seed = 500;
for (const cell of ['lstm', 'gru'] as const) {
  for (const resetAfter of cell === 'gru' ? [true, false] : [true]) {
    for (const returnSequences of [true, false]) {
      for (const goBackwards of [false, true]) {
        for (const [name, mask] of Object.entries(masks)) {
          const c: RnnCase = { cell, N: 3, T: 4, I: 3, U: 2, returnSequences, goBackwards, resetAfter, mask };
          const s = (seed += 10);
          t.test(`${caseName(c)} (${name})`, async (t) => rnnGradCheck(t, c, s));
        }
      }
    }
  }
}

// Generic-activation paths (not the fused tanh/sigmoid LSTM step).
for (const c of [
  { cell: 'lstm', N: 3, T: 4, I: 2, U: 3, returnSequences: true, goBackwards: true, activation: 'softsign', recurrentActivation: 'tanh', mask: masks.mixed },
  { cell: 'gru', N: 3, T: 4, I: 2, U: 3, returnSequences: false, goBackwards: false, activation: 'softsign', recurrentActivation: 'tanh', mask: masks.mixed },
] as RnnCase[]) {
  t.test(caseName(c), async (t) => rnnGradCheck(t, c, 9, { scale: 0.3 }));
}

// With training dropout too (fixed masks): the masked steps are skipped, the kept ones drop as without a mask.
for (const c of [
  { cell: 'lstm', N: 3, T: 4, I: 3, U: 2, returnSequences: true, goBackwards: false, inputMasks: 4, recurrentMasks: true, mask: masks.mixed },
  { cell: 'lstm', N: 3, T: 4, I: 3, U: 2, returnSequences: false, goBackwards: true, inputMasks: 1, mask: masks.empty },
  { cell: 'gru', N: 3, T: 4, I: 3, U: 2, returnSequences: true, goBackwards: true, inputMasks: 3, recurrentMasks: true, mask: masks.mixed },
  { cell: 'gru', N: 3, T: 4, I: 3, U: 2, returnSequences: false, goBackwards: false, resetAfter: false, recurrentMasks: true, mask: masks.mixed },
] as RnnCase[]) {
  t.test(`${caseName(c)} with dropout`, async (t) => rnnGradCheck(t, c, 21));
}

t.test('a masked step is skipped: the left-padded sequence gives the unpadded one\'s outputs', async (t) => {
  for (const cell of ['lstm', 'gru'] as const) {
    for (const goBackwards of [false, true]) {
      const T = 5, P = 2, N = 1, I = 3;
      const short = rnnSetup({ cell, N, T: T - P, I, U: 2, returnSequences: true, goBackwards }, 3);
      const padded = rnnSetup({ cell, N, T, I, U: 2, returnSequences: true, goBackwards, mask: [0, 0, 1, 1, 1] }, 3);
      padded.kernel.set(short.kernel); padded.recurrent.set(short.recurrent); padded.bias!.set(short.bias!);
      padded.x.fill(7); // what the padding holds does not matter
      padded.x.set(short.x, P * I);
      const want = Array.from(short.forward()), got = Array.from(padded.forward());
      const U = 2;
      // Going forwards the padded steps come first (outputs 0, the initial state); backwards they come last
      // and repeat the final state.
      const kept = goBackwards ? got.slice(0, (T - P) * U) : got.slice(P * U);
      t.same(kept, want, `${cell} goBackwards=${goBackwards}: the kept steps' outputs`);
      const skipped = goBackwards ? got.slice((T - P) * U) : got.slice(0, P * U);
      const carried = goBackwards ? [...want.slice(-U), ...want.slice(-U)] : new Array(P * U).fill(0);
      t.same(skipped, carried, `${cell} goBackwards=${goBackwards}: a skipped step outputs the state it carries`);
    }
  }
});

t.test('masked backward: null weight gradients keep their bits, 1 and 2 threads', async (t) => {
  const defaultThreads = native.getNumThreads();
  const mask = Array.from({ length: 17 * 4 }, (_, i) => (i % 5 === 0 || i % 7 === 3 ? 0 : 1));
  for (const threads of [1, 2]) {
    native.setNumThreads(threads);
    for (const cell of ['lstm', 'gru'] as const) {
      checkNullWeightGrads(t, { cell, N: 17, T: 4, I: 5, U: 20, returnSequences: true, goBackwards: false, mask }, 40);
    }
  }
  native.setNumThreads(defaultThreads);
});
