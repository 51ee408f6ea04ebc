import t from 'tap';
import { Activation } from '../../lib/activations';
import { native } from '../../lib/native';

// The vectorised sigmoid and tanh (native/kernels/vec_math.h) that the Activation
// layer and the LSTM/GRU gates share, against double-precision references over a
// dense range and at the edges: within a few ulp, limits and signs exact.

const bits = new Int32Array(1), view = new Float32Array(bits.buffer);
/** Position of a float32 on a line where neighbouring floats differ by 1 (both signs). */
function ordinal(v: number): number {
  view[0] = v;
  return bits[0] < 0 ? -(bits[0] & 0x7fffffff) : bits[0];
}

function apply(name: string, x: Float32Array): Float32Array {
  const y = new Float32Array(x.length);
  native.activationForward(new Activation(name, 'test').id, y, x, 1, x.length);
  return y;
}

const n = 200001;
const x = Float32Array.from({ length: n }, (_, i) => -30 + (60 * i) / (n - 1));
const references: [string, (v: number) => number, number][] = [
  ['sigmoid', (v) => 1 / (1 + Math.exp(-v)), 4],
  ['tanh', Math.tanh, 2],
];

for (const [name, reference, maxUlp] of references) {
  t.test(`${name} is within ${maxUlp} ulp of the double-precision value`, async (t) => {
    const y = apply(name, x);
    let worst = 0, at = 0;
    for (let i = 0; i < n; i++) {
      const ulp = Math.abs(ordinal(y[i]) - ordinal(Math.fround(reference(x[i]))));
      if (ulp > worst) { worst = ulp; at = x[i]; }
    }
    t.ok(worst <= maxUlp, `max ${worst} ulp (at x = ${at})`);
  });
}

t.test('limits, signs and NaN', async (t) => {
  const edges = Float32Array.from([0, -0, 1e-30, -1e-30, 100, -100, 88.5, -88.5, Infinity, -Infinity, NaN]);
  const s = apply('sigmoid', edges), th = apply('tanh', edges);
  t.same(Array.from(s.subarray(0, 2)), [0.5, 0.5], 'sigmoid(+-0) = 0.5');
  t.equal(s[4], 1, 'sigmoid(100) = 1');
  t.ok(s[5] >= 0 && s[5] < 1e-37, `sigmoid(-100) is tiny and not negative (${s[5]})`);
  t.equal(s[8], 1, 'sigmoid(inf) = 1');
  t.ok(s[9] >= 0 && s[9] < 1e-37, 'sigmoid(-inf) is tiny and not negative');
  t.ok(Object.is(th[0], 0) && Object.is(th[1], -0), 'tanh keeps the sign of zero');
  t.same([th[2], th[3]], [Math.fround(1e-30), Math.fround(-1e-30)], 'tanh(x) = x for tiny x');
  t.same([th[4], th[5], th[8], th[9]], [1, -1, 1, -1], 'tanh saturates at +-1');
  t.ok(Number.isNaN(s[10]) && Number.isNaN(th[10]), 'NaN stays NaN');
});
