import t from 'tap';
import { native } from '../../lib/native';
import { checkGradient, maxAbsDiff, randomArray, sameBits, weightedSum } from '../helpers/gradcheck';

// dense_backward against finite differences of dense_forward, for x, w and b.
for (const [N, I, U] of [[1, 1, 1], [3, 5, 4], [7, 2, 9]]) {
  t.test(`dense N=${N} I=${I} U=${U}`, async (t) => {
    const x = randomArray(N * I, 1), w = randomArray(I * U, 2), b = randomArray(U, 3);
    const r = randomArray(N * U, 4);
    const out = new Float32Array(N * U);
    const objective = (): number => {
      native.denseForward(out, x, w, b, N, I, U);
      return weightedSum(out, r);
    };
    const dx = new Float32Array(N * I), dw = new Float32Array(I * U), db = new Float32Array(U);
    native.denseBackward(dx, dw, db, r, x, w, N, I, U);
    for (const [name, input, grad] of [['x', x, dx], ['w', w, dw], ['b', b, db]] as const) {
      const res = checkGradient(input, grad, objective);
      t.ok(res.maxRelError < 1e-3, `d${name}: max rel error ${res.maxRelError.toExponential(2)} over ${res.checked} points`, res.worst ?? {});
    }
    // Parameter gradients accumulate; the input gradient is overwritten.
    const dw2 = dw.slice(), dx2 = dx.slice();
    native.denseBackward(dx, dw, db, r, x, w, N, I, U);
    t.equal(dw[0], 2 * dw2[0], 'dw accumulates');
    t.same(Array.from(dx), Array.from(dx2), 'dx is overwritten');
  });
}

// The activated kernels: bias and relu in the GEMM epilogue, the relu mask before the
// backward GEMMs. Large enough products split across threads, by rows (N >= 64) or
// by output columns (a short batch); both are checked on 1 and 2 threads.
const LINEAR = 0, RELU = 1;
for (const [N, I, U] of [[3, 5, 4], [64, 160, 110], [5, 420, 500]]) {
  for (const threads of [1, 2]) {
    t.test(`dense activated N=${N} I=${I} U=${U}, ${threads} thread(s)`, async (t) => {
      native.setNumThreads(threads);
      const x = randomArray(N * I, 11), w = randomArray(I * U, 12), b = randomArray(U, 13);
      const r = randomArray(N * U, 14);
      const z = new Float32Array(N * U), out = new Float32Array(N * U);
      native.denseForward(z, x, w, b, N, I, U);
      native.denseForwardActivated(out, x, w, b, N, I, U, LINEAR);
      t.ok(maxAbsDiff(out, z) < 1e-5, 'linear = denseForward');
      const objective = (): number => {
        native.denseForwardActivated(out, x, w, b, N, I, U, LINEAR);
        return weightedSum(out, r);
      };
      const dx = new Float32Array(N * I), dw = new Float32Array(I * U), db = new Float32Array(U);
      native.denseBackwardActivated(dx, dw, db, r.slice(), x, w, null, N, I, U, LINEAR);
      for (const [name, input, grad] of [['x', x, dx], ['w', w, dw], ['b', b, db]] as const) {
        const res = checkGradient(input, grad, objective, { maxPoints: 60 });
        t.ok(res.maxRelError < 1e-3, `d${name}: max rel error ${res.maxRelError.toExponential(2)} over ${res.checked} points`, res.worst ?? {});
      }

      const y = new Float32Array(N * U);
      native.denseForwardActivated(y, x, w, b, N, I, U, RELU);
      t.ok(maxAbsDiff(y, z.map((v) => Math.max(v, 0))) < 1e-5, 'relu = linear, then relu');
      const dxRelu = new Float32Array(N * I), dwRelu = new Float32Array(I * U), dbRelu = new Float32Array(U);
      const dy = r.slice();
      native.denseBackwardActivated(dxRelu, dwRelu, dbRelu, dy, x, w, y, N, I, U, RELU);
      const masked = r.map((v, i) => (y[i] > 0 ? v : 0));
      t.same(Array.from(dy), Array.from(masked), 'dy is masked in place where y <= 0');
      dx.fill(0); dw.fill(0); db.fill(0);
      native.denseBackward(dx, dw, db, masked, x, w, N, I, U);
      t.ok(maxAbsDiff(dxRelu, dx) < 1e-5 && maxAbsDiff(dwRelu, dw) < 1e-5 && maxAbsDiff(dbRelu, db) < 1e-5,
        'relu backward = linear backward of the masked gradient');
    });
  }
}

// A backward pass that wants only dx (a frozen layer, an explanation) passes null weight
// gradients: the kernel skips dw's GEMM (and db's sums), and dx keeps its bits. Serial and
// split by input features, on 1 and 2 threads; linear through both exports and fused relu.
for (const [N, I, U] of [[3, 5, 4], [64, 160, 110], [5, 420, 500]]) {
  t.test(`dense backward with null dw and db: dx bit-identical, N=${N} I=${I} U=${U}`, async (t) => {
    const x = randomArray(N * I, 31), w = randomArray(I * U, 32), b = randomArray(U, 33), r = randomArray(N * U, 34);
    const y = new Float32Array(N * U);
    native.denseForwardActivated(y, x, w, b, N, I, U, RELU);
    const defaultThreads = native.getNumThreads();
    for (const threads of [1, 2]) {
      native.setNumThreads(threads);
      for (const [label, act] of [['linear', LINEAR], ['relu', RELU]] as const) {
        const dx = new Float32Array(N * I), dw = new Float32Array(I * U), db = new Float32Array(U);
        native.denseBackwardActivated(dx, dw, db, r.slice(), x, w, y, N, I, U, act);
        const dxOnly = new Float32Array(N * I).fill(NaN), dbOnly = new Float32Array(U);
        native.denseBackwardActivated(dxOnly, null, null, r.slice(), x, w, y, N, I, U, act);
        t.ok(sameBits(dxOnly, dx), `${threads} thread(s), ${label}: dx without dw, db has the same bits`);
        native.denseBackwardActivated(null, null, dbOnly, r.slice(), x, w, y, N, I, U, act);
        t.ok(sameBits(dbOnly, db), `${threads} thread(s), ${label}: db alone has the same bits`);
      }
      const dx = new Float32Array(N * I), dxOnly = new Float32Array(N * I);
      native.denseBackward(dx, new Float32Array(I * U), new Float32Array(U), r, x, w, N, I, U);
      native.denseBackward(dxOnly, null, null, r, x, w, N, I, U);
      t.ok(sameBits(dxOnly, dx), `${threads} thread(s), denseBackward: dx without dw, db has the same bits`);
      t.doesNotThrow(() => native.denseBackward(null, null, null, r, x, w, N, I, U), 'nothing wanted: accepted');
    }
    native.setNumThreads(defaultThreads);
  });
}

// A few rows times a large kernel (batch-1 inference) takes its own path: blocks of w's
// rows shared by the threads, partial products summed in block order, so the bits do not
// depend on the thread count. I = 2100 ends in a partial block and U = 130 in a partial
// vector; N = 5 is past the path (OpenBLAS, split by columns), for contrast.
for (const N of [1, 3, 4, 5]) {
  t.test(`dense forward, ${N} row(s) times a 2100x130 kernel, 1 and 2 threads`, async (t) => {
    const I = 2100, U = 130;
    const x = randomArray(N * I, 21), w = randomArray(I * U, 22), b = randomArray(U, 23);
    const expected = new Float64Array(N * U);
    for (let n = 0; n < N; n++) {
      for (let u = 0; u < U; u++) {
        let s = b[u];
        for (let i = 0; i < I; i++) s += x[n * I + i] * w[i * U + u];
        expected[n * U + u] = Math.max(s, 0);
      }
    }
    const defaultThreads = native.getNumThreads();
    const outputs = [1, 2].map((threads) => {
      native.setNumThreads(threads);
      const out = new Float32Array(N * U);
      native.denseForwardActivated(out, x, w, b, N, I, U, RELU);
      return out;
    });
    native.setNumThreads(defaultThreads);
    for (const [i, out] of outputs.entries()) {
      t.ok(maxAbsDiff(out, expected) < 2e-4, `${i + 1} thread(s): relu(x w + b) within 2e-4 of float64 (${maxAbsDiff(out, expected).toExponential(2)})`);
    }
    if (N <= 4) t.same(Array.from(outputs[1]), Array.from(outputs[0]), '2 threads give the same bits as 1');
  });
}
