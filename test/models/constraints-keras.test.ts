import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
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
interface LayerSpec { layer: string; args: Record<string, unknown> }
interface FitCase {
  id: string;
  layers: LayerSpec[];
  functional: string | null;
  optimizer: 'SGD' | 'Adam';
  input_shape: number[];
  input_dtype: 'float32' | 'int32';
  x: Saved; y: Saved; loss: string; lr: number; epochs: number;
  initial_weights: Saved[]; final_weights: Saved[]; losses: number[]; evaluate_loss: number;
  /** An eager call's activity penalties (one per layer call) and output loss, at the initial weights. */
  eager_losses: number[]; initial_output_loss: number;
  /** model.get_config() as Keras 3 writes it (module/registered_name forms). */
  model_config: { class_name: string; config: unknown };
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

/** A layer from a spec; a wrapper's `layer` is a spec too. */
function layerOf(spec: LayerSpec, extra: Record<string, unknown> = {}): Layer {
  const factory = factories.get(canonicalName(spec.layer));
  if (!factory) throw new Error(`no factory for ${spec.layer}`);
  const inner = spec.args.layer as LayerSpec | undefined;
  return factory({ ...spec.args, ...(inner ? { layer: layerOf(inner) } : {}), ...extra });
}

/** The functional models of the script, built the same way. */
const FUNCTIONAL: Record<string, (c: FitCase) => bn.LayersModel> = {
  shared_chain: (c) => {
    const x = bn.input({ shape: c.input_shape });
    const shared = bn.layers.dense({ units: 3, activation: 'tanh', activityRegularizer: bn.regularizers.l2({ l2: 0.1 }), kernelConstraint: bn.constraints.maxNorm({ maxValue: 0.8 }) });
    const h = shared.apply(shared.apply(x));
    return bn.model({ inputs: x, outputs: bn.layers.dense({ units: 1 }).apply(h) });
  },
};

function build(c: FitCase): bn.LayersModel {
  if (c.functional) return FUNCTIONAL[c.functional](c);
  return bn.sequential(c.layers.map((spec, i) => layerOf(spec, i === 0 ? { input_shape: c.input_shape } : {})));
}

/** Keras 3's config of the model, with the initial weights, loaded as a model.json. */
async function loadKerasConfig(c: FitCase, t: Test): Promise<bn.LayersModel> {
  const dir = mkdtempSync(path.join(tmpdir(), 'blasnet-constraints-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ws = c.initial_weights;
  writeFileSync(path.join(dir, 'weights.bin'), Buffer.concat(ws.map((w) => Buffer.from(Float32Array.from(w.values).buffer))));
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify({
    modelTopology: c.model_config, format: 'layers-model',
    weightsManifest: [{ paths: ['weights.bin'], weights: ws.map((w, i) => ({ name: `w${i}`, shape: w.shape, dtype: 'float32' })) }],
  }));
  return bn.loadLayersModel(dir);
}

for (const c of read<FitCase>('fits.json').cases) for (const from of ['built', "Keras's config"] as const) {
  t.test(`fit ${c.id}: ${c.functional ?? c.layers.map((l) => l.layer).join(' > ')} (${c.optimizer}), ${from}`, async (t) => {
    const model = from === 'built' ? build(c) : await loadKerasConfig(c, t);
    if (from === 'built') model.setWeights(c.initial_weights.map((w) => bn.tensor(w.values, w.shape)));
    const optimizer = c.optimizer === 'Adam' ? bn.optimizers.adam({ learningRate: c.lr }) : bn.optimizers.sgd({ learningRate: c.lr });
    model.compile({ optimizer, loss: c.loss });
    const x = bn.tensor(c.x.values, c.x.shape, c.input_dtype);
    const y = bn.tensor(c.y.values, c.y.shape);
    if (c.id === 'shared_chain') {
      // Keras's JAX trainer counts only the last call's penalty of a layer called twice (see the
      // script); a model call (TF and torch trainers) counts each call, as blasnet does.
      const eager = c.initial_output_loss + c.eager_losses.reduce((a, b) => a + b, 0);
      const jax = c.initial_output_loss + c.eager_losses[c.eager_losses.length - 1];
      t.ok(relError(c.losses[0], jax) <= 1e-6, `Keras's JAX fit: output loss + the last call's penalty (${c.losses[0]} = ${jax})`);
      const logs = (await model.evaluate(x, y, { batchSize: c.x.shape[0] }));
      t.ok(relError(logs.loss, eager) <= 2e-6, `loss ${logs.loss}: output loss + every call's penalty, ${eager}, as Keras's model call`);
      return;
    }
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
