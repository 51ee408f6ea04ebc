import t from 'tap';
import * as bn from '../../lib/index';
import { native } from '../../lib/native';
import { Tensor } from '../../lib/tensor';
import { checkGradient, f32, randomArray, weightedSum } from '../helpers/gradcheck';
import { harness } from '../helpers/layer-call';

// Global pooling backward against central differences, over [N,S,C] with S = H*W or T.
for (const [N, S, C] of [[1, 1, 1], [2, 6, 3], [3, 4, 300]]) {
  for (const kind of ['Avg', 'Max'] as const) {
    t.test(`global${kind}Pool N=${N} S=${S} C=${C}`, async (t) => {
      const x = randomArray(N * S * C, 1, -2, 2), r = randomArray(N * C, 2);
      const out = new Float32Array(N * C);
      const forward = kind === 'Avg' ? native.globalAvgPoolForward : native.globalMaxPoolForward;
      const objective = (): number => { forward(out, x, N, S, C); return weightedSum(out, r); };
      const dx = new Float32Array(N * S * C).fill(7);
      if (kind === 'Avg') native.globalAvgPoolBackward(dx, r, N, S, C);
      else native.globalMaxPoolBackward(dx, r, x, N, S, C);
      // Max: skip points within eps of their channel's maximum ties (the kink).
      const skip = (i: number): boolean => {
        if (kind === 'Avg') return false;
        const n = Math.floor(i / (S * C)), c = i % C;
        const others = Array.from({ length: S }, (_, s) => x[(n * S + s) * C + c]).filter((_, s) => (n * S + s) * C + c !== i);
        return others.some((v) => Math.abs(v - x[i]) < 0.05);
      };
      const res = checkGradient(x, dx, objective, { skip });
      t.ok(res.maxRelError < 1e-3, `dx: max rel error ${res.maxRelError.toExponential(2)} over ${res.checked} points`, res.worst ?? {});
    });
  }
}

t.test('globalMaxPool routes a tie to the first maximum', async (t) => {
  // x[1,3,2]: channel 0 ties at s=0 and s=2, channel 1 at s=1 and s=2.
  const x = Float32Array.from([5, 1, 2, 4, 5, 4]);
  const dx = new Float32Array(6);
  native.globalMaxPoolBackward(dx, Float32Array.from([10, 20]), x, 1, 3, 2);
  t.same(Array.from(dx), [10, 0, 0, 20, 0, 0]);
  t.throws(() => native.globalMaxPoolBackward(dx, Float32Array.from([1, 2]), x.subarray(1), 1, 3, 2),
    { name: 'RangeError', message: /globalMaxPoolBackward: x has 5 elements, expected N\*S\*C = 6/ });
  t.throws(() => native.globalAvgPoolForward(new Float32Array(2), x, 1, 0, 2), { name: 'RangeError', message: /S must be an integer in \[1, / });
});

t.test('global pooling layers: shapes, keepdims, errors', async (t) => {
  const layer = bn.layers.globalAveragePooling2d({ inputShape: [2, 3, 4] });
  t.same(layer.computeOutputShape([2, 3, 4]), [4]);
  t.same(bn.layers.globalMaxPooling2d({ keepdims: true }).computeOutputShape([2, 3, 4]), [1, 1, 4]);
  t.same(bn.layers.globalMaxPooling1d().computeOutputShape([5, 4]), [4]);
  t.throws(() => bn.layers.globalAveragePooling1d({ name: 'gap' }).computeOutputShape([2, 3, 4]),
    { name: 'ShapeError', message: /gap \(GlobalAveragePooling1D\): expected input of rank 3 \[null, steps, channels\], got \[null, 2, 3, 4\]/ });
  t.throws(() => bn.layers.globalMaxPooling2d({ dataFormat: 'channels_first' }), /only dataFormat 'channels_last'/);
  // A 1D pool is the 2D pool of the same data seen as [N, T, 1, C].
  const x = randomArray(2 * 5 * 3, 3);
  const p1 = bn.layers.globalMaxPooling1d({ inputShape: [5, 3] }), p2 = bn.layers.globalMaxPooling2d({ inputShape: [5, 1, 3] });
  p1.build([5, 3]);
  p2.build([5, 1, 3]);
  t.same(Array.from(harness(p1).forward(new Tensor(x, [2, 5, 3]), false).data), Array.from(harness(p2).forward(new Tensor(x, [2, 5, 1, 3]), false).data));
  t.equal(harness(p1).backward(new Tensor(new Float32Array(6), [2, 3]), false), null, 'no input gradient when not needed');
});

t.test('dropout kernel applies the mask and scales kept values by 1/(1-rate)', async (t) => {
  const x = randomArray(8, 4), mask = Float32Array.from([1, 0, 1, 1, 0, 0, 1, 0]);
  const out = new Float32Array(8);
  native.dropoutForward(out, x, mask, 8, 0.25);
  t.same(Array.from(out), Array.from(x, (v, i) => Math.fround(v * (mask[i] * Math.fround(1 / 0.75)))));
  const dy = randomArray(8, 5), dx = dy.slice();
  native.dropoutBackward(dx, dx, mask, 8, 0.25);
  t.same(Array.from(dx), Array.from(dy, (v, i) => Math.fround(v * (mask[i] * Math.fround(1 / 0.75)))), 'backward, in place');
  t.throws(() => native.dropoutForward(out, x, mask, 8, 1), { name: 'RangeError', message: /rate must be in \[0, 1\)/ });
  t.throws(() => native.dropoutForward(out, x, mask.subarray(1), 8, 0.5), { name: 'RangeError', message: /mask has 7 elements, expected n = 8/ });
});

t.test('dropout layer: active only in training, seeded keep fraction, gradient through the mask', async (t) => {
  const n = 20000, rate = 0.3;
  const layer = bn.layers.dropout({ rate, inputShape: [n] });
  layer.build([n]);
  const x = new Tensor(randomArray(n, 6, 0.5, 1.5), [1, n]);
  t.equal(harness(layer).forward(x, false), x, 'identity at inference');
  bn.setSeed(123);
  const y = f32(harness(layer).forward(x, true));
  let kept = 0, scaledOk = true;
  for (let i = 0; i < n; i++) {
    if (y[i] !== 0) {
      kept++;
      scaledOk &&= Math.abs(y[i] - x.data[i] / (1 - rate)) < 1e-6;
    }
  }
  const fraction = kept / n;
  // Binomial standard deviation sqrt(p(1-p)/n) ~ 0.0032; allow 4 of them.
  t.ok(Math.abs(fraction - (1 - rate)) < 0.013, `kept fraction ${fraction.toFixed(4)} vs ${1 - rate}`);
  t.ok(scaledOk, 'kept values are scaled by 1/(1-rate)');
  bn.setSeed(123);
  t.same(Array.from(f32(harness(layer).forward(x, true))), Array.from(y), 'same mask for the same seed');
  // The gradient is the same mask and scale: d(sum(y*r))/dx = r * mask / (1-rate).
  const r = randomArray(n, 7);
  const dx = f32(harness(layer).backward(new Tensor(r.slice(), [1, n]), true)!);
  t.ok(dx.every((g, i) => (y[i] === 0 ? g === 0 : Math.abs(g - r[i] / (1 - rate)) < 1e-6)), 'dx = dy * mask / (1-rate)');
  t.equal(harness(layer).backward(new Tensor(r.slice(), [1, n]), false), null, 'no input gradient when not needed');
});

t.test('dropout layer: noiseShape broadcasts the mask, seed gives a layer its own stream', async (t) => {
  const layer = bn.layers.dropout({ rate: 0.5, noiseShape: [null, 1, 4], seed: 9, inputShape: [6, 4] });
  layer.build([6, 4]);
  const y = f32(harness(layer).forward(new Tensor(new Float32Array(3 * 6 * 4).fill(1), [3, 6, 4]), true));
  for (let n = 0; n < 3; n++) {
    for (let s = 1; s < 6; s++) {
      for (let c = 0; c < 4; c++) {
        if (y[(n * 6 + s) * 4 + c] !== y[n * 6 * 4 + c]) t.fail(`mask differs across timesteps at n=${n} s=${s} c=${c}`);
      }
    }
  }
  t.ok(y.some((v) => v === 0) && y.some((v) => v === 2), 'some dropped, some kept and doubled');
  const again = bn.layers.dropout({ rate: 0.5, noiseShape: [null, 1, 4], seed: 9, inputShape: [6, 4] });
  again.build([6, 4]);
  bn.setSeed(1);
  t.same(Array.from(f32(harness(again).forward(new Tensor(new Float32Array(3 * 6 * 4).fill(1), [3, 6, 4]), true))), Array.from(y),
    'an explicit seed ignores bn.setSeed');
  t.throws(() => bn.layers.dropout({ rate: 0.5, noiseShape: [null, 2, 4] }).build([6, 4]), /noiseShape \[null, 2, 4\] does not broadcast/);
  t.throws(() => bn.layers.dropout({ rate: 1 }), /rate must be a number in \[0, 1\)/);
  t.same(bn.layers.dropout({ rate: 0.2, name: 'd' }).getConfig(), { name: 'd', trainable: true, dtype: 'float32', rate: 0.2, noise_shape: null, seed: null });
});
