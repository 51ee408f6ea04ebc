import t from 'tap';
import { native } from '../../lib/native';
import { checkGradient, randomArray, weightedSum } from '../helpers/gradcheck';

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
