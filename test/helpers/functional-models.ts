import type { Test } from 'tap';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as bn from '../../lib';
import { SymbolicTensor } from '../../lib/engine/symbolic';

// The functional models of the Keras 3 goldens (test/fixtures/functional, made by
// tools/goldens/functional_keras.py with Keras on JAX: weights, inputs, outputs, losses and
// the weights after one SGD step), built here with the same layer names, and the checks.

export interface Array_ { shape: number[]; data: number[]; dtype?: string }
export interface Weight { name: string; shape: number[]; data: number[] }
export interface Golden {
  input_order: string[];
  output_order: string[];
  inputs: Record<string, Array_>;
  targets?: Record<string, Array_>;
  outputs: Record<string, Array_>;
  weights_before?: Weight[];
  weights_after_sgd?: Weight[];
  loss?: { total: number; per_output: Record<string, number> };
  compile?: { loss: Record<string, string>; loss_weights: Record<string, number> | null };
}

export const golden = (name: string): Golden =>
  JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'functional', `${name}.json`), 'utf8')) as Golden;

export const asTensor = (a: Array_): bn.Tensor => bn.tensor(a.dtype === 'int32' ? Int32Array.from(a.data) : Float32Array.from(a.data), a.shape,
  a.dtype === 'int32' ? 'int32' : 'float32');

export function maxDiff(got: ArrayLike<number>, want: readonly number[]): number {
  let m = got.length === want.length ? 0 : Infinity;
  for (let i = 0; i < want.length; i++) m = Math.max(m, Math.abs(got[i] - want[i]));
  return m;
}

/** Sets each weight from the golden by its `layer/variable` name. */
export function setWeights(model: bn.LayersModel, weights: Weight[]): void {
  for (const w of weights) {
    const [layerName, varName] = w.name.split('/');
    const layer = model.getLayer(layerName);
    const p = layer.weights.find((q) => q.name === varName);
    if (!p) throw new Error(`no weight ${w.name}`);
    p.value.data.set(w.data);
  }
}

export function checkWeights(t: Test, model: bn.LayersModel, weights: Weight[], tol: number): void {
  for (const w of weights) {
    const [layerName, varName] = w.name.split('/');
    const p = model.getLayer(layerName).weights.find((q) => q.name === varName)!;
    const d = maxDiff(p.value.data, w.data);
    t.ok(d < tol, `${w.name} after one SGD step: max |diff| ${d.toExponential(2)}`);
  }
}

/** Runs a golden: forward outputs, the loss, and the weights after one SGD step (lr 0.1) on the whole batch. */
export async function check(t: Test, model: bn.LayersModel, g: Golden, tol = 2e-5): Promise<void> {
  t.same(model.outputNames, g.output_order, 'outputs named and ordered as in Keras');
  setWeights(model, g.weights_before ?? []);
  const xs = Object.fromEntries(g.input_order.map((n) => [n, asTensor(g.inputs[n])]));
  const outs = model.predict(xs);
  const list = Array.isArray(outs) ? outs : [outs];
  g.output_order.forEach((name, k) => {
    t.same(list[k].shape, g.outputs[name].shape, `${name}: shape`);
    const d = maxDiff(list[k].data, g.outputs[name].data);
    t.ok(d < tol, `${name}: forward max |diff| ${d.toExponential(2)}`);
  });
  if (!g.compile || !g.targets || !g.loss) return;
  model.compile({ optimizer: bn.optimizers.sgd({ learningRate: 0.1 }), loss: g.compile.loss, lossWeights: g.compile.loss_weights ?? undefined });
  const ys = Object.fromEntries(g.output_order.map((n) => [n, asTensor(g.targets![n])]));
  const evaluated = await model.evaluate(xs, ys, { batchSize: 64 });
  t.ok(Math.abs(evaluated.loss - g.loss.total) < 1e-5, `evaluate: loss ${evaluated.loss} vs Keras ${g.loss.total}`);
  if (g.output_order.length > 1) {
    for (const name of g.output_order) {
      t.ok(Math.abs(evaluated[`${name}_loss`] - g.loss.per_output[name]) < 1e-5, `${name}_loss ${evaluated[`${name}_loss`]} vs ${g.loss.per_output[name]}`);
    }
  }
  const logs = model.trainOnBatch(xs, ys);
  t.ok(Math.abs(logs.loss - g.loss.total) < 1e-5, `trainOnBatch: loss ${logs.loss} vs Keras ${g.loss.total}`);
  checkWeights(t, model, g.weights_after_sgd!, tol);
}


/** The models of the goldens, built with the same layer names. */
export const builders: Record<string, (g: Golden) => bn.LayersModel> = {
  two_input: () => {
    const image = bn.input({ shape: [6, 6, 1], name: 'image' });
    const vector = bn.input({ shape: [5], name: 'vec' });
    const conv = bn.layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu', name: 'conv' }).apply(image) as SymbolicTensor;
    const flat = bn.layers.flatten({ name: 'flatten' }).apply(conv) as SymbolicTensor;
    const branch = bn.layers.dense({ units: 4, activation: 'relu', name: 'branch' }).apply(vector) as SymbolicTensor;
    const joined = bn.layers.concatenate([flat, branch], { name: 'concat', axis: -1 });
    const head = bn.layers.dense({ units: 3, activation: 'softmax', name: 'head' }).apply(joined) as SymbolicTensor;
    return bn.model({ inputs: [image, vector], outputs: head });
  },
  residual: () => {
    const x = bn.input({ shape: [6], name: 'x' });
    const d1 = bn.layers.dense({ units: 6, name: 'd1' }).apply(x) as SymbolicTensor;
    const sum = bn.layers.add({ name: 'add' }).apply([x, d1]) as SymbolicTensor;
    const act = bn.layers.activation({ activation: 'relu', name: 'act' }).apply(sum) as SymbolicTensor;
    const out = bn.layers.dense({ units: 2, name: 'out' }).apply(act) as SymbolicTensor;
    return bn.model({ inputs: x, outputs: out });
  },
  siamese: (g) => {
    const [left, right] = g.input_order.map((name) => bn.input({ shape: [5], dtype: 'int32', name }));
    const emb = bn.layers.embedding({ inputDim: 10, outputDim: 4, name: 'emb' });
    const pool = bn.layers.globalAveragePooling1d({ name: 'pool' });
    const [a, b] = [left, right].map((x) => pool.apply(emb.apply(x) as SymbolicTensor) as SymbolicTensor);
    const mul = bn.layers.multiply([a, b], { name: 'mul' });
    const out = bn.layers.dense({ units: 1, activation: 'sigmoid', name: 'out' }).apply(mul) as SymbolicTensor;
    return bn.model({ inputs: [left, right], outputs: out });
  },
  two_output: () => {
    const x = bn.input({ shape: [4], name: 'x' });
    const trunk = bn.layers.dense({ units: 5, activation: 'relu', name: 'trunk' }).apply(x) as SymbolicTensor;
    const cls = bn.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(trunk) as SymbolicTensor;
    const reg = bn.layers.dense({ units: 1, name: 'reg' }).apply(trunk) as SymbolicTensor;
    return bn.model({ inputs: x, outputs: [cls, reg] });
  },
  merges: (g) => {
    const [a, b] = g.input_order.map((name) => bn.input({ shape: [3], name }));
    const outs = [
      bn.layers.subtract([a, b], { name: 'sub' }), bn.layers.average([a, b], { name: 'avg' }),
      bn.layers.maximum([a, b], { name: 'max' }), bn.layers.minimum([a, b], { name: 'min' }),
      bn.layers.dot([a, b], { axes: 1, name: 'dot' }), bn.layers.dot([a, b], { axes: 1, normalize: true, name: 'cos' }),
    ];
    return bn.model({ inputs: [a, b], outputs: outs });
  },
};
