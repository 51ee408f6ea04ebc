import t from 'tap';
import { native } from '../../lib/native';
import { randomArray } from '../helpers/gradcheck';

// sgemm runs the blocked AVX2/AVX-512 GEMM (gemm_blocked.cc) where the CPU has it,
// else OpenBLAS: every edge of its tiles and blocks (12x32 or 6x16 tiles, K blocks of
// 256, A blocks of 144 rows, B blocks of 2048 columns), every transpose and alpha/beta
// is compared with a float64 product.
t.comment(`direct kernels: ${native.simdLevel()}`);

function reference(ta: boolean, tb: boolean, M: number, N: number, K: number, alpha: number, A: Float32Array,
  B: Float32Array, beta: number, C: Float32Array): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (ta ? A[k * M + i] : A[i * K + k]) * (tb ? B[j * K + k] : B[k * N + j]);
      out[i * N + j] = alpha * s + (beta === 0 ? 0 : beta * C[i * N + j]);
    }
  }
  return out;
}

const shapes: [number, number, number][] = [
  [1, 1, 1], [1, 37, 5], [5, 1, 300], [13, 33, 7], [12, 32, 256], [13, 65, 257], [31, 17, 513],
  [145, 40, 20], [289, 31, 3], [32, 128, 600], [7, 2050, 9], [300, 96, 64],
];
let seed = 1;
for (const [M, N, K] of shapes) {
  t.test(`${M}x${N}x${K}`, async (t) => {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
      for (const [alpha, beta] of [[1, 0], [0.5, 1], [-2, 0.25]]) {
        const A = randomArray(M * K, seed++), B = randomArray(K * N, seed++), C = randomArray(M * N, seed++);
        const expected = reference(ta, tb, M, N, K, alpha, A, B, beta, C);
        native.sgemm(ta, tb, M, N, K, alpha, A, B, beta, C);
        let worst = 0;
        for (let i = 0; i < M * N; i++) worst = Math.max(worst, Math.abs(C[i] - expected[i]) / (1 + Math.abs(expected[i])));
        t.ok(worst < 2e-5 * Math.sqrt(K), `transA ${ta} transB ${tb} alpha ${alpha} beta ${beta}: max relative error ${worst.toExponential(2)}`);
      }
    }
  });
}

t.test('beta 0 ignores what C held, NaN included', async (t) => {
  const C = new Float32Array(40 * 40).fill(NaN);
  native.sgemm(false, false, 40, 40, 3, 1, new Float32Array(120).fill(1), new Float32Array(120).fill(2), 0, C);
  t.equal(C.findIndex((v) => v !== 6), -1, 'every element is 6');
});
