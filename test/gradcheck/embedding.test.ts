import t from 'tap';
import { native } from '../../lib/native';
import { checkGradient, maxAbsDiff, randomArray, rng, weightedSum } from '../helpers/gradcheck';

// embedding_backward (scatter-add) against finite differences of embedding_forward
// (gather), with indices repeated within and across samples.
for (const [N, L, V, D] of [[1, 1, 1, 1], [2, 5, 3, 4], [4, 7, 6, 3]]) {
  t.test(`embedding N=${N} L=${L} V=${V} D=${D}`, async (t) => {
    const next = rng(N * 100 + L);
    const idx = Int32Array.from({ length: N * L }, () => Math.floor(next() * V));
    if (N * L > 1) idx[1] = idx[0]; // at least one repeated index
    const table = randomArray(V * D, 2);
    const r = randomArray(N * L * D, 3);
    const out = new Float32Array(N * L * D);
    const objective = (): number => {
      native.embeddingForward(out, idx, table, N, L, V, D);
      return weightedSum(out, r);
    };
    objective();
    for (let k = 0; k < N * L; k++) {
      t.same(Array.from(out.subarray(k * D, (k + 1) * D)), Array.from(table.subarray(idx[k] * D, (idx[k] + 1) * D)), `row ${k} gathers table[${idx[k]}]`);
    }
    const dtable = new Float32Array(V * D);
    native.embeddingBackward(dtable, r, idx, N, L, V, D);
    const res = checkGradient(table, dtable, objective);
    t.ok(res.maxRelError < 1e-3, `dtable: max rel error ${res.maxRelError.toExponential(2)} over ${res.checked} points`, res.worst ?? {});
    const once = dtable.slice();
    native.embeddingBackward(dtable, r, idx, N, L, V, D);
    t.ok(maxAbsDiff(dtable, once.map((g) => 2 * g)) < 1e-5, 'dtable accumulates');
  });
}

t.test('repeated indices sum their gradients', async (t) => {
  const idx = Int32Array.from([1, 1, 1, 0]);
  const dout = Float32Array.from([1, 10, 2, 20, 3, 30, 5, 50]);
  const dtable = new Float32Array(3 * 2);
  native.embeddingBackward(dtable, dout, idx, 2, 2, 3, 2);
  t.same(Array.from(dtable), [5, 50, 6, 60, 0, 0]);
});
