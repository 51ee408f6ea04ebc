import t from 'tap';
import { native } from '../../lib/native';
import { RnnCase, caseName, rnnGradCheck, rnnSetup } from '../helpers/rnn';
import { maxAbsDiff, randomArray } from '../helpers/gradcheck';

// LSTM and GRU at widths that exercise the per-step products (sgemm_small: whole
// vectors at U = 16, partial ones at U = 5 and I = 7) and the fused tanh/sigmoid
// gates, with batches that split unevenly across 2 threads and leave row tiles of
// 1-3 rows: central differences on 1 and 2 threads, and the two thread counts
// giving the same outputs and gradients (bit for bit with the vectorised kernels).
t.comment(`direct kernels: ${native.simdLevel()}`);
// OpenBLAS, which the portable build uses for these products, may round a row
// differently depending on how many rows share a call.
const exact = native.simdLevel() !== 'portable';

const cases: RnnCase[] = [
  { cell: 'lstm', N: 9, T: 3, I: 5, U: 16, returnSequences: true, goBackwards: false },
  { cell: 'lstm', N: 11, T: 4, I: 3, U: 16, returnSequences: false, goBackwards: true },
  { cell: 'lstm', N: 9, T: 3, I: 4, U: 16, returnSequences: true, goBackwards: false, useBias: false },
  { cell: 'lstm', N: 9, T: 3, I: 4, U: 16, returnSequences: true, goBackwards: true, activation: 'softsign', recurrentActivation: 'tanh' },
  { cell: 'lstm', N: 10, T: 3, I: 7, U: 5, returnSequences: true, goBackwards: false },
  { cell: 'gru', N: 9, T: 3, I: 5, U: 16, returnSequences: true, goBackwards: false, resetAfter: true },
  { cell: 'gru', N: 10, T: 3, I: 7, U: 5, returnSequences: true, goBackwards: true, resetAfter: true },
  // Several column blocks of weight gradients on 2 threads; reset before, one straddles the candidate's gate.
  { cell: 'lstm', N: 9, T: 3, I: 5, U: 32, returnSequences: true, goBackwards: false },
  { cell: 'gru', N: 9, T: 3, I: 5, U: 48, returnSequences: true, goBackwards: false, resetAfter: false },
  { cell: 'gru', N: 9, T: 3, I: 5, U: 48, returnSequences: false, goBackwards: false, resetAfter: true },
  { cell: 'gru', N: 11, T: 4, I: 3, U: 16, returnSequences: false, goBackwards: true, resetAfter: false },
];

const defaultThreads = native.getNumThreads();

function runAll(c: RnnCase, threads: number) {
  native.setNumThreads(threads);
  try {
    const s = rnnSetup(c, 41, 0.3);
    const out = Float32Array.from(s.forward());
    s.backward(randomArray(s.out.length, 43));
    return { out, ...s.grads };
  } finally {
    native.setNumThreads(defaultThreads);
  }
}

for (const c of cases) {
  t.test(caseName(c), async (t) => {
    for (const threads of [1, 2]) {
      native.setNumThreads(threads);
      try {
        await t.test(`${threads} thread${threads > 1 ? 's' : ''}`, async (t) => rnnGradCheck(t, c, 31, { scale: 0.3 }));
      } finally {
        native.setNumThreads(defaultThreads);
      }
    }
    const one = runAll(c, 1), two = runAll(c, 2);
    for (const key of ['out', 'dx', 'dkernel', 'drecurrent', 'dbias'] as const) {
      if (!one[key]) continue;
      if (exact) {
        t.same(Array.from(two[key]!), Array.from(one[key]!), `${key}: 2 threads give the 1-thread result`);
      } else {
        const diff = maxAbsDiff(two[key]!, one[key]!);
        t.ok(diff < 1e-6, `${key}: 2 threads give the 1-thread result within ${diff.toExponential(2)}`);
      }
    }
  });
}
