import t from 'tap';
import * as bn from '../../lib/index';
import { planStages } from '../../lib/layers/fusion';
import { Layer } from '../../lib/layers/layer';
import { Tensor } from '../../lib/tensor';
import { maxAbsDiff, randomArray } from '../helpers/gradcheck';

// planStages runs a convolution and the max pooling after it as one kernel when
// it can; the fused stage must compute what the two layers compute, weights,
// gradients and all, and leave every other layer to run on its own.

function built(inputShape: number[], ...layers: Layer[]): Layer[] {
  let shape: readonly number[] = inputShape;
  for (const l of layers) {
    l.build(shape);
    shape = l.outputShape!;
  }
  return layers;
}

const conv = (args: Record<string, unknown>): Layer => bn.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', ...args });
const pool = (args: Record<string, unknown> = {}): Layer => bn.layers.maxPooling2d({ poolSize: 2, ...args });

t.test('which layer pairs fuse', async (t) => {
  bn.setSeed(1);
  const sizes = (layers: Layer[]): number[] => planStages(layers).map((s) => s.layers.length);
  t.same(sizes(built([28, 28, 1], conv({}), pool(), bn.layers.flatten(), bn.layers.dense({ units: 4 }))), [2, 1, 1],
    'the seed CNN: conv + pool fused, flatten and dense alone');
  t.same(sizes(built([9, 9, 3], conv({ activation: 'linear', padding: 'same' }), pool())), [2], 'linear, same-padded conv');
  t.same(sizes(built([12, 3], bn.layers.conv1d({ filters: 4, kernelSize: 3, activation: 'relu' }), bn.layers.maxPooling1d({ poolSize: 2 }))),
    [2], 'Conv1D + MaxPooling1D');
  t.same(sizes(built([9, 9, 1], conv({ activation: 'tanh' }), pool())), [1, 1], 'tanh is not applied inside the kernel');
  t.same(sizes(built([9, 9, 5], conv({}), pool())), [1, 1], 'more than 4 input channels use im2col');
  t.same(sizes(built([9, 9, 1], conv({}), bn.layers.averagePooling2d({ poolSize: 2 }))), [1, 1], 'average pooling');
  t.same(sizes(built([9, 9, 1], conv({}), pool({ strides: 1 }))), [1, 1], 'overlapping windows');
  t.same(sizes(built([10, 10, 1], conv({}), pool({ padding: 'same', poolSize: 3 }))), [1, 1], "'same' pooling that pads");
  t.same(sizes(built([9, 9, 1], pool(), conv({}))), [1, 1], 'pool before conv');
});

for (const [name, input, make] of [
  ['Conv2D relu 3x3 + MaxPooling2D 2', [11, 10, 1], () => [conv({}), pool()]],
  ['Conv2D linear same, 2 channels + MaxPooling2D 3x2', [9, 8, 2], () => [conv({ activation: 'linear', padding: 'same' }), pool({ poolSize: [3, 2] })]],
  ['Conv1D relu + MaxPooling1D', [15, 1], () => [bn.layers.conv1d({ filters: 5, kernelSize: 3, activation: 'relu' }), bn.layers.maxPooling1d({ poolSize: 2 })]],
] as [string, number[], () => Layer[]][]) {
  t.test(`${name}: the fused stage computes what the layers compute`, async (t) => {
    bn.setSeed(2);
    const [c, p] = built(input, ...make());
    const N = 3;
    const x = new Tensor(randomArray(N * input.reduce((a, b) => a * b, 1), 5), [N, ...input]);
    const dyData = randomArray(N * p.outputShape!.reduce((a, b) => a * b, 1), 6);
    const grads = (): Float32Array[] => c.weights.map((w) => w.grad.slice());

    for (const w of c.weights) w.grad.fill(0);
    const yLayers = p.forward(c.forward(x, true), true).data.slice();
    const dxLayers = c.backward(p.backward(new Tensor(dyData.slice(), [N, ...p.outputShape!]), true)!, true)!.data.slice();
    const gradsLayers = grads();

    for (const w of c.weights) w.grad.fill(0);
    const [stage] = planStages([c, p]);
    t.equal(stage.layers.length, 2, 'fused');
    const y = stage.forward(x, true);
    t.same(y.shape, [N, ...p.outputShape!]);
    t.equal(maxAbsDiff(y.data, yLayers), 0, 'the same outputs');
    const dx = stage.backward(new Tensor(dyData.slice(), y.shape), true)!;
    t.ok(maxAbsDiff(dx.data, dxLayers) < 1e-6, 'the same input gradient');
    grads().forEach((g, i) => t.ok(maxAbsDiff(g, gradsLayers[i]) < 1e-6, `the same gradient of ${c.weights[i].name}`));

    t.equal(maxAbsDiff(stage.forward(x, false).data, yLayers), 0, 'inference gives the same outputs');
    t.throws(() => stage.backward(new Tensor(dyData.slice(), y.shape), true), /needs a training forwardPooled first/,
      'no backward pass after an inference one');
  });
}

t.test('a Sequential model trains the same with its layers run by planStages', async (t) => {
  // The stages' forward and backward, chained as Sequential chains its layers.
  const make = (): bn.Sequential => {
    bn.setSeed(3);
    const m = bn.sequential();
    m.add(bn.layers.conv2d({ filters: 6, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 1] }));
    m.add(bn.layers.maxPooling2d({ poolSize: 2 }));
    m.add(bn.layers.flatten());
    m.add(bn.layers.dense({ units: 3 }));
    return m;
  };
  const x = new Tensor(randomArray(4 * 64, 8), [4, 8, 8, 1]), dy = randomArray(4 * 3, 9);
  const run = (m: bn.Sequential, fuse: boolean): Float32Array[] => {
    const stages = fuse ? planStages(m.layers) : m.layers.map((l) => ({ layers: [l], forward: l.forward.bind(l), backward: l.backward.bind(l) }));
    let a = x;
    for (const s of stages) a = s.forward(a, true);
    let g: Tensor | null = new Tensor(dy.slice(), a.shape);
    for (let i = stages.length - 1; i >= 0 && g; i--) g = stages[i].backward(g, i > 0);
    return [a.data.slice() as Float32Array, ...m.weights.map((w) => w.grad.slice())];
  };
  const fused = run(make(), true), plain = run(make(), false);
  t.equal(planStages(make().layers).length, 3);
  fused.forEach((v, i) => t.ok(maxAbsDiff(v, plain[i]) < 1e-6, i === 0 ? 'outputs' : `gradient ${i}`));
});
