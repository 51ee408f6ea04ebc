// Reads a model in the TensorFlow.js layers format (saved by blasnet, by tfjs, or converted
// from Keras by tensorflowjs_converter) into a Sequential or functional model. The files are untrusted:
// every field is checked, and errors name the file and what is wrong with it.
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors';
import { InputLayer } from '../engine/input-layer';
import { SymbolicTensor } from '../engine/symbolic';
import { Layer } from '../layers/layer';
import { LayersModel } from '../models/model';
import type { CompileArgs } from '../models/training';
import { Sequential } from '../models/sequential';
import { optimizerFromConfig } from '../optimizers';
import { Tensor } from '../tensor';
import { isPlainObject, layerFromConfig, savedWeightNames } from './registry';
import { saveDirectory } from './save';
import { DecodedWeight, decodeWeights, parseManifest } from './weights';

/**
 * Loads a model saved with `model.save(...)` or by TensorFlow.js / tensorflowjs_converter.
 * `source` is `file://path/model.json`, a path to model.json, or the directory holding it.
 */
export async function loadLayersModel(source: string): Promise<LayersModel> {
  const given = saveDirectory(source, 'loadLayersModel');
  const jsonPath = (await isDirectory(given)) ? path.join(given, 'model.json') : given;
  const where = `loadLayersModel: ${jsonPath}`;
  const fail = (m: string): ValueError => new ValueError(`${where}: ${m}`);

  let text: string;
  try {
    text = await readFile(jsonPath, 'utf8');
  } catch (err) {
    throw fail(`cannot read the file (${(err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw fail(`is not valid JSON (${(err as Error).message})`);
  }
  if (!isPlainObject(json) || !isPlainObject(json.modelTopology)) throw fail('has no modelTopology object; is this a TensorFlow.js layers model.json?');
  if (json.format !== undefined && json.format !== 'layers-model') {
    throw fail(`has format '${String(json.format)}'; only 'layers-model' files can be loaded (graph models hold no layers)`);
  }
  if (json.weightsManifest === undefined) throw fail('has no weightsManifest');

  const model = modelFromTopology(json.modelTopology, fail);
  const groups = parseManifest(json.weightsManifest, fail);
  const dir = path.dirname(jsonPath);
  const paths = groups.flatMap((g) => g.paths);
  const buffers = await Promise.all(paths.map((p) => readWeightFile(dir, p, fail)));
  const decoded = decodeWeights(groups.flatMap((g) => g.weights), Buffer.concat(buffers), paths.join(', '), fail);
  assignWeights(model, decoded.filter((w) => w.spec.group !== 'optimizer'), where);
  if (json.trainingConfig !== undefined && json.trainingConfig !== null) restoreTraining(model, json.trainingConfig, decoded.filter((w) => w.spec.group === 'optimizer'), fail);
  return model;
}

/** Compiles a loaded model as it was saved and restores its optimizer's state, so fit continues where it stopped. */
function restoreTraining(model: LayersModel, config: unknown, state: DecodedWeight[], fail: (m: string) => Error): void {
  if (!isPlainObject(config)) throw fail(`trainingConfig must be an object, got ${formatValue(config)}`);
  try {
    const lossWeights = config.loss_weights ?? config.lossWeights;
    // TF.js (and Keras 2) apply one flat list of metrics to every output; blasnet writes one list per output.
    const outputs = model.outputNames.length;
    const metricsOf = (m: unknown): CompileArgs['metrics'] =>
      (outputs > 1 && Array.isArray(m) && m.length > 0 && m.every((e) => typeof e === 'string') ? Array.from({ length: outputs }, () => m) : m ?? undefined) as CompileArgs['metrics'];
    model.compile({
      optimizer: optimizerFromConfig(config.optimizer_config ?? config.optimizerConfig, 'trainingConfig'),
      loss: config.loss as string,
      metrics: metricsOf(config.metrics),
      weightedMetrics: metricsOf(config.weighted_metrics ?? config.weightedMetrics),
      lossWeights: (lossWeights ?? undefined) as number[] | undefined,
    });
  } catch (err) {
    throw fail(`trainingConfig: ${(err as Error).message}`);
  }
  if (state.length === 0) return;
  const tensors = state.map((w) => {
    if (!w.values) throw fail(`optimizer weight '${w.spec.name}' has dtype ${w.spec.dtype}; optimizer state is float32`);
    return new Tensor(w.values, w.spec.shape);
  });
  try {
    model.optimizer.setWeights(tensors);
  } catch (err) {
    throw fail(`optimizer weights: ${(err as Error).message}`);
  }
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Reads a manifest path relative to model.json, refusing paths that leave its directory. */
async function readWeightFile(dir: string, file: string, fail: (m: string) => Error): Promise<Buffer> {
  const resolved = path.resolve(dir, file);
  const relative = path.relative(path.resolve(dir), resolved);
  if (path.isAbsolute(file) || /^[a-z][a-z0-9+.-]*:\/\//i.test(file) || relative.startsWith('..') || path.isAbsolute(relative)) {
    throw fail(`weightsManifest path '${file}' points outside the model's directory; only relative file names are allowed`);
  }
  try {
    return await readFile(resolved);
  } catch (err) {
    throw fail(`cannot read weight file '${file}' (${(err as Error).message})`);
  }
}

/** A Sequential or functional model from a topology; see sequentialFromTopology and functionalFromConfig. */
function modelFromTopology(topology: Record<string, unknown>, fail: (m: string) => Error): LayersModel {
  const root = isPlainObject(topology.model_config) ? topology.model_config : topology;
  const className = root.class_name ?? root.className;
  if (className === 'Model' || className === 'Functional') {
    if (!isPlainObject(root.config)) throw fail(`a ${className} topology needs a config object`);
    return functionalFromConfig(root.config, fail);
  }
  return sequentialFromTopology(topology, fail);
}

/** One tensor reference of a saved graph: [layer name, node index, tensor index]. */
type TensorRef = [string, number, number];

/** The input references of one saved node, in the TF.js/Keras 2 list form or Keras 3's {args, kwargs} form. */
function nodeInputs(node: unknown, where: string, fail: (m: string) => Error): TensorRef[] {
  const ref = (r: unknown): TensorRef => {
    if (Array.isArray(r) && typeof r[0] === 'string' && Number.isInteger(r[1]) && Number.isInteger(r[2]) && r[1] >= 0 && r[2] >= 0) {
      return [r[0], r[1], r[2]];
    }
    if (isPlainObject(r) && r.class_name === '__keras_tensor__' && isPlainObject(r.config)) return ref(r.config.keras_history);
    throw fail(`${where}: expected a tensor reference [layer, node, tensor], got ${formatValue(r)}`);
  };
  const noKwargs = (kwargs: unknown, what: string): void => {
    // Keras writes arguments left at their defaults as null ({mask: null}); those change nothing.
    if (kwargs !== undefined && kwargs !== null && !(isPlainObject(kwargs) && Object.values(kwargs).every((v) => v === null))) {
      throw fail(`${where}: call arguments ${formatValue(kwargs)} ${what} are not supported; blasnet calls layers on their inputs alone`);
    }
  };
  if (Array.isArray(node)) {
    for (const r of node) if (Array.isArray(r)) noKwargs(r[3], 'of an input');
    return node.map(ref);
  }
  if (isPlainObject(node) && Array.isArray(node.args)) {
    noKwargs(node.kwargs, 'of a node');
    // Keras 3: a merge layer's args are [[t1, t2]], any other layer's [t].
    const args = node.args.length === 1 && Array.isArray(node.args[0]) && !(typeof node.args[0][0] === 'string') ? node.args[0] : node.args;
    return args.map(ref);
  }
  throw fail(`${where}: a node must be a list of tensor references or {args, kwargs}, got ${formatValue(node)}`);
}

/**
 * A functional model from its config ({name, layers: [{name, class_name, config,
 * inbound_nodes}], input_layers, output_layers}). Nodes are made in passes, each layer's
 * in order, as their inputs become available; a pass that makes none fails the load
 * (a reference to nothing, or a cycle) instead of looping.
 */
function functionalFromConfig(config: Record<string, unknown>, fail: (m: string) => Error): LayersModel {
  if (!Array.isArray(config.layers) || config.layers.length === 0) throw fail('the functional config has no layers');
  const layers = new Map<string, Layer>();
  const pending = new Map<string, TensorRef[][]>();
  config.layers.forEach((entry, i) => {
    const where = `layer ${i}`;
    if (!isPlainObject(entry)) throw fail(`${where} must be {name, class_name, config, inbound_nodes}, got ${formatValue(entry)}`);
    const layerClass = entry.class_name ?? entry.className;
    if (typeof layerClass !== 'string') throw fail(`${where} has no class_name`);
    if (!isPlainObject(entry.config)) throw fail(`${where} (${layerClass}) has no config object`);
    const cfg: Record<string, unknown> = { ...entry.config };
    const name = typeof entry.name === 'string' ? entry.name : cfg.name;
    if (typeof name !== 'string') throw fail(`${where} (${layerClass}) has no name`);
    if (layers.has(name)) throw fail(`two layers are named '${name}'`);
    let layer: Layer;
    try {
      if (layerClass === 'InputLayer') {
        for (const flag of ['sparse', 'ragged']) if (cfg[flag]) throw new ValueError(`${flag} inputs are not supported`);
        const shape = takeBatchShape(cfg);
        if (!Array.isArray(shape)) throw new ValueError('an InputLayer needs batch_input_shape (or batch_shape)');
        layer = new InputLayer({ batchShape: shape as (number | null)[], dtype: cfg.dtype === 'int32' ? 'int32' : 'float32', name });
        if (cfg.dtype !== undefined && cfg.dtype !== 'float32' && cfg.dtype !== 'int32') throw new ValueError(`dtype must be float32 or int32, got ${formatValue(cfg.dtype)}`);
      } else {
        takeBatchShape(cfg);
        layer = layerFromConfig(layerClass, { ...cfg, name });
      }
    } catch (err) {
      throw fail(`${where} '${name}' (${layerClass}): ${(err as Error).message}`);
    }
    layers.set(name, layer);
    const nodes = entry.inbound_nodes ?? [];
    if (!Array.isArray(nodes)) throw fail(`${where} '${name}': inbound_nodes must be a list`);
    pending.set(name, layerClass === 'InputLayer' ? [] : nodes.map((n, k) => nodeInputs(n, `${where} '${name}' node ${k}`, fail)));
  });

  // Outputs of each made node: `${layer}/${node}` -> tensors (an input layer's node 0 is its tensor).
  const made = new Map<string, SymbolicTensor[]>();
  for (const [name, layer] of layers) if (layer instanceof InputLayer) made.set(`${name}/0`, [layer.output]);
  const madeCount = new Map<string, number>();
  const tensor = (r: TensorRef): SymbolicTensor | undefined => made.get(`${r[0]}/${r[1]}`)?.[r[2]];
  for (let progress = true; progress;) {
    progress = false;
    for (const [name, nodes] of pending) {
      const k = madeCount.get(name) ?? 0;
      if (k >= nodes.length) continue;
      const refs = nodes[k];
      for (const r of refs) if (!layers.has(r[0])) throw fail(`layer '${name}' reads from '${r[0]}', which is not in the model`);
      const inputs = refs.map(tensor);
      if (inputs.some((x) => x === undefined)) continue;
      try {
        const out = layers.get(name)!.apply(inputs.length === 1 ? inputs[0]! : inputs as SymbolicTensor[]) as SymbolicTensor;
        made.set(`${name}/${k}`, [out]);
      } catch (err) {
        throw fail(`layer '${name}': ${(err as Error).message}`);
      }
      madeCount.set(name, k + 1);
      progress = true;
    }
  }
  for (const [name, nodes] of pending) {
    const k = madeCount.get(name) ?? 0;
    if (k < nodes.length) {
      throw fail(`layer '${name}' node ${k} reads ${formatValue(nodes[k].map((r) => r.slice(0, 3)))}, which the layers never produce (a missing node or a cycle)`);
    }
  }
  const endpoints = (key: string): SymbolicTensor[] => {
    let list = config[key];
    // Keras 3 writes a single endpoint as one reference, not a list of them.
    if (Array.isArray(list) && (typeof list[0] === 'string' || (isPlainObject(list[0]) && list[0].class_name === '__keras_tensor__'))) {
      list = typeof list[0] === 'string' ? [list] : list;
    }
    if (!Array.isArray(list) || list.length === 0) throw fail(`the functional config needs a non-empty ${key} list`);
    return list.map((r) => {
      const [ref] = nodeInputs([r], key, fail);
      const t = tensor(ref);
      if (!t) throw fail(`${key} names ${formatValue(ref)}, which the layers never produce (a node that reads from a missing or circular input?)`);
      return t;
    });
  };
  try {
    return new LayersModel({ inputs: endpoints('input_layers'), outputs: endpoints('output_layers'), name: typeof config.name === 'string' ? config.name : undefined });
  } catch (err) {
    throw fail((err as Error).message);
  }
}

/**
 * A Sequential model from either topology shape: tfjs's `{class_name, config}` or the
 * converter's `{model_config: {...}}`, with `config` as `{name, layers}` or a bare list.
 */
function sequentialFromTopology(topology: Record<string, unknown>, fail: (m: string) => Error): Sequential {
  const root = isPlainObject(topology.model_config) ? topology.model_config : topology;
  const className = root.class_name ?? root.className;
  if (className !== 'Sequential') {
    const functional = className === 'Model' || className === 'Functional';
    throw fail(`modelTopology has class_name ${formatValue(className)}; only Sequential models can be loaded${functional ? ' (functional models are not supported)' : ''}`);
  }
  const config = root.config;
  const entries = Array.isArray(config) ? config : isPlainObject(config) && Array.isArray(config.layers) ? config.layers : null;
  if (!entries) throw fail('modelTopology.config must hold a list of layers');
  const name = isPlainObject(config) && typeof config.name === 'string' ? config.name : undefined;
  const buildShape = isPlainObject(config) ? config.build_input_shape ?? config.buildInputShape : undefined;

  const model = new Sequential({ name });
  let inputShape: unknown = null;
  entries.forEach((entry, i) => {
    const where = `layer ${i}`;
    if (!isPlainObject(entry)) throw fail(`${where} must be {class_name, config}, got ${formatValue(entry)}`);
    const layerClass = entry.class_name ?? entry.className;
    if (typeof layerClass !== 'string') throw fail(`${where} has no class_name`);
    if (!isPlainObject(entry.config)) throw fail(`${where} (${layerClass}) has no config object`);
    const config: Record<string, unknown> = { ...entry.config };
    const shape = takeBatchShape(config);
    if (layerClass === 'InputLayer') {
      if (model.layers.length > 0) throw fail(`${where}: an InputLayer may only come first`);
      inputShape = shape;
      return;
    }
    const layerName = typeof config.name === 'string' ? config.name : layerClass;
    if (model.layers.some((l) => l.name === config.name)) throw fail(`two layers are named '${layerName}'; weights are matched by layer name`);
    const batchShape = shape ?? (model.layers.length === 0 ? inputShape ?? buildShape : null);
    if (batchShape) config.batch_input_shape = batchShape;
    try {
      model.add(layerFromConfig(layerClass, config));
    } catch (err) {
      throw fail(`${where} '${layerName}' (${layerClass}): ${(err as Error).message}`);
    }
  });
  if (model.layers.length === 0) throw fail('modelTopology has no layers');
  return model;
}

/** Removes every spelling of the batch shape from a config and returns it (null if absent). */
function takeBatchShape(config: Record<string, unknown>): unknown {
  let shape: unknown = null;
  for (const key of ['batch_input_shape', 'batchInputShape', 'batch_shape', 'batchShape']) {
    if (config[key] !== undefined && config[key] !== null) shape ??= config[key];
    delete config[key];
  }
  const perSample = config.input_shape ?? config.inputShape;
  delete config.input_shape;
  delete config.inputShape;
  return shape ?? (Array.isArray(perSample) ? [null, ...perSample] : null);
}

interface Target {
  layer: Layer;
  index: number;
  /** `<layer>/<weight>`, as saved. */
  name: string;
}

/**
 * Copies decoded weights into the model: by name when the names match (tfjs's rules: exact,
 * then without the segment before the weight name, e.g. `lstm/lstm_cell/kernel` ->
 * `lstm/kernel`, and Keras 3's `<layer>/vars/<i>`), or in order when no name matches.
 */
function assignWeights(model: LayersModel, weights: DecodedWeight[], where: string): void {
  const fail = (m: string): ValueError => new ValueError(`${where}: ${m}`);
  const targets: Target[] = model.layers.flatMap((layer) => savedWeightNames(layer).map((n, index) => ({ layer, index, name: `${layer.name}/${n}` })));
  const byName = new Map(targets.map((t) => [t.name, t]));
  const find = (saved: string): Target | undefined => {
    const name = saved.replace(/:0$/, '');
    const vars = /^(.*)\/vars\/(\d+)$/.exec(name);
    if (vars) return targets.find((t) => t.layer.name === vars[1] && t.index === Number(vars[2]));
    const tokens = name.split('/');
    return byName.get(name) ?? (tokens.length > 2 ? byName.get([...tokens.slice(0, -2), tokens[tokens.length - 1]].join('/')) : undefined);
  };
  const matches = weights.map((w) => find(w.spec.name));
  let pairs: [DecodedWeight, Target][];
  if (matches.every((m) => m === undefined)) {
    if (weights.length !== targets.length) {
      throw fail(`no weight name matches the model and the counts differ: the manifest has ${weights.length} weights (${list(weights.map((w) => w.spec.name))}), the model ${targets.length} (${list(targets.map((t) => t.name))})`);
    }
    pairs = weights.map((w, i) => [w, targets[i]]);
  } else {
    const unmatched = weights.filter((_, i) => !matches[i]).map((w) => w.spec.name);
    if (unmatched.length) throw fail(`weights ${list(unmatched)} match no weight of the model (${list(targets.map((t) => t.name))})`);
    const used = new Set(matches);
    const missing = targets.filter((t) => !used.has(t)).map((t) => t.name);
    if (missing.length) throw fail(`the manifest has no values for ${list(missing)}`);
    if (used.size !== matches.length) throw fail('the manifest lists some weights twice');
    pairs = weights.map((w, i) => [w, matches[i]!]);
  }

  const values = new Map<Layer, Tensor[]>(model.layers.map((l) => [l, l.getWeights()]));
  for (const [w, target] of pairs) {
    const param = target.layer.weights[target.index];
    if (!w.values) throw fail(`weight '${w.spec.name}' has dtype ${w.spec.dtype}; ${target.name} holds float32 values`);
    const want = param.value.shape;
    if (w.spec.shape.length !== want.length || w.spec.shape.some((d, k) => d !== want[k])) {
      throw new ShapeError(`${where}: weight '${w.spec.name}' has shape ${formatShape(w.spec.shape)}, but ${target.layer.name} (${target.layer.className}) expects ${formatShape(want)} for ${target.name}`);
    }
    values.get(target.layer)![target.index] = new Tensor(w.values, want);
  }
  for (const [layer, tensors] of values) layer.setWeights(tensors);
}

function list(names: string[]): string {
  return names.length > 6 ? `${names.slice(0, 6).join(', ')}, ... (${names.length} in all)` : names.join(', ');
}
