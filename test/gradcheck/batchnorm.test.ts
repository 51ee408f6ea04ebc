import t from 'tap';
import { native } from '../../lib/native';
import { checkGradient, randomArray, sameBits, weightedSum } from '../helpers/gradcheck';

const momentum = 0.99, epsilon = 1e-3;

function channelStd(x: Float32Array, R: number, C: number): number[] {
  return Array.from({ length: C }, (_, c) => {
    let s = 0, sq = 0;
    for (let i = 0; i < R; i++) s += x[i * C + c];
    for (let i = 0; i < R; i++) sq += (x[i * C + c] - s / R) ** 2;
    return Math.sqrt(sq / R);
  });
}

// batchnorm_backward against central differences of the forward pass, for x, gamma and beta,
// with batch statistics (training) and with moving statistics (inference).
for (const [R, C] of [[2, 1], [5, 3], [16, 7], [3, 300]]) {
  for (const training of [true, false]) {
    t.test(`batchnorm ${training ? 'training' : 'inference'} R=${R} C=${C}`, async (t) => {
      const x = randomArray(R * C, 1, -2, 2), gamma = randomArray(C, 2, 0.5, 1.5), beta = randomArray(C, 3);
      const movingMean = randomArray(C, 5, -0.5, 0.5), movingVariance = randomArray(C, 6, 0.5, 2);
      const r = randomArray(R * C, 4);
      const out = new Float32Array(R * C), mean = new Float32Array(C), invStd = new Float32Array(C);
      const forward = (): void => {
        if (training) {
          // Fresh moving statistics each call: only out depends on x here.
          native.batchnormForwardTraining(out, mean, invStd, movingMean.slice(), movingVariance.slice(), x, gamma, beta, R, C, momentum, epsilon);
        } else {
          native.batchnormForwardInference(out, mean, invStd, x, gamma, beta, movingMean, movingVariance, R, C, epsilon);
        }
      };
      const objective = (): number => { forward(); return weightedSum(out, r); };
      forward();
      const dx = new Float32Array(R * C), dgamma = new Float32Array(C), dbeta = new Float32Array(C);
      native.batchnormBackward(dx, dgamma, dbeta, r, x, gamma, mean, invStd, R, C, training);
      // Central differences need eps well below a channel's spread (the output bends on that scale).
      const narrow = channelStd(x, R, C).map((s) => training && s < 0.25);
      for (const [name, input, grad] of [['x', x, dx], ['gamma', gamma, dgamma], ['beta', beta, dbeta]] as const) {
        const res = checkGradient(input, grad, objective, { skip: (i) => name === 'x' && narrow[i % C] });
        t.ok(res.maxRelError < 1e-3, `d${name}: max rel error ${res.maxRelError.toExponential(2)} over ${res.checked} points`, res.worst ?? {});
      }
      // Parameter gradients accumulate; dx is overwritten and may alias dy.
      const dgamma1 = dgamma.slice(), dbeta1 = dbeta.slice();
      const dyAlias = r.slice();
      native.batchnormBackward(dyAlias, dgamma, dbeta, dyAlias, x, gamma, mean, invStd, R, C, training);
      t.ok(dgamma.every((v, i) => Math.abs(v - 2 * dgamma1[i]) <= 1e-6 * Math.max(1, Math.abs(v))), 'dgamma accumulates');
      t.ok(dbeta.every((v, i) => Math.abs(v - 2 * dbeta1[i]) <= 1e-6 * Math.max(1, Math.abs(v))), 'dbeta accumulates');
      t.same(Array.from(dyAlias), Array.from(dx), 'dx written over dy equals dx');
      // A frozen layer: no dgamma, dbeta (with moving statistics the channel sums are then skipped).
      const dxOnly = new Float32Array(R * C);
      native.batchnormBackward(dxOnly, null, null, r, x, gamma, mean, invStd, R, C, training);
      t.ok(sameBits(dxOnly, dx), 'dx without dgamma, dbeta has the same bits');
    });
  }
}

t.test('batchnorm without gamma and beta (scale=false, center=false)', async (t) => {
  const R = 6, C = 4;
  const x = randomArray(R * C, 7, -2, 2), r = randomArray(R * C, 8);
  const out = new Float32Array(R * C), mean = new Float32Array(C), invStd = new Float32Array(C);
  const objective = (): number => {
    native.batchnormForwardTraining(out, mean, invStd, new Float32Array(C), new Float32Array(C).fill(1), x, null, null, R, C, momentum, epsilon);
    return weightedSum(out, r);
  };
  objective();
  const dx = new Float32Array(R * C);
  native.batchnormBackward(dx, null, null, r, x, null, mean, invStd, R, C, true);
  const res = checkGradient(x, dx, objective);
  t.ok(res.maxRelError < 1e-3, `dx: max rel error ${res.maxRelError.toExponential(2)}`, res.worst ?? {});
  // Each channel of the output has mean 0 and (biased) variance var / (var + epsilon).
  for (let c = 0; c < C; c++) {
    let m = 0;
    for (let i = 0; i < R; i++) m += out[i * C + c];
    t.ok(Math.abs(m / R) < 1e-6, `channel ${c} output mean ${(m / R).toExponential(1)}`);
  }
});

t.test('batchnorm training updates the moving statistics with biased variance, Keras 3 style', async (t) => {
  const R = 10, C = 3;
  const x = randomArray(R * C, 9, -3, 3);
  const mm = randomArray(C, 10), mv = randomArray(C, 11, 0.5, 2);
  const mm0 = mm.slice(), mv0 = mv.slice();
  const out = new Float32Array(R * C), mean = new Float32Array(C), invStd = new Float32Array(C);
  native.batchnormForwardTraining(out, mean, invStd, mm, mv, x, null, null, R, C, 0.9, epsilon);
  for (let c = 0; c < C; c++) {
    let s = 0, sq = 0;
    for (let i = 0; i < R; i++) s += x[i * C + c];
    const mu = s / R;
    for (let i = 0; i < R; i++) sq += (x[i * C + c] - mu) ** 2;
    const variance = sq / R;
    t.ok(Math.abs(mean[c] - mu) < 1e-6, `mean[${c}]`);
    t.ok(Math.abs(invStd[c] - 1 / Math.sqrt(variance + epsilon)) < 1e-5, `invStd[${c}]`);
    t.ok(Math.abs(mm[c] - (mm0[c] * 0.9 + mu * 0.1)) < 1e-6, `moving_mean[${c}]`);
    t.ok(Math.abs(mv[c] - (mv0[c] * 0.9 + variance * 0.1)) < 1e-6, `moving_variance[${c}]`);
  }
});

t.test('batchnorm binding rejects bad arguments', async (t) => {
  const f = (n: number): Float32Array => new Float32Array(n);
  t.throws(() => native.batchnormForwardTraining(f(6), f(3), f(3), f(3), f(3), f(5), null, null, 2, 3, 0.99, 1e-3),
    { name: 'RangeError', message: /x has 5 elements, expected R\*C = 6/ });
  t.throws(() => native.batchnormForwardTraining(f(6), f(3), f(3), f(3), f(3), f(6), null, null, 2, 3, 1.5, 1e-3),
    { name: 'RangeError', message: /momentum/ });
  t.throws(() => native.batchnormForwardInference(f(6), f(3), f(3), f(6), null, null, f(3), f(3), 2, 3, 0),
    { name: 'RangeError', message: /epsilon/ });
  t.throws(() => native.batchnormBackward(null, f(2), null, f(6), f(6), null, f(3), f(3), 2, 3, true),
    { name: 'RangeError', message: /dgamma has 2 elements/ });
  t.throws(() => native.batchnormBackward(null, null, null, new Int32Array(6) as unknown as Float32Array, f(6), null, f(3), f(3), 2, 3, true),
    { name: 'TypeError', message: /dy must be a Float32Array/ });
});
