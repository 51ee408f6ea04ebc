import t from 'tap';
import { Loss, getLoss, losses } from '../../lib/losses';
import { Tensor } from '../../lib/tensor';
import { checkGradient, randomArray } from '../helpers/gradcheck';

// Central differences against the analytic gradients of the losses written in TypeScript (the
// crossentropies without smoothing run native kernels, checked in test/gradcheck/losses.test.ts).
// Points within 2 eps of a kink (|p - t| = 0, a hinge margin of 0, a Huber delta, a clip bound)
// are skipped.
const R = 6, K = 4, N = R * K, eps = 1e-3;

function distributionRows(seed: number, lo = 0.05): Float32Array {
  const a = randomArray(N, seed, lo, 1);
  for (let r = 0; r < R; r++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += a[r * K + k];
    for (let k = 0; k < K; k++) a[r * K + k] /= s;
  }
  return a;
}

const oneHot = (seed: number): Float32Array => {
  const a = new Float32Array(N), r = randomArray(R, seed, 0, K);
  for (let i = 0; i < R; i++) a[i * K + Math.floor(r[i])] = 1;
  return a;
};

interface Case {
  name: string;
  loss: Loss;
  pred: Float32Array;
  targets: Float32Array;
  skip?: (p: number, t: number) => boolean;
  fromLogits?: boolean;
}

const near = (a: number, b: number): boolean => Math.abs(a - b) < 2 * eps;
const sign = (seed: number) => Float32Array.from(randomArray(N, seed), (v) => (v > 0 ? 1 : -1));
const binary = (seed: number) => Float32Array.from(randomArray(N, seed), (v) => (v > 0 ? 1 : 0));

const cases: Case[] = [
  { name: 'mae', loss: getLoss('mae'), pred: randomArray(N, 1, -2, 2), targets: randomArray(N, 2, -2, 2), skip: near },
  { name: 'mape', loss: getLoss('mape'), pred: randomArray(N, 3, -2, 2), targets: randomArray(N, 4, 0.5, 2), skip: near },
  { name: 'msle', loss: getLoss('msle'), pred: randomArray(N, 5, -0.5, 3), targets: randomArray(N, 6, 0, 3), skip: (p) => near(p, 0) },
  { name: 'huber', loss: getLoss('huber'), pred: randomArray(N, 7, -3, 3), targets: randomArray(N, 8, -1, 1), skip: (p, t) => near(Math.abs(p - t), 1) },
  { name: 'huber delta 0.3', loss: losses.huber({ delta: 0.3 }), pred: randomArray(N, 9, -1, 1), targets: randomArray(N, 10, -1, 1), skip: (p, t) => near(Math.abs(p - t), 0.3) },
  { name: 'logcosh', loss: getLoss('logcosh'), pred: randomArray(N, 11, -4, 4), targets: randomArray(N, 12, -1, 1) },
  { name: 'poisson', loss: getLoss('poisson'), pred: randomArray(N, 13, 0.2, 3), targets: randomArray(N, 14, 0, 4) },
  { name: 'hinge -1/1', loss: getLoss('hinge'), pred: randomArray(N, 15, -2, 2), targets: sign(16), skip: (p, t) => near(t * p, 1) },
  { name: 'hinge 0/1', loss: getLoss('hinge'), pred: randomArray(N, 17, -2, 2), targets: binary(18), skip: (p, t) => near((2 * t - 1) * p, 1) },
  { name: 'squared hinge', loss: getLoss('squaredHinge'), pred: randomArray(N, 19, -2, 2), targets: sign(20) },
  { name: 'categorical hinge', loss: getLoss('categoricalHinge'), pred: randomArray(N, 21, 0, 2), targets: oneHot(22) },
  { name: 'kl divergence', loss: getLoss('kld'), pred: distributionRows(23), targets: distributionRows(24, 0) },
  { name: 'cosine similarity', loss: getLoss('cosineSimilarity'), pred: randomArray(N, 25), targets: randomArray(N, 26) },
  { name: 'categorical crossentropy, smoothing, probabilities', loss: losses.categoricalCrossentropy({ labelSmoothing: 0.1 }), pred: distributionRows(27), targets: oneHot(28) },
  { name: 'categorical crossentropy, smoothing, logits', loss: losses.categoricalCrossentropy({ labelSmoothing: 0.2, fromLogits: true }), pred: randomArray(N, 29, -3, 3), targets: distributionRows(30, 0) },
  { name: 'categorical crossentropy, smoothing, fused', loss: losses.categoricalCrossentropy({ labelSmoothing: 0.2 }), pred: randomArray(N, 31, -3, 3), targets: oneHot(32), fromLogits: true },
  { name: 'binary crossentropy, smoothing, probabilities', loss: losses.binaryCrossentropy({ labelSmoothing: 0.1 }), pred: randomArray(N, 33, 0.05, 0.95), targets: binary(34) },
  { name: 'binary crossentropy, smoothing, logits', loss: losses.binaryCrossentropy({ labelSmoothing: 0.3, fromLogits: true }), pred: randomArray(N, 35, -4, 4), targets: randomArray(N, 36, 0, 1) },
];

/** Per-row weights (sample weights): a zero, a negative and one above 1 among them. */
const rowWeights = Float32Array.from([1, 0, 2.5, -0.5, 0.75, 1.5]);

for (const c of cases) {
  for (const weights of [null, rowWeights]) {
    t.test(`${c.name} gradient${weights ? ' with row weights' : ''}`, async (t) => {
      const input = new Tensor(c.pred, [R, K]);
      const targets = c.loss.prepareTargets(new Tensor(c.targets, [R, K]), [K], 'test');
      const grad = new Tensor(new Float32Array(N), [R, K]);
      const value = c.loss.compute(input, targets, grad, c.fromLogits ?? false, 1, weights);
      t.ok(Number.isFinite(value), `loss ${value}`);
      const res = checkGradient(c.pred, grad.data as Float32Array, () => c.loss.compute(input, targets, null, c.fromLogits ?? false, 1, weights), {
        eps, skip: c.skip ? (i) => c.skip!(c.pred[i], c.targets[i]) : undefined,
      });
      t.ok(res.checked >= N / 2, `${res.checked} points checked`);
      t.ok(res.maxRelError < 1e-3, `max rel error ${res.maxRelError.toExponential(2)}`, res.worst ?? {});
      if (weights) t.ok(grad.data.slice(K, 2 * K).every((v) => v === 0), 'a row of weight 0 gets no gradient');
    });
  }
}
