import t from 'tap';
import * as bn from '../../lib';
import { ExecutionContext } from '../../lib/engine/context';
import { SymbolicTensor } from '../../lib/engine/symbolic';
import { Param } from '../../lib/layers/layer';
import { checkGradient, maxAbsDiff, randomArray } from '../helpers/gradcheck';

// The graph engine: weights stay with their layers, calls keep their own state, gradients
// meet and sum where a tensor fans out, and optimizer state can be read and restored.

const apply = (layer: bn.Layer, x: SymbolicTensor | SymbolicTensor[]): SymbolicTensor => layer.apply(x) as SymbolicTensor;

t.test('a layer shared by two compiled models trains in both', async (t) => {
  bn.setSeed(1);
  const shared = bn.layers.dense({ units: 3, activation: 'relu', inputShape: [4] });
  const a = bn.sequential([shared, bn.layers.dense({ units: 2, activation: 'softmax' })]);
  const b = bn.sequential([shared, bn.layers.dense({ units: 1 })]);
  a.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  b.compile({ optimizer: 'sgd', loss: 'mse' });
  const x = bn.tensor(randomArray(40, 2), [10, 4]);
  const before = shared.getWeights()[0].data.slice();
  const bBefore = (b.predict(x) as bn.Tensor).data.slice();
  await a.fit(x, bn.tensor(Array.from({ length: 10 }, (_, i) => i % 2), [10]), { epochs: 3, verbose: 0 });
  const afterA = shared.getWeights()[0].data.slice();
  t.ok(maxAbsDiff(afterA, before) > 1e-3, 'fitting the first model changes the shared kernel');
  t.ok(maxAbsDiff((b.predict(x) as bn.Tensor).data, bBefore) > 1e-4, 'and the second model sees the new values');
  await b.fit(x, bn.tensor(randomArray(10, 3), [10, 1]), { epochs: 2, verbose: 0 });
  t.ok(maxAbsDiff(shared.getWeights()[0].data, afterA) > 1e-4, 'fitting the second model trains it too');
  t.equal(a.weights[0], b.weights[0], 'one weight object in both models');
});

t.test('two contexts of one model interleaved give the gradients of calls one after the other', async (t) => {
  bn.setSeed(2);
  const x = bn.input({ shape: [5] });
  const h = apply(bn.layers.dense({ units: 6, activation: 'tanh' }), x);
  const d = apply(bn.layers.dropout({ rate: 0 }), h);
  const y = apply(bn.layers.dense({ units: 2 }), d);
  const model = bn.model({ inputs: x, outputs: y });
  const graph = (model as unknown as { graph: ExecutionContext['graph'] }).graph;
  const gradsOf = (): Map<Param, Float32Array> => new Map(model.weights.map((p) => [p, new Float32Array(p.value.size)]));
  const x1 = bn.tensor(randomArray(15, 3), [3, 5]), x2 = bn.tensor(randomArray(15, 4), [3, 5]);
  const dy = (): bn.Tensor => bn.tensor(randomArray(6, 5), [3, 2]);

  const alone = gradsOf();
  const solo = new ExecutionContext(graph, alone);
  solo.forward([x1], true, true);
  const dxAlone = solo.backward([dy()], { inputGradients: true })[0]!.data.slice();

  const ga = gradsOf(), gb = gradsOf();
  const A = new ExecutionContext(graph, ga), B = new ExecutionContext(graph, gb);
  A.forward([x1], true, true);
  B.forward([x2], true, true);
  const dxA = A.backward([dy()], { inputGradients: true })[0]!;
  t.equal(maxAbsDiff(dxA.data, dxAlone), 0, 'the same input gradient');
  for (const p of model.weights) t.equal(maxAbsDiff(ga.get(p)!, alone.get(p)!), 0, `the same gradient of ${p.name}`);
  t.ok([...gb.values()].every((g) => g.every((v) => v === 0)), 'B has accumulated nothing yet');
});

t.test('gradients sum where a tensor fans out, and reach the input', async (t) => {
  bn.setSeed(3);
  const x = bn.input({ shape: [4] });
  const h = apply(bn.layers.dense({ units: 4, activation: 'tanh' }), x);
  const a = apply(bn.layers.dense({ units: 3, activation: 'sigmoid' }), h);
  const b = apply(bn.layers.dense({ units: 3 }), h);
  const m = bn.layers.multiply([a, bn.layers.add([b, a])]);
  const both = bn.layers.concatenate([m, bn.layers.dot([h, h], { axes: 1 })]);
  const model = bn.model({ inputs: x, outputs: [both, a] });
  const graph = (model as unknown as { graph: ExecutionContext['graph'] }).graph;
  t.ok(graph.consumers.some((c) => c > 2), 'a tensor read by three nodes');
  for (const p of model.weights) p.value.data.set(randomArray(p.value.size, 7 + p.value.size));
  const grads = new Map(model.weights.map((p) => [p, new Float32Array(p.value.size)] as [Param, Float32Array]));
  const ctx = new ExecutionContext(graph, grads);
  const xv = bn.tensor(randomArray(8, 4), [2, 4]);
  const r1 = randomArray(2 * 4, 5), r2 = randomArray(2 * 3, 6);
  const objective = (): number => {
    const [o1, o2] = new ExecutionContext(graph).forward([xv], false, false);
    let s = 0;
    o1.data.forEach((v, i) => (s += v * r1[i]));
    o2.data.forEach((v, i) => (s += v * r2[i]));
    return s;
  };
  const [o1, o2] = ctx.forward([xv], true, true);
  t.same(o1.shape, [2, 4]);
  const [dx] = ctx.backward([bn.tensor(r1.slice(), o1.shape), bn.tensor(r2.slice(), o2.shape)], { inputGradients: true });
  const checks: [string, Float32Array, Float32Array][] = [['x', xv.data as Float32Array, dx!.data as Float32Array],
    ...model.weights.map((p) => [p.name, p.value.data as Float32Array, grads.get(p)!] as [string, Float32Array, Float32Array])];
  for (const [name, input, grad] of checks) {
    const res = checkGradient(input, grad, objective);
    t.ok(res.checked > 0 && res.maxRelError < 2e-3, `d(${name}): max rel error ${res.maxRelError.toExponential(2)} over ${res.checked} points`, res.worst ?? {});
  }
});

t.test('optimizer state: getWeights/setWeights restore training exactly', async (t) => {
  const make = (): bn.Sequential => {
    bn.setSeed(4);
    const m = bn.sequential([bn.layers.dense({ units: 5, activation: 'relu', inputShape: [3] }), bn.layers.dense({ units: 2 })]);
    m.compile({ optimizer: bn.optimizers.adam({ learningRate: 0.01 }), loss: 'mse' });
    return m;
  };
  const x = bn.tensor(randomArray(12, 8), [4, 3]), y = bn.tensor(randomArray(8, 9), [4, 2]);
  const m = make();
  m.trainOnBatch(x, y);
  m.trainOnBatch(x, y);
  const weights = m.getWeights(), state = m.optimizer.getWeights();
  t.equal(state.length, 1 + 2 * 4, 'iterations, then m and v of each of the 4 weights');
  t.equal(state[0].data[0], 2, 'two iterations');
  m.trainOnBatch(x, y);
  const third = m.getWeights();
  const fresh = make();
  fresh.setWeights(weights);
  fresh.optimizer.setWeights(state);
  fresh.trainOnBatch(x, y);
  fresh.getWeights().forEach((w, i) => t.equal(maxAbsDiff(w.data, third[i].data), 0, `weight ${i} equal after the restored step`));
  t.throws(() => fresh.optimizer.setWeights(state.slice(1)), /expected 9 tensors/);
});

t.test('functional API: summary, getLayer, data by name, errors', async (t) => {
  const a = bn.input({ shape: [3], name: 'a' }), b = bn.input({ shape: [3], name: 'b' });
  const dense = bn.layers.dense({ units: 2, name: 'shared' });
  const sum = bn.layers.add([apply(dense, a), apply(dense, b)], { name: 'sum' });
  const model = bn.model({ inputs: [a, b], outputs: sum, name: 'pair' });
  t.equal(model.getLayer('shared'), dense);
  t.equal(model.getLayer(0).name, 'a');
  t.same(model.layers.map((l) => l.name), ['a', 'b', 'shared', 'sum']);
  const text = model.summary(() => {});
  t.match(text, /Connected to/);
  t.match(text, /sum \(Add\)\s+\[null, 2\]\s+0\s+shared\[0\]\[0\]\n\s+shared\[1\]\[0\]/);
  t.match(text, /shared \(Dense\)\s+\[null, 2\]\s+8\s+a\[0\]\[0\]\n\s+b\[0\]\[0\]/);
  const xa = bn.tensor(randomArray(6, 10), [2, 3]), xb = bn.tensor(randomArray(6, 11), [2, 3]);
  const byList = model.predict([xa, xb]) as bn.Tensor, byName = model.predict({ b: xb, a: xa }) as bn.Tensor;
  t.same(Array.from(byList.data), Array.from(byName.data), 'inputs by list or by name');
  t.throws(() => model.predict(xa), /the model has 2 inputs \(a, b\)/);
  t.throws(() => model.predict({ a: xa, c: xb }), /x names 'c', but the model's inputs are a, b/);
  t.throws(() => model.predict([xa, bn.tensor(randomArray(4, 1), [1, 4])]), /b \(InputLayer\) expects input of shape \[null, 3\], got x of shape \[1, 4\]/);
  const other = bn.input({ shape: [3], name: 'other' });
  t.throws(() => bn.model({ inputs: a, outputs: bn.layers.add([apply(dense, a), apply(dense, other)]) }), /graph disconnected: the outputs depend on other/);
  t.throws(() => bn.layers.add([a, bn.input({ shape: [4] })]), /inputs must have the same shape; got \[null, 3\] and \[null, 4\]/);
  t.throws(() => bn.layers.subtract([a, b, a]), /takes 2 inputs, got 3/);
  t.throws(() => bn.layers.dot([a, bn.input({ shape: [4] })], { axes: 1 }), /contracted axes differ in size: 3 .* and 4/);
  t.throws(() => apply(bn.layers.embedding({ inputDim: 5, outputDim: 2 }), a), /expected int32 input/);
  const twice = bn.layers.dense({ units: 2, name: 'twin' });
  t.throws(() => bn.model({ inputs: a, outputs: bn.layers.add([apply(twice, a), apply(bn.layers.dense({ units: 2, name: 'twin' }), a)]) }), /two different layers are named 'twin'/);
  t.throws(() => apply(dense, bn.input({ shape: [4] })), /shared \(Dense\) was built for input \[null, 3\], got \[null, 4\]/);
});

t.test('bn.sequential takes a list of layers; layer.apply on tensors runs inference', async (t) => {
  bn.setSeed(5);
  const d = bn.layers.dense({ units: 2, inputShape: [3] });
  const m = bn.sequential([d]);
  t.equal(m.layers.length, 1);
  const x = bn.tensor(randomArray(6, 12), [2, 3]);
  const direct = d.apply(x) as bn.Tensor;
  t.same(Array.from(direct.data), Array.from(m.predict(x).data));
});

t.test('an output listed twice gets both losses, with the softmax not fused away', async (t) => {
  const make = (twice: boolean): bn.LayersModel => {
    bn.setSeed(6);
    const x = bn.input({ shape: [4] });
    const y = apply(bn.layers.dense({ units: 3, activation: 'softmax' }), x);
    // The other model reads y through an identity layer: the same losses, computed without fusion.
    const second = twice ? y : apply(bn.layers.activation({ activation: 'linear' }), y);
    const m = bn.model({ inputs: x, outputs: [y, second] });
    m.compile({ optimizer: bn.optimizers.sgd({ learningRate: 0.5 }), loss: ['categoricalCrossentropy', 'mse'] });
    return m;
  };
  const x = bn.tensor(randomArray(8, 13), [2, 4]), y = bn.tensor([[1, 0, 0], [0, 0, 1]]);
  const [a, b] = [make(true), make(false)];
  const la = a.trainOnBatch(x, [y, y]), lb = b.trainOnBatch(x, [y, y]);
  t.ok(Math.abs(la.loss - lb.loss) < 1e-6, `the same loss ${la.loss} / ${lb.loss}`);
  a.getWeights().forEach((w, i) => t.ok(maxAbsDiff(w.data, b.getWeights()[i].data) < 1e-6, `weight ${i} after one step`));
});

t.test('a chain of 20,000 layers builds without exhausting the stack', async (t) => {
  const x = bn.input({ shape: [2] });
  let y = x;
  for (let i = 0; i < 20000; i++) y = apply(bn.layers.activation({ activation: 'linear' }), y);
  const model = bn.model({ inputs: x, outputs: y });
  t.same(Array.from((model.predict(bn.tensor([[1, 2]])) as bn.Tensor).data), [1, 2]);
});
