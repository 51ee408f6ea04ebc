import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import * as bn from '../../lib';
import { asTensor, builders, check, golden } from '../helpers/functional-models';

// Functional models against Keras 3 itself: each model of the goldens built here must give
// Keras's outputs, losses and weights after one SGD step.
for (const name of Object.keys(builders)) {
  t.test(name, async (t) => {
    const g = golden(name);
    await check(t, builders[name](g), g);
  });
}

// Keras 3's own config of each model (args/keras_history nodes, DTypePolicy objects, a single
// endpoint written as one reference) loads into the same model.
const root = mkdtempSync(path.join(tmpdir(), 'blasnet-keras-config-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
for (const name of Object.keys(builders)) {
  t.test(`${name}: Keras 3's config loads`, async (t) => {
    const g = golden(name) as ReturnType<typeof golden> & { model_config: Record<string, unknown> };
    const dir = path.join(root, name);
    mkdirSync(dir);
    const weights = g.weights_before ?? [];
    writeFileSync(path.join(dir, 'weights.bin'), Buffer.concat(weights.map((w) => Buffer.from(Float32Array.from(w.data).buffer))));
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify({
      modelTopology: { class_name: 'Functional', config: (g.model_config as { config: unknown }).config },
      format: 'layers-model',
      weightsManifest: [{ paths: ['weights.bin'], weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })) }],
    }));
    const model = await bn.loadLayersModel(dir);
    t.same(model.outputNames, g.output_order);
    t.same(model.inputNames, g.input_order);
    const out = model.predict(g.input_order.map((n) => asTensor(g.inputs[n])));
    const outs = Array.isArray(out) ? out : [out];
    g.output_order.forEach((o, k) => {
      let d = 0;
      g.outputs[o].data.forEach((v, i) => (d = Math.max(d, Math.abs(v - outs[k].data[i]))));
      t.ok(d < 2e-5, `${o}: max |diff| ${d.toExponential(2)}`);
    });
  });
}
