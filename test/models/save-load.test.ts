import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import * as bn from '../../lib';
import { maxAbsDiff, randomArray } from '../helpers/gradcheck';

// model.save / bn.loadLayersModel in the TensorFlow.js layers format: round trips, files
// written by tfjs itself, files read by tfjs, the topology variants Keras conversions
// produce, and corrupt files.
tf.setBackend('cpu');
const root = mkdtempSync(path.join(tmpdir(), 'blasnet-io-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const newDir = (): string => path.join(root, `m${dirs++}`);

type ModelJson = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function writeModel(dir: string, json: ModelJson, files: Record<string, Uint8Array>): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) writeFileSync(path.join(dir, name), bytes);
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
  return path.join(dir, 'model.json');
}

function readModel(dir: string): { json: ModelJson; weights: Buffer } {
  return { json: JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')), weights: readFileSync(path.join(dir, 'weights.bin')) };
}

/** Captures what tfjs saves and writes it in tfjs-node's file:// layout. */
async function saveWithTfjs(model: tf.LayersModel, dir: string): Promise<string> {
  let files: [ModelJson, Uint8Array] | null = null;
  await model.save(tf.io.withSaveHandler(async (a) => {
    const data = Array.isArray(a.weightData) ? Buffer.concat(a.weightData.map((b) => new Uint8Array(b))) : new Uint8Array(a.weightData!);
    files = [{ modelTopology: a.modelTopology, format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy,
      weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] }, data];
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const [json, data] = files!;
  return writeModel(dir, json, { 'weights.bin': data });
}

async function loadIntoTfjs(dir: string): Promise<tf.LayersModel> {
  const { json, weights } = readModel(dir);
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.length);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData }));
}

function denseModel(): bn.Sequential {
  bn.setSeed(3);
  return bn.sequential({ layers: [
    bn.layers.dense({ units: 5, activation: 'relu', inputShape: [4] }),
    bn.layers.dense({ units: 3, activation: 'softmax' }),
  ] });
}

const x = bn.tensor(randomArray(6 * 4, 9), [6, 4]);

t.test('round trip of a Dense model', async (t) => {
  const model = denseModel();
  const dir = newDir();
  const result = await model.save(`file://${dir}`);
  t.equal(result.modelArtifactsInfo.weightDataBytes, (4 * 5 + 5 + 5 * 3 + 3) * 4);
  const { json } = readModel(dir);
  t.match(json, { format: 'layers-model', generatedBy: /^blasnet v/, convertedBy: null,
    modelTopology: { class_name: 'Sequential', backend: 'tensor_flow.js', keras_version: /^blasnet /, config: { name: model.name } },
    weightsManifest: [{ paths: ['weights.bin'], weights: [
      { name: `${model.layers[0].name}/kernel`, shape: [4, 5], dtype: 'float32' }, { name: `${model.layers[0].name}/bias`, shape: [5] },
      { name: `${model.layers[1].name}/kernel`, shape: [5, 3] }, { name: `${model.layers[1].name}/bias`, shape: [3] }] }] });
  t.same(json.modelTopology.config.layers[0].config.batch_input_shape, [null, 4]);
  for (const source of [`file://${dir}/model.json`, path.join(dir, 'model.json'), dir]) {
    const loaded = await bn.loadLayersModel(source);
    t.same(loaded.layers.map((l) => [l.className, l.name]), model.layers.map((l) => [l.className, l.name]), `${source}: layers`);
    t.same(Array.from((loaded.predict(x) as bn.Tensor).data), Array.from(model.predict(x).data), `${source}: identical predictions`);
  }
  const plain = newDir();
  await model.save(plain);
  t.same(readModel(plain).weights, readModel(dir).weights, 'a plain path saves the same files');
});

t.test('a model saved by tfjs loads and predicts the same', async (t) => {
  const ref = tf.sequential({ layers: [
    tf.layers.dense({ units: 6, activation: 'tanh', inputShape: [4] }),
    tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: 'heNormal' }),
  ] });
  const dir = newDir();
  await saveWithTfjs(ref, dir);
  const model = await bn.loadLayersModel(`file://${dir}/model.json`);
  const want = (ref.predict(tf.tensor2d(x.data as Float32Array, [6, 4])) as tf.Tensor).dataSync();
  const diff = maxAbsDiff((model.predict(x) as bn.Tensor).data, want);
  t.ok(diff <= 1e-5, `max |blasnet - tfjs| = ${diff.toExponential(2)}`);
  t.same(model.layers.map((l) => l.name), ref.layers.map((l) => l.name), 'tfjs layer names are kept');

  const emb = tf.sequential({ layers: [tf.layers.embedding({ inputDim: 7, outputDim: 3, inputLength: 5 }), tf.layers.dense({ units: 2 })] });
  const embDir = newDir();
  await saveWithTfjs(emb, embDir);
  const loaded = await bn.loadLayersModel(embDir);
  const ids = [[0, 1, 2, 3, 6], [6, 6, 5, 4, 0]];
  const embDiff = maxAbsDiff((loaded.predict(ids) as bn.Tensor).data, (emb.predict(tf.tensor2d(ids, [2, 5], 'int32')) as tf.Tensor).dataSync());
  t.ok(embDiff <= 1e-5, `embedding model: max |blasnet - tfjs| = ${embDiff.toExponential(2)}`);
});

t.test('a model saved by blasnet loads into tfjs and predicts the same', async (t) => {
  const model = denseModel();
  const dir = newDir();
  await model.save(dir);
  const ref = await loadIntoTfjs(dir);
  const diff = maxAbsDiff((model.predict(x) as bn.Tensor).data, (ref.predict(tf.tensor2d(x.data as Float32Array, [6, 4])) as tf.Tensor).dataSync());
  t.ok(diff <= 1e-5, `dense: max |blasnet - tfjs| = ${diff.toExponential(2)}`);

  bn.setSeed(4);
  const emb = bn.sequential({ layers: [bn.layers.embedding({ inputDim: 9, outputDim: 4, inputLength: 3, maskZero: false }), bn.layers.dense({ units: 2, activation: 'sigmoid' })] });
  const embDir = newDir();
  await emb.save(embDir);
  const embRef = await loadIntoTfjs(embDir);
  const ids = [[1, 8, 0], [4, 4, 2]];
  const embDiff = maxAbsDiff(emb.predict(ids).data, (embRef.predict(tf.tensor2d(ids, [2, 3], 'int32')) as tf.Tensor).dataSync());
  t.ok(embDiff <= 1e-5, `embedding: max |blasnet - tfjs| = ${embDiff.toExponential(2)}`);
});

/** A saved Dense model's files, to rewrite the way other tools write them. */
async function savedDense(): Promise<{ model: bn.Sequential; json: ModelJson; weights: Buffer }> {
  const model = denseModel();
  const dir = newDir();
  await model.save(dir);
  return { model, ...readModel(dir) };
}

t.test('topology and manifest variants', async (t) => {
  const { model, json, weights } = await savedDense();
  const want = Array.from((model.predict(x) as bn.Tensor).data);
  const [l0, l1] = model.layers.map((l) => l.name);
  let specs: ModelJson[] = [];
  const variants: [string, (j: ModelJson) => Record<string, Uint8Array>][] = [
    ['converter model_config wrapper', (j) => {
      j.modelTopology = { keras_version: '2.15.0', backend: 'tensorflow', model_config: j.modelTopology, training_config: { loss: 'mse' } };
      return { 'weights.bin': weights };
    }],
    ['legacy array config', (j) => { j.modelTopology.config = j.modelTopology.config.layers; return { 'weights.bin': weights }; }],
    ['camelCase enum values and keys', (j) => {
      const c = j.modelTopology.config.layers[0].config;
      c.kernelInitializer = { className: 'VarianceScaling', config: { scale: 1, mode: 'fanAvg', distribution: 'uniform' } };
      delete c.kernel_initializer;
      c.batchInputShape = c.batch_input_shape;
      delete c.batch_input_shape;
      j.modelTopology.config.layers[1].config.activation = 'softmax';
      return { 'weights.bin': weights };
    }],
    ['Keras 3 InputLayer with batch_shape', (j) => {
      delete j.modelTopology.config.layers[0].config.batch_input_shape;
      j.modelTopology.config.layers.unshift({ module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 4], dtype: 'float32', sparse: false, name: 'input_layer' }, registered_name: null });
      return { 'weights.bin': weights };
    }],
    ['tfjs InputLayer with batch_input_shape', (j) => {
      delete j.modelTopology.config.layers[0].config.batch_input_shape;
      j.modelTopology.config.layers.unshift({ class_name: 'InputLayer', config: { batch_input_shape: [null, 4], dtype: 'float32', sparse: false, name: 'in' } });
      return { 'weights.bin': weights };
    }],
    ['shards split mid-tensor', (j) => {
      j.weightsManifest[0].paths = ['group1-shard1of2.bin', 'group1-shard2of2.bin'];
      return { 'group1-shard1of2.bin': weights.subarray(0, 30), 'group1-shard2of2.bin': weights.subarray(30) };
    }],
    ['two groups', (j) => {
      j.weightsManifest = [{ paths: ['a.bin'], weights: specs.slice(0, 2) }, { paths: ['b.bin'], weights: specs.slice(2) }];
      return { 'a.bin': weights.subarray(0, 25 * 4), 'b.bin': weights.subarray(25 * 4) };
    }],
    ['names with an inner cell segment and :0', (j) => {
      specs[0].name = `${l0}/${l0}_cell/kernel:0`;
      specs[1].name = `${l0}/bias:0`;
      return { 'weights.bin': weights };
    }],
    ['Keras 3 vars/<index> names', (j) => {
      specs.forEach((s: ModelJson, i: number) => (s.name = `${i < 2 ? l0 : l1}/vars/${i % 2}`));
      return { 'weights.bin': weights };
    }],
    ['unknown names, loaded in order', (j) => {
      specs.forEach((s: ModelJson, i: number) => (s.name = `w${i}`));
      return { 'weights.bin': weights };
    }],
    ['manifest in another order, matched by name', (j) => {
      j.weightsManifest[0].weights = [specs[2], specs[3], specs[0], specs[1]];
      return { 'weights.bin': Buffer.concat([weights.subarray(25 * 4), weights.subarray(0, 25 * 4)]) };
    }],
    ['optimizer entries are skipped', (j) => {
      specs.push({ name: 'optimizer/iter', shape: [], dtype: 'int32', group: 'optimizer' }, { name: 'optimizer/slot', shape: [2], dtype: 'float32', group: 'optimizer' });
      return { 'weights.bin': Buffer.concat([weights, Buffer.alloc(12)]) };
    }],
  ];
  for (const [name, rewrite] of variants) {
    const j = JSON.parse(JSON.stringify(json));
    specs = j.weightsManifest[0].weights;
    const file = writeModel(newDir(), j, rewrite(j));
    const loaded = await bn.loadLayersModel(file);
    const diff = maxAbsDiff((loaded.predict(x) as bn.Tensor).data, want);
    t.equal(diff, 0, `${name}: same predictions`);
  }
});

t.test('quantized weights decode as v * scale + min, float16 exactly', async (t) => {
  const { json, weights } = await savedDense();
  const floats = new Float32Array(weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.length));
  const specs = json.weightsManifest[0].weights;
  const [k0, b0, b1] = [floats.subarray(0, 20), floats.subarray(20, 25), floats.subarray(40, 43)];
  // kernel 0 as uint8, bias 0 as uint16, kernel 1 as float16 (values chosen to be exact), bias 1 plain.
  const min = -1, scale = 2 / 255;
  const u8 = Uint8Array.from(k0, (v) => Math.round((v - min) / scale));
  const u16 = Uint16Array.from(b0, (v) => Math.round((v - min) / (2 / 65535)));
  const halves = Uint16Array.from({ length: 15 }, (_, i) => 0x3c00 + i * 64); // 1, 1.0625, ...
  specs[0].quantization = { dtype: 'uint8', scale, min };
  specs[1].quantization = { dtype: 'uint16', scale: 2 / 65535, min };
  specs[2].quantization = { dtype: 'float16' };
  const data = Buffer.concat([u8, new Uint8Array(u16.buffer), new Uint8Array(halves.buffer), new Uint8Array(b1.slice().buffer)]);
  const loaded = await bn.loadLayersModel(writeModel(newDir(), json, { 'weights.bin': data }));
  const [lk0, lb0, lk1, lb1] = loaded.getWeights();
  t.ok(maxAbsDiff(lk0.data, Array.from(u8, (v) => v * scale + min)) < 1e-6, 'uint8');
  t.ok(maxAbsDiff(lb0.data, b0) <= 2 / 65535, 'uint16');
  t.same(Array.from(lk1.data), Array.from({ length: 15 }, (_, i) => 1 + i / 16), 'float16');
  t.same(Array.from(lb1.data), Array.from(b1), 'unquantized');
});

t.test('corrupt and hostile files give clear errors', async (t) => {
  const { json, weights } = await savedDense();
  const [l0] = json.modelTopology.config.layers.map((l: ModelJson) => l.config.name);
  const cases: [string, (j: ModelJson) => Record<string, Uint8Array>, RegExp][] = [
    ['truncated weights', () => ({ 'weights.bin': weights.subarray(0, weights.length - 4) }), /weight files \(weights.bin\) hold 168 bytes, but the manifest needs more/],
    ['trailing bytes', () => ({ 'weights.bin': Buffer.concat([weights, Buffer.alloc(8)]) }), /hold 180 bytes, but the manifest describes 172; they do not belong together/],
    ['missing weight file', () => ({}), /cannot read weight file 'weights.bin' \(ENOENT/],
    ['path traversal', (j) => { j.weightsManifest[0].paths = ['../../etc/passwd']; return {}; }, /path '..\/..\/etc\/passwd' points outside the model's directory/],
    ['absolute path', (j) => { j.weightsManifest[0].paths = ['/etc/passwd']; return {}; }, /points outside the model's directory/],
    ['unknown layer class', (j) => { j.modelTopology.config.layers[1].class_name = 'FancyAttention'; return { 'weights.bin': weights }; },
      /layer 1 '.*' \(FancyAttention\): unknown layer class_name 'FancyAttention'; blasnet can load: .*dense.*embedding/],
    ['functional model without endpoints', (j) => { j.modelTopology.class_name = 'Functional'; return { 'weights.bin': weights }; }, /the functional config needs a non-empty input_layers list/],
    ['graph model', (j) => { j.format = 'graph-model'; return {}; }, /format 'graph-model'; only 'layers-model'/],
    ['no modelTopology', (j) => { delete j.modelTopology; return {}; }, /has no modelTopology object/],
    ['no weightsManifest', (j) => { delete j.weightsManifest; return {}; }, /has no weightsManifest/],
    ['no input shape', (j) => { delete j.modelTopology.config.layers[0].config.batch_input_shape; return { 'weights.bin': weights }; }, /layer 0 .*needs an inputShape/],
    ['bad layer config', (j) => { j.modelTopology.config.layers[0].config.units = -2; return { 'weights.bin': weights }; }, /layer 0 .*units must be a positive integer, got -2/],
    ['shape mismatch', (j) => {
      j.weightsManifest[0].weights[0].shape = [5, 4];
      return { 'weights.bin': weights };
    }, new RegExp(`weight '${l0}/kernel' has shape \\[5, 4\\], but ${l0} \\(Dense\\) expects \\[4, 5\\]`)],
    ['bad shape entry', (j) => { j.weightsManifest[0].weights[1].shape = [-5]; return { 'weights.bin': weights }; }, /shape must be a list of non-negative integers, got \[-5\]/],
    ['absurd shape', (j) => { j.weightsManifest[0].weights[1].shape = [1e9, 1e9]; return { 'weights.bin': weights }; }, /is absurdly large/],
    ['bad dtype', (j) => { j.weightsManifest[0].weights[1].dtype = 'float64'; return { 'weights.bin': weights }; }, /dtype must be one of float32, int32, bool, string, complex64, got "float64"/],
    ['bad quantization', (j) => { j.weightsManifest[0].weights[1].quantization = { dtype: 'uint8' }; return { 'weights.bin': weights }; }, /uint8 quantization needs finite scale and min/],
    ['unknown weight names, wrong count', (j) => {
      j.weightsManifest[0].weights.forEach((s: ModelJson, i: number) => (s.name = `w${i}`));
      j.weightsManifest[0].weights.pop();
      return { 'weights.bin': weights.subarray(0, 40 * 4) };
    }, /no weight name matches the model and the counts differ: the manifest has 3 weights/],
    ['a weight without values', (j) => {
      j.weightsManifest[0].weights.pop();
      return { 'weights.bin': weights.subarray(0, 40 * 4) };
    }, /the manifest has no values for .*\/bias/],
    ['an extra weight', (j) => {
      j.weightsManifest[0].weights.push({ name: 'extra/kernel', shape: [1], dtype: 'float32' });
      return { 'weights.bin': Buffer.concat([weights, Buffer.alloc(4)]) };
    }, /weights extra\/kernel match no weight of the model/],
    ['int32 weight for a float parameter', (j) => { j.weightsManifest[0].weights[1].dtype = 'int32'; return { 'weights.bin': weights }; }, /has dtype int32; .* holds float32 values/],
    ['duplicate layer names', (j) => { j.modelTopology.config.layers[1].config.name = l0; return { 'weights.bin': weights }; }, /two layers are named/],
  ];
  for (const [name, corrupt, message] of cases) {
    const j = JSON.parse(JSON.stringify(json));
    const file = writeModel(newDir(), j, corrupt(j));
    await t.rejects(bn.loadLayersModel(file), { message }, name);
    await t.rejects(bn.loadLayersModel(file), { message: new RegExp(`^loadLayersModel: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `) }, `${name}: names the file`);
  }
  const dir = newDir();
  mkdirSync(dir);
  await t.rejects(bn.loadLayersModel(dir), /model.json: cannot read the file \(ENOENT/, 'missing model.json');
  writeFileSync(path.join(dir, 'model.json'), '{"modelTopology": ');
  await t.rejects(bn.loadLayersModel(dir), /model.json: is not valid JSON/, 'invalid JSON');
  await t.rejects(bn.loadLayersModel('https://example.com/model.json'), /only file:\/\/ URLs and directory paths are supported, got https:\/\//);
  await t.rejects(bn.sequential().save(newDir()), /has no layers/, 'an empty model does not save');
});

t.test('corrupt functional topologies give clear errors', async (t) => {
  const x = bn.input({ shape: [3], name: 'x' });
  const h = bn.layers.dense({ units: 2, name: 'h' }).apply(x) as bn.SymbolicTensor;
  const model = bn.model({ inputs: x, outputs: bn.layers.dense({ units: 1, name: 'y' }).apply(h) as bn.SymbolicTensor });
  const dir = newDir();
  await model.save(dir);
  const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const weights = readFileSync(path.join(dir, 'weights.bin'));
  const layer = (j: ModelJson, name: string): ModelJson => j.modelTopology.config.layers.find((l: ModelJson) => l.name === name);
  const cases: [string, (j: ModelJson) => void, RegExp][] = [
    ['a node reads a missing layer', (j) => { layer(j, 'y').inbound_nodes = [[['ghost', 0, 0, {}]]]; }, /layer 'y' reads from 'ghost', which is not in the model/],
    ['a cycle', (j) => { layer(j, 'h').inbound_nodes = [[['y', 0, 0, {}]]]; }, /layer 'h' node 0 reads \[\["y",0,0\]\], which the layers never produce \(a missing node or a cycle\)/],
    ['a node that is never made', (j) => { layer(j, 'y').inbound_nodes.push([['h', 5, 0, {}]]); }, /layer 'y' node 1 reads \[\["h",5,0\]\], which the layers never produce/],
    ['call arguments', (j) => { layer(j, 'y').inbound_nodes[0][0][3] = { training: true }; }, /call arguments \{"training":true\} of an input are not supported/],
    ['a sparse input', (j) => { layer(j, 'x').config.sparse = true; }, /sparse inputs are not supported/],
    ['a bad reference', (j) => { layer(j, 'y').inbound_nodes = [[['h', -1, 0, {}]]]; }, /expected a tensor reference \[layer, node, tensor\]/],
    ['no output_layers', (j) => { delete j.modelTopology.config.output_layers; }, /needs a non-empty output_layers list/],
    ['an input without a shape', (j) => { delete layer(j, 'x').config.batch_input_shape; }, /layer 0 'x' \(InputLayer\): an InputLayer needs batch_input_shape/],
    ['a merge of mismatched shapes', (j) => {
      j.modelTopology.config.layers.push({ name: 'sum', class_name: 'Add', config: { name: 'sum' }, inbound_nodes: [[['x', 0, 0, {}], ['h', 0, 0, {}]]] });
      j.modelTopology.config.output_layers = [['sum', 0, 0]];
    }, /layer 'sum': sum \(Add\): inputs must have the same shape; got \[null, 3\] and \[null, 2\]/],
  ];
  for (const [name, corrupt, message] of cases) {
    const j = JSON.parse(JSON.stringify(json));
    corrupt(j);
    await t.rejects(bn.loadLayersModel(writeModel(newDir(), j, { 'weights.bin': weights })), { message }, name);
  }
});
