import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import * as bn from '../../lib';
import { getConstraint } from '../../lib/constraints';
import { Layer } from '../../lib/layers/layer';
import { canonicalName } from '../../lib/names';

// Weight constraints and activity regularizers against Keras 3 (JAX backend, float32), from
// test/fixtures/constraints (tools/goldens/constraints_keras.py): each constraint's projection
// of weights of every layer kind on every axis, and full-batch SGD fits (constraints after each
// update, activity penalties in the loss and its gradient) from the same initial weights.

interface Saved { shape: number[]; values: number[] }
interface ConstraintCase { weight: string; constraint: { class_name: string; config: Record<string, unknown> }; w: Saved; out: Saved }
interface FitCase {
  id: string;
  layers: { layer: string; args: Record<string, unknown> }[];
  input_shape: number[];
  input_dtype: 'float32' | 'int32';
  x: Saved; y: Saved; loss: string; lr: number; epochs: number;
  initial_weights: Saved[]; final_weights: Saved[]; losses: number[]; evaluate_loss: number;
}

const dir = path.join(__dirname, '..', 'fixtures', 'constraints');
const read = <T>(name: string): { cases: T[] } => JSON.parse(readFileSync(path.join(dir, name), 'utf8'));
const relError = (a: number, b: number): number => Math.abs(a - b) / Math.max(1, Math.abs(b));
const worst = (got: ArrayLike<number>, want: readonly number[]): { error: number; index: number } => {
  let error = 0, index = 0;
  for (let i = 0; i < want.length; i++) {
    const e = relError(got[i], want[i]);
    if (!(e <= error)) [error, index] = [e, i];
  }
  return { error, index };
};

for (const c of read<ConstraintCase>('constraints.json').cases) {
  t.test(`${c.constraint.class_name} ${JSON.stringify(c.constraint.config)} on ${c.weight} [${c.w.shape}]`, async (t) => {
    const constraint = getConstraint(c.constraint, 'test')!;
    t.same(constraint.getConfig(), c.constraint, 'config as Keras writes it');
    const w = Float32Array.from(c.w.values);
    constraint.apply(w, c.w.shape);
    const e = worst(w, c.out.values);
    t.ok(e.error <= 1e-6, `worst rel error ${e.error.toExponential(2)} at ${e.index} (${w[e.index]} vs Keras ${c.out.values[e.index]})`);
  });
}

const factories = new Map(Object.entries(bn.layers).map(([name, f]) => [canonicalName(name), f as unknown as (a: Record<string, unknown>) => Layer]));

function build(c: FitCase): bn.Sequential {
  return bn.sequential(c.layers.map((spec, i) => {
    const factory = factories.get(canonicalName(spec.layer));
    if (!factory) throw new Error(`no factory for ${spec.layer}`);
    return factory(i === 0 ? { ...spec.args, input_shape: c.input_shape } : spec.args);
  }));
}

for (const c of read<FitCase>('fits.json').cases) {
  t.test(`fit ${c.id}: ${c.layers.map((l) => l.layer).join(' > ')}`, async (t) => {
    const model = build(c);
    model.setWeights(c.initial_weights.map((w) => bn.tensor(w.values, w.shape)));
    model.compile({ optimizer: bn.optimizers.sgd({ learningRate: c.lr }), loss: c.loss });
    const x = bn.tensor(c.x.values, c.x.shape, c.input_dtype);
    const y = bn.tensor(c.y.values, c.y.shape);
    const history = await model.fit(x, y, { epochs: c.epochs, batchSize: c.x.shape[0], shuffle: false, verbose: 0 });
    history.history.loss.forEach((l, i) => t.ok(relError(l, c.losses[i]) <= 2e-5, `epoch ${i + 1} loss ${l} vs Keras ${c.losses[i]}`));
    model.getWeights().forEach((w, i) => {
      const e = worst(w.data, c.final_weights[i].values);
      t.ok(e.error <= 2e-5, `weight ${i} [${w.shape}]: worst rel error ${e.error.toExponential(2)} at ${e.index} (${w.data[e.index]} vs Keras ${c.final_weights[i].values[e.index]})`);
    });
    const evaluated = await model.evaluate(x, y, { batchSize: c.x.shape[0] });
    t.ok(relError(evaluated.loss, c.evaluate_loss) <= 2e-5, `evaluate loss ${evaluated.loss} vs Keras ${c.evaluate_loss}`);
  });
}
