import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import * as bn from '../../lib';
import { canonicalName } from '../../lib/names';
import { maxAbsDiff } from '../helpers/gradcheck';

// Every layer class through the file format both ways: tfjs saves, blasnet loads (the
// registry builds each class from its config, wrappers included) and predicts the same;
// blasnet saves, tfjs loads and predicts the same.
tf.setBackend('cpu');
const root = mkdtempSync(path.join(tmpdir(), 'blasnet-io-layers-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

async function saveWithTfjs(model: tf.LayersModel): Promise<string> {
  const dir = path.join(root, `m${dirs++}`);
  mkdirSync(dir);
  await model.save(tf.io.withSaveHandler(async (a) => {
    const data = Array.isArray(a.weightData) ? Buffer.concat(a.weightData.map((b) => new Uint8Array(b))) : new Uint8Array(a.weightData!);
    writeFileSync(path.join(dir, 'weights.bin'), data);
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ modelTopology: a.modelTopology, format: a.format, generatedBy: a.generatedBy,
      convertedBy: a.convertedBy, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return dir;
}

const cases: [string, () => tf.layers.Layer[], number[]][] = [
  ['cnn', () => [tf.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', padding: 'same', inputShape: [8, 8, 2] }), tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.batchNormalization(), tf.layers.dropout({ rate: 0.5 }), tf.layers.flatten(), tf.layers.dense({ units: 4, activation: 'softmax' })], [2, 8, 8, 2]],
  ['conv1d', () => [tf.layers.conv1d({ filters: 3, kernelSize: 2, inputShape: [6, 2] }), tf.layers.maxPooling1d({ poolSize: 2 }),
    tf.layers.averagePooling1d({ poolSize: 1 }), tf.layers.globalMaxPooling1d({})], [2, 6, 2]],
  ['pooling', () => [tf.layers.averagePooling2d({ poolSize: 2, inputShape: [4, 4, 3] }), tf.layers.globalMaxPooling2d({}), tf.layers.reshape({ targetShape: [3, 1] }),
    tf.layers.globalAveragePooling1d({})], [2, 4, 4, 3]],
  ['global average 2d', () => [tf.layers.globalAveragePooling2d({ inputShape: [3, 3, 2] })], [2, 3, 3, 2]],
  ['recurrent', () => [tf.layers.lstm({ units: 3, returnSequences: true, inputShape: [5, 2] }), tf.layers.gru({ units: 2 })], [2, 5, 2]],
  ['wrappers', () => [tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 3 }), inputShape: [5, 2] }),
    tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 2 }) as tf.RNN }), tf.layers.activation({ activation: 'hardSigmoid' })], [2, 5, 2]],
  ['embedding', () => [tf.layers.embedding({ inputDim: 6, outputDim: 3, inputLength: 4 }), tf.layers.dense({ units: 2 })], [2, 4]],
];

const covered = new Set<string>();
for (const [name, build, shape] of cases) {
  t.test(name, async (t) => {
    const ref = tf.sequential({ layers: build() });
    const size = shape.reduce((a, b) => a * b, 1);
    const values = Float32Array.from({ length: size }, (_, i) => (name === 'embedding' ? i % 6 : Math.sin(i * 1.3)));
    const want = (ref.predict(tf.tensor(values, shape)) as tf.Tensor).dataSync();

    const model = await bn.loadLayersModel(await saveWithTfjs(ref));
    ref.layers.forEach((l) => covered.add(canonicalName(l.getClassName())));
    const got = (model.predict(bn.tensor(values, shape)) as bn.Tensor).data;
    const diff = maxAbsDiff(got, want);
    t.ok(diff <= 1e-5, `tfjs -> blasnet: max |blasnet - tfjs| = ${diff.toExponential(2)}`);

    const dir = path.join(root, `b${dirs++}`);
    await model.save(dir);
    const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
    const bytes = readFileSync(path.join(dir, 'weights.bin'));
    const back = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights,
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) }));
    const backDiff = maxAbsDiff(got, (back.predict(tf.tensor(values, shape)) as tf.Tensor).dataSync());
    t.ok(backDiff <= 1e-5, `blasnet -> tfjs: max |blasnet - tfjs| = ${backDiff.toExponential(2)}`);
  });
}

/** Saves a blasnet model and loads it into tfjs. */
async function intoTfjs(model: bn.LayersModel): Promise<tf.LayersModel> {
  const dir = path.join(root, `b${dirs++}`);
  await model.save(dir);
  const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const bytes = readFileSync(path.join(dir, 'weights.bin'));
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights,
    weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) }));
}

t.test('functional: merge layers over a shared layer, two inputs, several outputs', async (t) => {
  const a = tf.input({ shape: [3], name: 'a' }), b = tf.input({ shape: [3], name: 'b' });
  const shared = tf.layers.dense({ units: 3, activation: 'tanh', name: 'shared' });
  const sa = shared.apply(a) as tf.SymbolicTensor, sb = shared.apply(b) as tf.SymbolicTensor;
  const merged = [tf.layers.add(), tf.layers.multiply(), tf.layers.average(), tf.layers.maximum(), tf.layers.minimum(),
    tf.layers.concatenate({ axis: -1 }), tf.layers.dot({ axes: 1 }), tf.layers.dot({ axes: 1, normalize: true })]
    .map((l) => l.apply([sa, sb]) as tf.SymbolicTensor);
  const ref = tf.model({ inputs: [a, b], outputs: merged });
  const xa = Float32Array.from({ length: 6 }, (_, i) => Math.sin(i)), xb = Float32Array.from({ length: 6 }, (_, i) => Math.cos(i * 0.7));
  const want = (ref.predict([tf.tensor(xa, [2, 3]), tf.tensor(xb, [2, 3])]) as tf.Tensor[]).map((o) => o.dataSync());

  const model = await bn.loadLayersModel(await saveWithTfjs(ref));
  ref.layers.forEach((l) => covered.add(canonicalName(l.getClassName())));
  t.equal(model.getLayer('shared').inboundNodes.length, 2, 'the shared layer is applied twice');
  const got = model.predict([bn.tensor(xa, [2, 3]), bn.tensor(xb, [2, 3])]) as bn.Tensor[];
  t.equal(got.length, want.length);
  got.forEach((o, k) => t.ok(maxAbsDiff(o.data, want[k]) <= 1e-6, `tfjs -> blasnet output ${k} (${model.outputNames[k]}): max |diff| ${maxAbsDiff(o.data, want[k]).toExponential(2)}`));

  const back = await intoTfjs(model);
  const again = (back.predict([tf.tensor(xa, [2, 3]), tf.tensor(xb, [2, 3])]) as tf.Tensor[]).map((o) => o.dataSync());
  again.forEach((o, k) => t.ok(maxAbsDiff(got[k].data, o) <= 1e-6, `blasnet -> tfjs output ${k}`));
});

t.test('functional: subtract (which tfjs lacks) round-trips through blasnet', async (t) => {
  const a = bn.input({ shape: [2], name: 'a' }), b = bn.input({ shape: [2], name: 'b' });
  const model = bn.model({ inputs: [a, b], outputs: bn.layers.subtract([a, b], { name: 'diff' }) });
  const dir = path.join(root, `b${dirs++}`);
  await model.save(dir);
  const loaded = await bn.loadLayersModel(dir);
  covered.add(canonicalName('Subtract'));
  const out = loaded.predict([bn.tensor([[3, 4]]), bn.tensor([[1, 1]])]) as bn.Tensor;
  t.same(Array.from(out.data), [2, 3]);
  t.same(JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')).modelTopology.class_name, 'Functional');
});

t.test('every bn.layers factory is covered above', async (t) => {
  const missing = Object.keys(bn.layers).filter((k) => !covered.has(canonicalName(k)));
  t.same(missing, [], `add a case for: ${missing.join(', ') || 'none'}`);
});
