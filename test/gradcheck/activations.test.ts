import t from 'tap';
import { native } from '../../lib/native';
import { checkGradient, randomArray, weightedSum } from '../helpers/gradcheck';

// Activation ids as in native/kernels/kernels.h.
const kinds: [string, number][] = [
  ['linear', 0], ['relu', 1], ['sigmoid', 2], ['tanh', 3], ['softmax', 4], ['elu', 5], ['selu', 6],
  ['softplus', 7], ['softsign', 8], ['relu6', 9], ['hard_sigmoid', 10], ['swish', 11], ['gelu', 12],
];
// Points where the derivative jumps; finite differences straddling them are meaningless.
const kinks: Record<string, number[]> = { relu: [0], elu: [0], selu: [0], relu6: [0, 6], hard_sigmoid: [-2.5, 2.5] };

for (const [name, kind] of kinds) {
  t.test(`activation ${name}`, async (t) => {
    const R = 4, K = 5, eps = 1e-2;
    const x = randomArray(R * K, 11, -3, 3);
    if (name === 'relu6') for (let i = 0; i < x.length; i += 3) x[i] += 5; // reach the upper kink region
    const r = randomArray(R * K, 12);
    const y = new Float32Array(R * K);
    const objective = (): number => {
      native.activationForward(kind, y, x, R, K);
      return weightedSum(y, r);
    };
    objective();
    const dx = new Float32Array(R * K);
    native.activationBackward(kind, dx, r, x, y, R, K);
    const nearKink = (i: number): boolean => (kinks[name] ?? []).some((k) => Math.abs(x[i] - k) < 2 * eps);
    const res = checkGradient(x, dx, objective, { eps, skip: nearKink });
    t.ok(res.checked > 10, `checked ${res.checked} points`);
    t.ok(res.maxRelError < 2e-3, `max rel error ${res.maxRelError.toExponential(2)}`, res.worst ?? {});
  });
}

t.test('activation values match their definitions', async (t) => {
  const x = Float32Array.from([-2, -0.5, 0, 0.5, 2]);
  const y = new Float32Array(5);
  const expect = (kind: number, f: (v: number) => number, label: string): void => {
    native.activationForward(kind, y, x, 1, 5);
    const worst = Math.max(...Array.from(x, (v, i) => Math.abs(y[i] - f(v))));
    t.ok(worst < 1e-6, `${label}: max diff ${worst}`);
  };
  expect(1, (v) => Math.max(v, 0), 'relu');
  expect(2, (v) => 1 / (1 + Math.exp(-v)), 'sigmoid');
  expect(3, Math.tanh, 'tanh');
  expect(10, (v) => Math.min(Math.max(0.2 * v + 0.5, 0), 1), 'hard_sigmoid');
  native.activationForward(4, y, x, 1, 5);
  const e = Array.from(x, Math.exp), s = e.reduce((a, b) => a + b);
  t.ok(Math.max(...e.map((v, i) => Math.abs(v / s - y[i]))) < 1e-6, 'softmax');
});

t.test('softmax is stable for logits of +-1000', async (t) => {
  const x = Float32Array.from([1000, -1000, 999, 0]);
  const y = new Float32Array(4);
  native.activationForward(4, y, x, 1, 4);
  t.ok(y.every(Number.isFinite), 'all finite');
  t.ok(Math.abs(y[0] - 1 / (1 + Math.exp(-1))) < 1e-6, `p0 = ${y[0]}`);
});
