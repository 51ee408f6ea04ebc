import t from 'tap';
import { native } from '../../lib/native';
import { randomArray } from '../helpers/gradcheck';

// Large products are split across the environment's pool; every thread count must
// give the same numbers (row blocks are independent GEMMs).
t.test('sgemm gives the same result on 1, 2 and 3 threads', async (t) => {
  const M = 300, N = 200, K = 150;
  const A = randomArray(M * K, 1), B = randomArray(K * N, 2);
  const results: Float32Array[] = [];
  const before = native.getNumThreads();
  for (const threads of [1, 2, 3]) {
    native.setNumThreads(threads);
    t.equal(native.getNumThreads(), threads);
    for (const [ta, tb] of [[false, false], [true, false], [false, true]]) {
      const C = new Float32Array(M * N);
      native.sgemm(ta, tb, M, N, K, 1, A, B, 0, C);
      results.push(C);
    }
  }
  native.setNumThreads(before);
  for (let i = 3; i < results.length; i++) t.same(results[i], results[i % 3], `run ${i} equals the single-threaded run`);
  // Spot-check one element against a plain dot product.
  let ref = 0;
  for (let k = 0; k < K; k++) ref += A[7 * K + k] * B[k * N + 11];
  t.ok(Math.abs(results[0][7 * N + 11] - ref) < 1e-4, 'value matches the definition');
  t.throws(() => native.setNumThreads(0), RangeError);
});
