import t from 'tap';
import { native } from '../../lib/native';
import { checkGradient, randomArray } from '../helpers/gradcheck';

const R = 5, K = 4;

function softTargets(seed: number): Float32Array {
  const tg = randomArray(R * K, seed, 0, 1);
  for (let r = 0; r < R; r++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += tg[r * K + k];
    for (let k = 0; k < K; k++) tg[r * K + k] /= s;
  }
  return tg;
}

function probs(seed: number): Float32Array {
  const z = randomArray(R * K, seed, -2, 2);
  const p = new Float32Array(R * K);
  native.activationForward(4, p, z, R, K);
  return p;
}

const labels = Int32Array.from([0, 3, 1, 1, 2]);
type W = Float32Array | null;
type RowLoss = (g: Float32Array | null, x: Float32Array, tg: Float32Array, w: W, R: number, K: number, s: number) => number;
type SparseLoss = (g: Float32Array | null, x: Float32Array, l: Int32Array, w: W, R: number, K: number, s: number) => number;
/** Per-row weights with a zero, a negative (Keras multiplies by whatever it is given) and a weight above 1. */
const rowWeights = Float32Array.from([1, 0, 2.5, -0.5, 0.75]);

const cases: [string, Float32Array, (g: Float32Array | null, w: W) => number][] = [];
{
  const z = randomArray(R * K, 1, -3, 3), tg = softTargets(2);
  cases.push(['softmaxCrossEntropy', z, (g, w) => (native.softmaxCrossEntropy as RowLoss)(g, z, tg, w, R, K, 1)]);
}
{
  const z = randomArray(R * K, 3, -3, 3);
  cases.push(['sparseSoftmaxCrossEntropy', z, (g, w) => (native.sparseSoftmaxCrossEntropy as SparseLoss)(g, z, labels, w, R, K, 1)]);
}
{
  const p = probs(4), tg = softTargets(5);
  cases.push(['categoricalCrossEntropy', p, (g, w) => native.categoricalCrossEntropy(g, p, tg, w, R, K, 1)]);
}
{
  const p = probs(6);
  cases.push(['sparseCategoricalCrossEntropy', p, (g, w) => native.sparseCategoricalCrossEntropy(g, p, labels, w, R, K, 1)]);
}
{
  const z = randomArray(R * K, 7, -3, 3), tg = randomArray(R * K, 8, 0, 1);
  cases.push(['sigmoidBinaryCrossEntropy', z, (g, w) => native.sigmoidBinaryCrossEntropy(g, z, tg, w, R, K, 1)]);
}
{
  const p = randomArray(R * K, 9, 0.05, 0.95), tg = randomArray(R * K, 10, 0, 1);
  cases.push(['binaryCrossEntropy', p, (g, w) => native.binaryCrossEntropy(g, p, tg, w, R, K, 1)]);
}
{
  const y = randomArray(R * K, 11), tg = randomArray(R * K, 12);
  cases.push(['squaredError', y, (g, w) => native.squaredError(g, y, tg, w, R, K, 1)]);
}

for (const [name, input, loss] of cases) {
  t.test(`${name} gradient`, async (t) => {
    const grad = new Float32Array(input.length);
    const value = loss(grad, null);
    t.ok(Number.isFinite(value) && value >= 0, `loss ${value}`);
    const res = checkGradient(input, grad, () => loss(null, null), { eps: 1e-3 });
    t.ok(res.maxRelError < 2e-3, `max rel error ${res.maxRelError.toExponential(2)} over ${res.checked} points`, res.worst ?? {});
  });
  t.test(`${name} with row weights: value and gradient`, async (t) => {
    // The weighted sum is sum_r w_r loss_r: each row alone, unweighted, gives loss_r.
    let expected = 0;
    for (let r = 0; r < R; r++) {
      const only = new Float32Array(R);
      only[r] = 1;
      expected += rowWeights[r] * loss(null, only);
    }
    const grad = new Float32Array(input.length);
    const value = loss(grad, rowWeights);
    t.ok(Math.abs(value - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `weighted ${value} = sum_r w_r loss_r ${expected}`);
    t.ok(grad.slice(K, 2 * K).every((v) => v === 0), 'a zero weight gives its row no gradient');
    const res = checkGradient(input, grad, () => loss(null, rowWeights), { eps: 1e-3 });
    t.ok(res.maxRelError < 2e-3, `max rel error ${res.maxRelError.toExponential(2)} over ${res.checked} points`, res.worst ?? {});
    const ones = new Float32Array(input.length), unweighted = new Float32Array(input.length);
    t.equal(loss(ones, new Float32Array(R).fill(1)), loss(unweighted, null), 'weights of 1 give the unweighted value');
    t.same(ones, unweighted, 'and the unweighted gradient');
  });
}

t.test('softmax cross-entropy is stable for logits of +-1000', async (t) => {
  const z = Float32Array.from([1000, -1000, 0, 0, -1000, 1000]);
  const tg = Float32Array.from([1, 0, 0, 0, 1, 0]);
  const g = new Float32Array(6);
  const loss = native.softmaxCrossEntropy(g, z, tg, null, 2, 3, 0.5);
  // Row 0: correct class dominates -> 0. Row 1: correct logit -1000 vs 1000 -> 2000.
  t.ok(Math.abs(loss - 2000) < 1e-3, `summed loss ${loss}`);
  t.ok(g.every(Number.isFinite), 'gradient finite');
  t.same(Array.from(g), [0, 0, 0, 0, -0.5, 0.5], 'gradient = scale * (softmax - target)');
  const l2 = native.sparseSoftmaxCrossEntropy(null, z, Int32Array.from([0, 1]), null, 2, 3, 1);
  t.ok(Math.abs(l2 - 2000) < 1e-3, `sparse summed loss ${l2}`);
});

t.test('exact values', async (t) => {
  // -log(softmax([0, ln 3])[1]) = -log(3/4)
  const l = native.softmaxCrossEntropy(null, Float32Array.from([0, Math.log(3)]), Float32Array.from([0, 1]), null, 1, 2, 1);
  t.ok(Math.abs(l + Math.log(0.75)) < 1e-6, `cce ${l}`);
  const mse = native.squaredError(null, Float32Array.from([1, 2]), Float32Array.from([0, 4]), null, 1, 2, 1);
  t.equal(mse, 5, 'squared error sum');
  const bce = native.binaryCrossEntropy(null, Float32Array.from([0.5]), Float32Array.from([1]), null, 1, 1, 1);
  t.ok(Math.abs(bce - Math.log(2)) < 1e-6, `bce ${bce}`);
});
