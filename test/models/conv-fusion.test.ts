import t from 'tap';
import * as bn from '../../lib/index';
import { ExecutionContext } from '../../lib/engine/context';
import { Graph } from '../../lib/engine/graph';
import { SymbolicTensor } from '../../lib/engine/symbolic';
import { Layer, Param } from '../../lib/layers/layer';
import { Tensor } from '../../lib/tensor';
import { maxAbsDiff, randomArray } from '../helpers/gradcheck';
import { harness } from '../helpers/layer-call';

// A model's graph runs a convolution and the max pooling after it as one kernel when
// it can; the fused step must compute what the two layers compute, weights,
// gradients and all, and leave every other layer to run on its own.

/** The graph of a chain of layers from an input of this per-sample shape. */
function chain(inputShape: number[], ...layers: Layer[]): Graph {
  const input = bn.input({ shape: inputShape });
  let out = input;
  for (const l of layers) out = l.apply(out) as SymbolicTensor;
  return new Graph([input], [out], 'test');
}

/** A context that keeps every weight's gradient, and those gradients. */
function training(graph: Graph): [ExecutionContext, Map<Param, Float32Array>] {
  const grads = new Map(graph.layers.flatMap((l) => l.weights.map((p) => [p, new Float32Array(p.value.size)] as [Param, Float32Array])));
  return [new ExecutionContext(graph, grads), grads];
}

const conv = (args: Record<string, unknown>): Layer => bn.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', ...args });
const pool = (args: Record<string, unknown> = {}): Layer => bn.layers.maxPooling2d({ poolSize: 2, ...args });

t.test('which layer pairs fuse', async (t) => {
  bn.setSeed(1);
  const sizes = (g: Graph): number[] => g.steps.map((s) => s.nodes.length);
  t.same(sizes(chain([28, 28, 1], conv({}), pool(), bn.layers.flatten(), bn.layers.dense({ units: 4 }))), [2, 1, 1],
    'the seed CNN: conv + pool fused, flatten and dense alone');
  t.same(sizes(chain([9, 9, 3], conv({ activation: 'linear', padding: 'same' }), pool())), [2], 'linear, same-padded conv');
  t.same(sizes(chain([12, 3], bn.layers.conv1d({ filters: 4, kernelSize: 3, activation: 'relu' }), bn.layers.maxPooling1d({ poolSize: 2 }))),
    [2], 'Conv1D + MaxPooling1D');
  t.same(sizes(chain([9, 9, 1], conv({ activation: 'tanh' }), pool())), [1, 1], 'tanh is not applied inside the kernel');
  t.same(sizes(chain([9, 9, 5], conv({}), pool())), [1, 1], 'more than 4 input channels use im2col');
  t.same(sizes(chain([9, 9, 1], conv({}), bn.layers.averagePooling2d({ poolSize: 2 }))), [1, 1], 'average pooling');
  t.same(sizes(chain([9, 9, 1], conv({}), pool({ strides: 1 }))), [1, 1], 'overlapping windows');
  t.same(sizes(chain([10, 10, 1], conv({}), pool({ padding: 'same', poolSize: 3 }))), [1, 1], "'same' pooling that pads");
  t.same(sizes(chain([9, 9, 1], pool(), conv({}))), [1, 1], 'pool before conv');
});

for (const [name, input, make] of [
  ['Conv2D relu 3x3 + MaxPooling2D 2', [11, 10, 1], () => [conv({}), pool()]],
  ['Conv2D linear same, 2 channels + MaxPooling2D 3x2', [9, 8, 2], () => [conv({ activation: 'linear', padding: 'same' }), pool({ poolSize: [3, 2] })]],
  ['Conv1D relu + MaxPooling1D', [15, 1], () => [bn.layers.conv1d({ filters: 5, kernelSize: 3, activation: 'relu' }), bn.layers.maxPooling1d({ poolSize: 2 })]],
] as [string, number[], () => Layer[]][]) {
  t.test(`${name}: the fused step computes what the layers compute`, async (t) => {
    bn.setSeed(2);
    const [c, p] = make();
    const graph = chain(input, c, p);
    const N = 3;
    const x = new Tensor(randomArray(N * input.reduce((a, b) => a * b, 1), 5), [N, ...input]);
    const dyData = randomArray(N * p.outputShape!.reduce((a, b) => a * b, 1), 6);

    const yLayers = harness(p).forward(harness(c).forward(x, true), true).data.slice();
    const dxLayers = harness(c).backward(harness(p).backward(new Tensor(dyData.slice(), [N, ...p.outputShape!]), true)!, true)!.data.slice();
    const gradsLayers = c.weights.map((w) => harness(c).grad(w).slice());

    const [ctx, grads] = training(graph);
    t.equal(graph.steps.length, 1, 'fused');
    const [y] = ctx.forward([x], true, true);
    t.same(y.shape, [N, ...p.outputShape!]);
    t.equal(maxAbsDiff(y.data, yLayers), 0, 'the same outputs');
    const [dx] = ctx.backward([new Tensor(dyData.slice(), y.shape)], { inputGradients: true });
    t.ok(maxAbsDiff(dx!.data, dxLayers) < 1e-6, 'the same input gradient');
    c.weights.forEach((w, i) => t.ok(maxAbsDiff(grads.get(w)!, gradsLayers[i]) < 1e-6, `the same gradient of ${w.name}`));

    t.equal(maxAbsDiff(ctx.forward([x], false, false)[0].data, yLayers), 0, 'inference gives the same outputs');
    t.throws(() => ctx.backward([new Tensor(dyData.slice(), y.shape)]), /needs a recorded forwardPooled first/,
      'no backward pass after an inference one');
  });
}

t.test('a chain trains the same with a fused step as with its layers one by one', async (t) => {
  const make = (): Layer[] => {
    bn.setSeed(3);
    return [bn.layers.conv2d({ filters: 6, kernelSize: 3, activation: 'relu' }), bn.layers.maxPooling2d({ poolSize: 2 }),
      bn.layers.flatten(), bn.layers.dense({ units: 3 })];
  };
  const x = new Tensor(randomArray(4 * 64, 8), [4, 8, 8, 1]), dy = randomArray(4 * 3, 9);
  const fusedLayers = make();
  const graph = chain([8, 8, 1], ...fusedLayers);
  t.same(graph.steps.map((s) => s.nodes.length), [2, 1, 1]);
  const [ctx, grads] = training(graph);
  const [out] = ctx.forward([x], true, true);
  ctx.backward([new Tensor(dy.slice(), out.shape)]);
  const fused = [out.data.slice() as Float32Array, ...fusedLayers.flatMap((l) => l.weights.map((w) => grads.get(w)!))];

  const layers = make();
  chain([8, 8, 1], ...layers); // builds them
  let a = x;
  for (const l of layers) a = harness(l).forward(a, true);
  let g: Tensor | null = new Tensor(dy.slice(), a.shape);
  for (let i = layers.length - 1; i >= 0 && g; i--) g = harness(layers[i]).backward(g, i > 0);
  const plain = [a.data.slice() as Float32Array, ...layers.flatMap((l) => l.weights.map((w) => harness(l).grad(w)))];
  t.equal(fused.length, plain.length);
  fused.forEach((v, i) => t.ok(maxAbsDiff(v, plain[i]) < 1e-6, i === 0 ? 'outputs' : `gradient ${i}`));
});
