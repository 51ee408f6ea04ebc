import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import * as bn from '../../lib';
import { Recurrent, RnnDropoutMasks } from '../../lib/layers/recurrent';
import { randomArray, rng } from '../helpers/gradcheck';
import { LayerHarness } from '../helpers/layer-call';

// LSTM and GRU dropout / recurrentDropout at the layer and model level (the kernels'
// gradients: test/gradcheck/lstm.test.ts, gru.test.ts; Keras: test/golden/rnn-dropout-keras.test.ts).

const N = 3, T = 4, I = 5, U = 3;
const x = bn.tensor(randomArray(N * T * I, 11), [N, T, I]);

/** A built layer with random weights (the same for the same seed). */
function built<L extends Recurrent>(layer: L, seed = 3): L {
  layer.build([T, I]);
  for (const p of layer.weights) p.value.data.set(randomArray(p.value.size, seed + p.value.size, -0.8, 0.8));
  return layer;
}

const makers = {
  lstm: (a: Partial<bn.LSTMArgs>) => bn.layers.lstm({ units: U, returnSequences: true, ...a }),
  gru: (a: Partial<bn.GRUArgs>) => bn.layers.gru({ units: U, returnSequences: true, ...a }),
};

/** The masks a training call drew (what forward saved for backward). */
const drawn = (h: LayerHarness): RnnDropoutMasks => h.call.saved.masks as RnnDropoutMasks;

for (const cell of ['lstm', 'gru'] as const) {
  const gates = cell === 'lstm' ? 4 : 3;
  const make = makers[cell];

  t.test(`${cell}: inference ignores dropout; training with rates 0 is inference`, async (t) => {
    const plain = new LayerHarness(built(make({})), false).forward(x).data.slice();
    const dropped = built(make({ dropout: 0.5, recurrentDropout: 0.5 }));
    t.same(Array.from(new LayerHarness(dropped, false).forward(x).data), Array.from(plain), 'rates set, inference: the same bits');
    const h = new LayerHarness(built(make({})), true);
    t.same(Array.from(h.forward(x).data), Array.from(plain), 'rates 0, training: the same bits');
    t.equal(drawn(h), null, 'no masks drawn');
    const training = new LayerHarness(dropped, true);
    t.notSame(Array.from(training.forward(x).data), Array.from(plain), 'rates set, training: dropout changes the output');
  });

  t.test(`${cell}: input dropout alone is one mask over [N, I], the same at every step`, async (t) => {
    bn.setSeed(4);
    const layer = built(make({ dropout: 0.4 }));
    const h = new LayerHarness(layer, true);
    const out = h.forward(x).data.slice();
    const masks = drawn(h);
    t.equal(masks.input!.length, N * I, 'one input mask (Keras implementation 2)');
    t.equal(masks.recurrent, null, 'no recurrent mask');
    // Inference on x * mask (broadcast over time) computes the same products, so the same bits.
    const xm = x.data.map((v, k) => v * masks.input![Math.floor(k / (T * I)) * I + (k % I)]);
    const ref = new LayerHarness(layer, false).forward(bn.tensor(xm, [N, T, I])).data;
    t.same(Array.from(out), Array.from(ref), 'training output = inference on x * mask');
  });

  t.test(`${cell}: recurrentDropout draws one mask per gate, for the input too (Keras forces implementation 1)`, async (t) => {
    const h = new LayerHarness(built(make({ dropout: 0.2, recurrentDropout: 0.3 })), true);
    h.forward(x);
    t.equal(drawn(h).input!.length, gates * N * I, `${gates} input masks`);
    t.equal(drawn(h).recurrent!.length, gates * N * U, `${gates} recurrent masks`);
    const h1 = new LayerHarness(built(make({ dropout: 0.2, implementation: 1 })), true);
    h1.forward(x);
    t.equal(drawn(h1).input!.length, gates * N * I, `implementation 1: ${gates} input masks`);
  });

  t.test(`${cell}: masks keep 1 - rate of the units, scaled by 1/(1 - rate), new each call`, async (t) => {
    bn.setSeed(5);
    const big = bn.tensor(randomArray(500 * 2 * 8, 6), [500, 2, 8]);
    for (const [dropout, recurrentDropout] of [[0.3, 0.6], [0.5, 0.1]]) {
      const layer = cell === 'lstm' ? bn.layers.lstm({ units: 8, dropout, recurrentDropout }) : bn.layers.gru({ units: 8, dropout, recurrentDropout });
      layer.build([2, 8]);
      const h = new LayerHarness(layer, true);
      h.forward(big);
      const first = drawn(h);
      for (const [name, mask, rate] of [['input', first.input!, dropout], ['recurrent', first.recurrent!, recurrentDropout]] as const) {
        const scale = Math.fround(1 / (1 - rate));
        const zeros = mask.filter((v) => v === 0).length;
        t.ok(mask.every((v) => v === 0 || v === scale), `${name}: every value 0 or ${scale}`);
        // 500 * 8 * gates >= 12000 draws: 4 standard deviations of the dropped fraction is under 0.02.
        t.ok(Math.abs(zeros / mask.length - rate) < 0.02, `${name}: dropped ${(zeros / mask.length).toFixed(3)} of ${mask.length}, rate ${rate}`);
      }
      const before = first.input!.slice();
      h.forward(big);
      t.ok(drawn(h).input!.some((v, k) => v !== before[k]), 'the next call draws new masks');
    }
  });

  t.test(`${cell}: seed gives the layer its own generator; otherwise bn.setSeed`, async (t) => {
    const masksOf = (layer: Recurrent): number[] => {
      const h = new LayerHarness(built(layer), true);
      h.forward(x);
      return Array.from(drawn(h).recurrent!);
    };
    bn.setSeed(1);
    const a = masksOf(make({ recurrentDropout: 0.5, seed: 42 }));
    bn.setSeed(2);
    t.same(masksOf(make({ recurrentDropout: 0.5, seed: 42 })), a, 'seed 42 twice: the same masks whatever setSeed');
    t.notSame(masksOf(make({ recurrentDropout: 0.5, seed: 43 })), a, 'another seed: other masks');
    bn.setSeed(7);
    const b = masksOf(make({ recurrentDropout: 0.5 }));
    bn.setSeed(7);
    t.same(masksOf(make({ recurrentDropout: 0.5 })), b, 'no seed: reproducible through bn.setSeed');
  });

  t.test(`${cell}: Bidirectional draws each direction's own masks and backpropagates through them`, async (t) => {
    bn.setSeed(8);
    const layer = bn.layers.bidirectional({ layer: make({ dropout: 0.3, recurrentDropout: 0.3 }) });
    layer.build([T, I]);
    const h = new LayerHarness(layer, true);
    const out = h.forward(x);
    const f = h.call.child('forward').saved.masks as RnnDropoutMasks, b = h.call.child('backward').saved.masks as RnnDropoutMasks;
    t.notSame(Array.from(f.input!), Array.from(b.input!), 'input masks differ between directions');
    t.notSame(Array.from(f.recurrent!), Array.from(b.recurrent!), 'recurrent masks differ between directions');
    const dx = h.backward(bn.tensor(randomArray(out.size, 9), out.shape), true)!;
    t.ok(dx.data.every(Number.isFinite), 'finite input gradient');
    // Keras builds both directions from one config, so an explicit seed seeds both alike.
    const seeded = bn.layers.bidirectional({ layer: make({ dropout: 0.3, seed: 5 }) });
    seeded.build([T, I]);
    const hs = new LayerHarness(seeded, true);
    hs.forward(x);
    const sf = hs.call.child('forward').saved.masks as RnnDropoutMasks, sb = hs.call.child('backward').saved.masks as RnnDropoutMasks;
    t.same(Array.from(sf.input!), Array.from(sb.input!), 'with a seed both directions draw the same masks, as in Keras');
  });

  t.test(`${cell}: strict options`, async (t) => {
    const where = cell === 'lstm' ? 'LSTM' : 'GRU';
    for (const bad of [1, -0.1, 1.5, NaN, '0.2']) {
      t.throws(() => make({ name: 'd', dropout: bad as number }), new RegExp(`d \\(${where}\\): dropout must be a number in \\[0, 1\\), got`), `dropout ${String(bad)}`);
      t.throws(() => make({ name: 'r', recurrentDropout: bad as number }), new RegExp(`r \\(${where}\\): recurrentDropout must be a number in \\[0, 1\\), got`), `recurrentDropout ${String(bad)}`);
    }
    t.throws(() => make({ name: 's', seed: 'x' as unknown as number }), new RegExp(`s \\(${where}\\): seed must be a finite number or null, got "x"`));
    t.throws(() => make({ recurrentDropot: 0.1 } as never), /recurrentDropout/, 'a misspelt key names the closest');
    t.doesNotThrow(() => make({ dropout: 0, recurrent_dropout: 0.99, seed: null } as never), 'snake_case, bounds and null seed');
  });
}

t.test('config: dropout, recurrent_dropout and seed are saved and loaded', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'blasnet-rnn-dropout-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const model = bn.sequential({ layers: [
    bn.layers.lstm({ units: 3, dropout: 0.25, recurrentDropout: 0.5, seed: 9, returnSequences: true, inputShape: [T, I], name: 'l' }),
    bn.layers.bidirectional({ layer: bn.layers.gru({ units: 2, dropout: 0.1, resetAfter: false }), name: 'b' }),
  ] });
  t.match(model.getLayer('l').getConfig(), { dropout: 0.25, recurrent_dropout: 0.5, seed: 9 });
  await model.save(dir);
  const loaded = await bn.loadLayersModel(dir);
  const l = loaded.getLayer('l') as bn.LSTM, b = loaded.getLayer('b') as bn.Bidirectional;
  t.match([l.dropout, l.recurrentDropout, l.seed], [0.25, 0.5, 9]);
  t.match(b.getConfig(), { layer: { config: { dropout: 0.1, recurrent_dropout: 0, seed: null } } });
  t.match([b.forwardLayer.dropout, b.backwardLayer.dropout], [0.1, 0.1]);
  t.same(Array.from((loaded.predict(x) as bn.Tensor).data), Array.from((model.predict(x) as bn.Tensor).data), 'the same predictions');
});

// The seed sequence task (test/models/sequence-task.test.ts) trained with both dropouts on.
const TS = 20;
function runningSumTask(n: number, seed: number): { x: bn.Tensor; y: bn.Tensor } {
  const next = rng(seed);
  const xs = new Float32Array(n * TS), ys = new Int32Array(n * TS);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let s = 0; s < TS; s++) {
      const v = next() < 0.5 ? -1 : 1;
      sum += v;
      xs[i * TS + s] = v;
      ys[i * TS + s] = sum > 0 ? 1 : 0;
    }
  }
  return { x: new bn.Tensor(xs, [n, TS, 1]), y: new bn.Tensor(ys, [n, TS]) };
}

for (const cell of ['lstm', 'gru'] as const) {
  t.test(`${cell} with dropout 0.1 and recurrentDropout 0.2 still learns the running-sum sign (held out)`, async (t) => {
    bn.setSeed(1);
    const train = runningSumTask(1000, 2), test = runningSumTask(300, 3);
    const args = { units: 12, returnSequences: true, dropout: 0.1, recurrentDropout: 0.2, inputShape: [TS, 1] };
    const model = bn.sequential({ layers: [cell === 'lstm' ? bn.layers.lstm(args) : bn.layers.gru(args), bn.layers.dense({ units: 2, activation: 'softmax' })] });
    model.compile({ optimizer: bn.optimizers.adam({ learningRate: 0.02 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    await model.fit(train.x, train.y, { epochs: 8, batchSize: 32, verbose: 0 });
    const { accuracy } = await model.evaluate(test.x, test.y);
    t.ok(accuracy >= 0.9, `held-out per-timestep accuracy ${(100 * accuracy).toFixed(1)}%`);
  });
}
