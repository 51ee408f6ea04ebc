import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import * as bn from '../../lib';
import { maxAbsDiff } from '../helpers/gradcheck';
import { Golden, asTensor, builders, golden, setWeights } from '../helpers/functional-models';

// The functional models of the Keras goldens against TensorFlow.js: saved by blasnet and
// loaded into tfjs, they predict the same, and one SGD step in each framework gives the
// same weights. TF.js accepts lossWeights but ignores them (training.ts: "TODO(cais): Add
// lossWeights"), so both train with weights of 1 here; the Keras goldens check lossWeights.
tf.setBackend('cpu');
const root = mkdtempSync(path.join(tmpdir(), 'blasnet-functional-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));

const tfjsLoss: Record<string, string> = {
  categorical_crossentropy: 'categoricalCrossentropy', sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  binary_crossentropy: 'binaryCrossentropy', mse: 'meanSquaredError',
};

const toTf = (x: bn.Tensor): tf.Tensor => tf.tensor(x.data, [...x.shape], x.dtype);

async function loadIntoTfjs(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const bytes = readFileSync(path.join(dir, 'weights.bin'));
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights,
    weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) }));
}

for (const name of ['two_input', 'residual', 'siamese', 'two_output']) {
  t.test(name, async (t) => {
    const g: Golden = golden(name);
    const model = builders[name](g);
    setWeights(model, g.weights_before!);
    const dir = path.join(root, name);
    await model.save(dir);
    const ref = await loadIntoTfjs(dir);
    t.same(ref.outputNames, model.outputNames.map((n) => ref.outputNames.find((r) => r.startsWith(n))), 'the same outputs, in order');

    const xs = g.input_order.map((n) => asTensor(g.inputs[n]));
    const ours = model.predict(xs);
    const theirs = ref.predict(xs.map(toTf));
    const [oursList, theirsList] = [Array.isArray(ours) ? ours : [ours], Array.isArray(theirs) ? theirs : [theirs]];
    oursList.forEach((o, k) => {
      const d = maxAbsDiff(o.data, theirsList[k].dataSync());
      t.ok(d < 1e-6, `save -> tfjs load: output ${g.output_order[k]} max |blasnet - tfjs| ${d.toExponential(2)}`);
    });

    const losses = g.output_order.map((o) => g.compile!.loss[o]);
    ref.compile({ optimizer: tf.train.sgd(0.1), loss: losses.map((l) => tfjsLoss[l]) });
    model.compile({ optimizer: bn.optimizers.sgd({ learningRate: 0.1 }), loss: losses });
    const ys = g.output_order.map((o) => asTensor(g.targets![o]));
    // tfjs's sparse categorical cross-entropy takes float labels of shape [N, 1].
    const tfYs = ys.map((y, k) => (losses[k] === 'sparse_categorical_crossentropy' ? tf.tensor(Float32Array.from(y.data), [y.shape[0], 1]) : toTf(y)));
    const theirLoss = await ref.trainOnBatch(xs.map(toTf), tfYs);
    const ourLoss = model.trainOnBatch(xs, ys).loss;
    const total = Array.isArray(theirLoss) ? theirLoss[0] : theirLoss;
    t.ok(Math.abs(ourLoss - total) < 1e-5, `loss: blasnet ${ourLoss} vs tfjs ${total}`);
    for (const w of ref.weights) {
      const [layerName, varName] = w.originalName.split('/');
      const p = model.getLayer(layerName).weights.find((q) => q.name === varName)!;
      const d = maxAbsDiff(p.value.data, w.read().dataSync());
      t.ok(d < 1e-6, `${w.originalName} after one SGD step: max |blasnet - tfjs| ${d.toExponential(2)}`);
    }
  });
}
