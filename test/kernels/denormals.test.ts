import t from 'tap';
import type { Test } from 'tap';
import * as bn from '../../lib/index';
import { native } from '../../lib/native';

// Native code flushes denormal floats (FTZ: denormal results become 0; DAZ: denormal
// inputs read as 0), as TensorFlow's CPU kernels do; JavaScript keeps IEEE denormals.
const flushes = native.backendInfo().denormals === 'flush-to-zero';
const DENORMAL = 3e-39; // below float32's smallest normal, 1.18e-38
const tiny = (): number => Number(process.pid > 0) * 1e-310; // a denormal double the JIT cannot fold

/** JavaScript's double and float32 arithmetic still produce denormals on this thread. */
function jsKeepsDenormals(t: Test, after: string): void {
  const x = tiny();
  t.ok(x > 0 && x / 2 > 0, `a denormal double survives arithmetic ${after}`);
  t.equal(new Float32Array([DENORMAL])[0], Math.fround(DENORMAL), `a denormal float32 is stored ${after}`);
  t.not(Math.fround(DENORMAL), 0, `Math.fround keeps a denormal ${after}`);
}

t.test('backendInfo reports the mode, SIMD level, threads and OpenBLAS', async (t) => {
  const info = bn.backendInfo();
  t.match(info.denormals, /^(flush-to-zero|ieee)$/);
  t.equal(info.simd, native.simdLevel());
  t.equal(info.threads, native.getNumThreads());
  t.match(info.blas, /OpenBLAS/);
  if (process.arch === 'x64') t.equal(info.denormals, 'flush-to-zero', 'x86-64 builds flush');
});

t.test('kernels read denormal inputs as zero and flush denormal results', { skip: !flushes && 'this build keeps IEEE denormals' }, async (t) => {
  // DAZ on the calling thread: a 1x1 product runs there, in OpenBLAS.
  const c = new Float32Array(1);
  native.sgemm(false, false, 1, 1, 1, 1, new Float32Array([DENORMAL]), new Float32Array([1e30]), 0, c);
  t.equal(c[0], 0, 'sgemm: denormal x 1e30 = 0 (it would be 3e-9 without DAZ)');

  // FTZ on every thread of the pool: a large product and a large Adam update are split
  // across it, so both the caller and the workers write results.
  const n = 128;
  const big = new Float32Array(n * n);
  for (let run = 0; run < 10; run++) {
    native.sgemm(false, false, n, n, n, 1, new Float32Array(n * n).fill(DENORMAL), new Float32Array(n * n).fill(1e30), 0, big);
    t.equal(big.findIndex((v) => v !== 0), -1, `split sgemm, run ${run}: every element 0 (${(n * 3e-9).toExponential(2)} without DAZ)`);
  }
  const size = 1 << 18;
  for (let run = 0; run < 10; run++) {
    // m = 1.2e-38 is normal; 0.9 * m = 1.08e-38 is not, and flushes to 0.
    const w = new Float32Array(size).fill(1), m = new Float32Array(size).fill(1.2e-38), v = new Float32Array(size), g = new Float32Array(size);
    native.adamUpdate(w, m, v, g, 1e-3, 0.9, 0.999, 1e-7, 1000, 0, false);
    t.equal(m.findIndex((x) => x !== 0), -1, `Adam, run ${run}: first moments that decay below the normal range become 0`);
  }
  jsKeepsDenormals(t, 'after native calls');
});

t.test('the JavaScript thread keeps IEEE denormals after training and after a throwing call', async (t) => {
  bn.setSeed(1);
  const model = bn.sequential();
  model.add(bn.layers.dense({ units: 4, activation: 'relu', inputShape: [3] }));
  model.add(bn.layers.dense({ units: 2, activation: 'softmax' }));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  model.trainOnBatch(bn.tensor([[1, 2, 3], [4, 5, 6]]), bn.tensor([[1, 0], [0, 1]]));
  jsKeepsDenormals(t, 'after a training step');
  t.throws(() => native.sgemm(false, false, 1, 1, 1, 1, new Float32Array(2), new Float32Array(1), 0, new Float32Array(1)), RangeError);
  jsKeepsDenormals(t, 'after a call that threw');
});
