import t from 'tap';
import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import * as bn from '../../lib/index';

// The addon holds no global state, so it loads and computes in many worker_threads at once.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const native = process.env.BLASNET_NATIVE ? require(process.env.BLASNET_NATIVE) : require('node-gyp-build')(workerData.root);
const n = 64;
const a = new Float32Array(n * n).fill(workerData.value), b = new Float32Array(n * n).fill(1), c = new Float32Array(n * n);
for (let i = 0; i < 20; i++) native.sgemm(false, false, n, n, n, 1, a, b, 0, c);
let threw = false;
try { native.denseForward(new Float32Array(1), a, b, null, 1, 1, 1); } catch (e) { threw = e instanceof RangeError; }
parentPort.postMessage({ value: c[0], threw });
`;

t.test('four workers use the addon concurrently', async (t) => {
  const root = path.join(__dirname, '..', '..');
  const results = await Promise.all([1, 2, 3, 4].map((value) => new Promise<{ value: number; threw: boolean }>((resolve, reject) => {
    const w = new Worker(workerSource, { eval: true, workerData: { root, value } });
    w.once('message', resolve);
    w.once('error', reject);
  })));
  t.same(results.map((r) => r.value), [64, 128, 192, 256], 'each worker computed its own product');
  t.ok(results.every((r) => r.threw), 'errors are thrown as RangeError inside workers');
});

t.test('the event loop keeps running during fit', async (t) => {
  bn.setSeed(1);
  const x = bn.zeros([4096, 16]), y = bn.zeros([4096, 1]);
  const model = bn.sequential({ layers: [bn.layers.dense({ units: 64, inputShape: [16], activation: 'relu' }), bn.layers.dense({ units: 1 })] });
  model.compile({ optimizer: 'sgd', loss: 'mse' });
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  await model.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0 });
  clearInterval(timer);
  t.ok(ticks > 5, `a 1 ms timer fired ${ticks} times during fit`);
});
