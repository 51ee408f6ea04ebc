import * as tf from '@tensorflow/tfjs';
import t from 'tap';
import * as bn from '../../lib';
import { maxAbsDiff, randomArray } from '../helpers/gradcheck';

// LSTM, GRU and Bidirectional against TensorFlow.js with identical weights and
// every activation set explicitly (tfjs's recurrent default is hardSigmoid, Keras 3's
// sigmoid). TensorFlow.js's GRU is the reset-before variant (it rejects
// resetAfter: true), so the Keras 3 default GRU is compared with a plain
// double-precision reference of keras/src/layers/rnn/gru.py instead.
tf.setBackend('cpu');

const N = 3, T = 5, I = 4, U = 3;
const x = randomArray(N * T * I, 1);
const TOL = 1e-5;

type Cfg = { returnSequences: boolean; goBackwards: boolean; activation: string; recurrentActivation: string };
const configs: Cfg[] = [
  { returnSequences: true, goBackwards: false, activation: 'tanh', recurrentActivation: 'sigmoid' },
  { returnSequences: false, goBackwards: false, activation: 'tanh', recurrentActivation: 'sigmoid' },
  { returnSequences: true, goBackwards: true, activation: 'tanh', recurrentActivation: 'hardSigmoid' },
  { returnSequences: false, goBackwards: true, activation: 'relu', recurrentActivation: 'sigmoid' },
  { returnSequences: true, goBackwards: false, activation: 'linear', recurrentActivation: 'tanh' },
];

function weights(gates: number, biasLength: number, seed: number): Float32Array[] {
  return [randomArray(I * gates * U, seed, -0.7, 0.7), randomArray(U * gates * U, seed + 1, -0.7, 0.7), randomArray(biasLength, seed + 2, -0.5, 0.5)];
}

function tfWeights(w: Float32Array[], shapes: number[][]): tf.Tensor[] {
  return w.map((v, i) => tf.tensor(v, shapes[i]));
}

function bnWeights(w: Float32Array[], shapes: number[][]): bn.Tensor[] {
  return w.map((v, i) => bn.tensor(v, shapes[i]));
}

function runTf(layer: tf.layers.Layer, w: tf.Tensor[]): Float32Array {
  const model = tf.sequential({ layers: [layer] });
  model.setWeights(w);
  return (model.predict(tf.tensor3d(x, [N, T, I])) as tf.Tensor).dataSync() as Float32Array;
}

function runBn(layer: bn.Layer, w: bn.Tensor[]): bn.Tensor {
  const model = bn.sequential({ layers: [layer] });
  model.setWeights(w);
  return model.predict(bn.tensor(x, [N, T, I]));
}

const describe = (c: Cfg): string => `seq=${c.returnSequences} back=${c.goBackwards} ${c.activation}/${c.recurrentActivation}`;
const snake = (name: string): string => (name === 'hardSigmoid' ? 'hard_sigmoid' : name);

t.test('LSTM matches tf.layers.lstm', async (t) => {
  const shapes = [[I, 4 * U], [U, 4 * U], [4 * U]];
  configs.forEach((c, k) => {
    const w = weights(4, 4 * U, 10 * k + 1);
    const want = runTf(tf.layers.lstm({ units: U, inputShape: [T, I], ...c } as Parameters<typeof tf.layers.lstm>[0]), tfWeights(w, shapes));
    const got = runBn(bn.layers.lstm({ units: U, inputShape: [T, I], ...c } as bn.LSTMArgs), bnWeights(w, shapes));
    t.same(got.shape, c.returnSequences ? [N, T, U] : [N, U], `${describe(c)}: shape`);
    const diff = maxAbsDiff(got.data, want);
    t.ok(diff <= TOL, `${describe(c)}: max |blasnet - tfjs| = ${diff.toExponential(2)}`);
  });
});

t.test('GRU with resetAfter: false matches tf.layers.gru', async (t) => {
  const shapes = [[I, 3 * U], [U, 3 * U], [3 * U]];
  configs.forEach((c, k) => {
    const w = weights(3, 3 * U, 10 * k + 2);
    const want = runTf(tf.layers.gru({ units: U, inputShape: [T, I], ...c } as Parameters<typeof tf.layers.gru>[0]), tfWeights(w, shapes));
    const got = runBn(bn.layers.gru({ units: U, inputShape: [T, I], resetAfter: false, ...c } as bn.GRUArgs), bnWeights(w, shapes));
    const diff = maxAbsDiff(got.data, want);
    t.ok(diff <= TOL, `${describe(c)}: max |blasnet - tfjs| = ${diff.toExponential(2)}`);
  });
});

const activations: Record<string, (v: number) => number> = {
  tanh: Math.tanh, sigmoid: (v) => 1 / (1 + Math.exp(-v)), hard_sigmoid: (v) => Math.min(1, Math.max(0, 0.2 * v + 0.5)),
  relu: (v) => Math.max(0, v), linear: (v) => v,
};

/** keras GRUCell.call (implementation 2, reset_after=True) over x[N,T,I], in float64. */
function kerasGruResetAfter(c: Cfg, kernel: Float32Array, recurrent: Float32Array, bias: Float32Array): number[] {
  const act = activations[snake(c.activation)], rec = activations[snake(c.recurrentActivation)];
  const G = 3 * U;
  const out: number[][][] = [];
  for (let n = 0; n < N; n++) {
    let h = new Array<number>(U).fill(0);
    const seq: number[][] = [];
    for (let s = 0; s < T; s++) {
      const step = c.goBackwards ? T - 1 - s : s;
      const xt = Array.from(x.subarray((n * T + step) * I, (n * T + step + 1) * I));
      const matrixX = Array.from({ length: G }, (_, j) => bias[j] + xt.reduce((a, v, i) => a + v * kernel[i * G + j], 0));
      const inner = Array.from({ length: G }, (_, j) => bias[G + j] + h.reduce((a, v, i) => a + v * recurrent[i * G + j], 0));
      h = h.map((hp, u) => {
        const z = rec(matrixX[u] + inner[u]);
        const r = rec(matrixX[U + u] + inner[U + u]);
        const hh = act(matrixX[2 * U + u] + r * inner[2 * U + u]);
        return z * hp + (1 - z) * hh;
      });
      seq.push(h);
    }
    out.push(seq);
  }
  return out.flatMap((seq) => (c.returnSequences ? seq.flat() : seq[T - 1]));
}

t.test('GRU (Keras 3 default resetAfter: true) matches a reference of keras gru.py', async (t) => {
  const shapes = [[I, 3 * U], [U, 3 * U], [2, 3 * U]];
  configs.forEach((c, k) => {
    const w = weights(3, 6 * U, 10 * k + 3);
    const want = kerasGruResetAfter(c, w[0], w[1], w[2]);
    const got = runBn(bn.layers.gru({ units: U, inputShape: [T, I], ...c } as bn.GRUArgs), bnWeights(w, shapes));
    const diff = maxAbsDiff(got.data, want);
    t.ok(diff <= TOL, `${describe(c)}: max |blasnet - reference| = ${diff.toExponential(2)}`);
  });
});

t.test('Bidirectional matches tf.layers.bidirectional', async (t) => {
  const cases: { cell: 'lstm' | 'gru'; mergeMode: bn.MergeMode; returnSequences: boolean }[] = [
    { cell: 'lstm', mergeMode: 'concat', returnSequences: true },
    { cell: 'lstm', mergeMode: 'sum', returnSequences: false },
    { cell: 'lstm', mergeMode: 'mul', returnSequences: true },
    { cell: 'gru', mergeMode: 'ave', returnSequences: true },
    { cell: 'gru', mergeMode: 'concat', returnSequences: false },
  ];
  cases.forEach((c, k) => {
    const gates = c.cell === 'lstm' ? 4 : 3;
    const shapes = [[I, gates * U], [U, gates * U], [gates * U]];
    const w = [...weights(gates, gates * U, 10 * k + 4), ...weights(gates, gates * U, 10 * k + 7)];
    const inner = { units: U, returnSequences: c.returnSequences, activation: 'tanh', recurrentActivation: 'sigmoid' } as const;
    // tfjs writes its cell into the options it is given, so it gets a copy.
    const tfInner = c.cell === 'lstm' ? tf.layers.lstm({ ...inner }) : tf.layers.gru({ ...inner });
    const want = runTf(tf.layers.bidirectional({ layer: tfInner as tf.RNN, mergeMode: c.mergeMode, inputShape: [T, I] }), tfWeights(w, [...shapes, ...shapes]));
    const bnInner = c.cell === 'lstm' ? bn.layers.lstm(inner) : bn.layers.gru({ ...inner, resetAfter: false });
    const got = runBn(bn.layers.bidirectional({ layer: bnInner, mergeMode: c.mergeMode, inputShape: [T, I] }), bnWeights(w, [...shapes, ...shapes]));
    const width = c.mergeMode === 'concat' ? 2 * U : U;
    t.same(got.shape, c.returnSequences ? [N, T, width] : [N, width], `${c.cell} ${c.mergeMode} seq=${c.returnSequences}: shape`);
    const diff = maxAbsDiff(got.data, want);
    t.ok(diff <= TOL, `${c.cell} ${c.mergeMode} seq=${c.returnSequences}: max |blasnet - tfjs| = ${diff.toExponential(2)}`);
  });
});

// One SGD step through each model in both libraries: the weights after it agree only
// if every gradient (through time, both directions and the merge) does.
// `gates` lists each direction's gate count; `width` is the recurrent output's last axis.
const stepCases: { name: string; seq: boolean; build: (lib: 'bn' | 'tf') => unknown; gates: number[]; width: number }[] = [
  {
    name: 'LSTM(returnSequences) -> Dense', seq: true, gates: [4], width: U,
    build: (lib) => (lib === 'bn' ? bn.layers.lstm : tf.layers.lstm)({ units: U, returnSequences: true, activation: 'tanh', recurrentActivation: 'sigmoid', inputShape: [T, I] }),
  },
  {
    name: 'GRU(goBackwards, resetAfter: false) -> Dense', seq: false, gates: [3], width: U,
    build: (lib) => lib === 'bn' ? bn.layers.gru({ units: U, goBackwards: true, resetAfter: false, activation: 'tanh', recurrentActivation: 'hardSigmoid', inputShape: [T, I] })
      : tf.layers.gru({ units: U, goBackwards: true, activation: 'tanh', recurrentActivation: 'hardSigmoid', inputShape: [T, I] }),
  },
  {
    name: 'Bidirectional(GRU(returnSequences), mul) -> Dense', seq: true, gates: [3, 3], width: U,
    build: (lib) => {
      const inner = { units: U, returnSequences: true, activation: 'tanh' as const, recurrentActivation: 'sigmoid' as const };
      return lib === 'bn' ? bn.layers.bidirectional({ layer: bn.layers.gru({ ...inner, resetAfter: false }), mergeMode: 'mul', inputShape: [T, I] })
        : tf.layers.bidirectional({ layer: tf.layers.gru(inner) as tf.RNN, mergeMode: 'mul', inputShape: [T, I] });
    },
  },
  {
    name: 'Bidirectional(LSTM, concat) -> Dense', seq: false, gates: [4, 4], width: 2 * U,
    build: (lib) => {
      const inner = { units: U, activation: 'tanh' as const, recurrentActivation: 'sigmoid' as const };
      return lib === 'bn' ? bn.layers.bidirectional({ layer: bn.layers.lstm(inner), inputShape: [T, I] })
        : tf.layers.bidirectional({ layer: tf.layers.lstm(inner) as tf.RNN, inputShape: [T, I] });
    },
  },
];

for (const c of stepCases) {
  t.test(`one SGD step of ${c.name} matches tfjs`, async (t) => {
    const yShape = c.seq ? [N, T, 2] : [N, 2];
    const y = randomArray(N * (c.seq ? T : 1) * 2, 50);
    const shapes = [...c.gates.flatMap((g) => [[I, g * U], [U, g * U], [g * U]]), [c.width, 2], [2]];
    const w = shapes.map((shape, k) => randomArray(shape.reduce((a, b) => a * b, 1), 60 + k, -0.7, 0.7));

    const model = bn.sequential({ layers: [c.build('bn') as bn.Layer, bn.layers.dense({ units: 2 })] });
    model.setWeights(bnWeights(w, shapes));
    model.compile({ optimizer: bn.optimizers.sgd({ learningRate: 0.5 }), loss: 'meanSquaredError' });
    await model.fit(bn.tensor(x, [N, T, I]), bn.tensor(y, yShape), { epochs: 1, batchSize: N, shuffle: false, verbose: 0 });

    const ref = tf.sequential({ layers: [c.build('tf') as tf.layers.Layer, tf.layers.dense({ units: 2 })] });
    ref.setWeights(tfWeights(w, shapes));
    ref.compile({ optimizer: tf.train.sgd(0.5), loss: 'meanSquaredError' });
    await ref.fit(tf.tensor3d(x, [N, T, I]), tf.tensor(y, yShape), { epochs: 1, batchSize: N, shuffle: false, verbose: 0 });

    const got = model.getWeights(), want = ref.getWeights();
    const diff = Math.max(...got.map((g, k) => maxAbsDiff(g.data, want[k].dataSync())));
    t.ok(diff <= TOL, `all ${got.length} weights after one step: max |blasnet - tfjs| = ${diff.toExponential(2)}`);
  });
}
