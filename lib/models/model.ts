// The model API (TensorFlow.js' LayersModel, Keras' Model): a graph of layers from
// symbolic inputs to outputs, with fit/evaluate/predict, weights, summary and saving.
// The graph is in engine/graph.ts, one call's values in engine/context.ts, the losses and
// the optimizer step in training.ts. Sequential (sequential.ts) is this with one chain.
import { ExecutionContext } from '../engine/context';
import { Graph } from '../engine/graph';
import { InputLayer } from '../engine/input-layer';
import { SymbolicTensor } from '../engine/symbolic';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors';
import { Layer, Param } from '../layers/layer';
import { KerasOptions } from '../names';
import { OptionSpec, readOptions } from '../options';
import { random } from '../random';
import { Tensor, TensorLike, cast, sizeOf, toTensor } from '../tensor';
import { SaveResult, saveModel } from '../io/save';
import { Batches, Totals, gatherRows, positiveInt, sliceBatches, sliceRows, yieldToEventLoop } from './data';
import { CallbackList, Callbacks } from './callbacks';
import { History } from './history';
import { ProgressLogger } from './progress';
import { summaryText } from './summary';
import { CompileArgs, Trainer } from './training';
import { ClassWeight, SampleWeightData, classWeights, sampleWeights } from './weights';

export interface ModelArgs {
  inputs: SymbolicTensor | SymbolicTensor[];
  outputs: SymbolicTensor | SymbolicTensor[];
  name?: string;
}

/** Data for a model's inputs (or outputs): one tensor, a list in order, or keyed by input (output) layer name. */
export type ModelData = TensorLike | TensorLike[] | Record<string, TensorLike>;


/** evaluate's and predict's options. */
export interface InferenceArgs {
  batchSize?: number;
  /** Accepted for Keras compatibility: evaluate and predict print nothing. */
  verbose?: number;
}

/** evaluate's options. */
export interface EvaluateArgs extends InferenceArgs {
  /** Weights of the samples in the loss and the weighted metrics, as in fit. */
  sampleWeight?: SampleWeightData;
}

export interface FitArgs {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  /** Fraction of the data, taken from the end before shuffling, held out for validation. */
  validationSplit?: number;
  /** Held-out data: [x, y], or [x, y, sampleWeight] as Keras's 3-tuple. */
  validationData?: [ModelData, ModelData] | [ModelData, ModelData, SampleWeightData | null];
  /**
   * Weights of the samples in the loss and the weighted metrics: [N], or per timestep [N, T] for a
   * sequence output; for several outputs one such array each (a list or keyed by output name), or
   * one [N] array for all. Keras's sample_weight.
   */
  sampleWeight?: SampleWeightData;
  /** `{classIndex: weight}` (single-output models): each sample weighs its class's weight, 1 for classes left out. */
  classWeight?: ClassWeight;
  /** 0 silent, 1 live progress bar, 2 one line per epoch. */
  verbose?: number;
  initialEpoch?: number;
  /** One object of hooks or a Keras-style list of them (bn.callbacks has Keras's built-ins). */
  callbacks?: Callbacks | Callbacks[];
  /** Aborting it stops training after the current batch; fit resolves with the history so far. */
  signal?: AbortSignal;
}

const FIT_OPTIONS: OptionSpec = {
  known: ['epochs', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'verbose', 'initialEpoch', 'callbacks', 'signal',
    'sampleWeight', 'classWeight'],
  unsupported: { stepsPerEpoch: null, validationSteps: null, validationBatchSize: null,
    validationFreq: 1, yieldEvery: null },
};
const EVALUATE_OPTIONS: OptionSpec = { known: ['batchSize', 'verbose', 'sampleWeight'], unsupported: { steps: null, callbacks: null, returnDict: null } };
const PREDICT_OPTIONS: OptionSpec = { known: ['batchSize', 'verbose'], unsupported: { steps: null, callbacks: null } };

/** A model of layers connected as a graph: `bn.model({inputs, outputs})`. */
export class LayersModel {
  readonly name: string;
  private graphCache: Graph | null = null;
  private trainer: Trainer | null = null;
  /** Contexts for inference calls not in use; one per call in flight. */
  private idleContexts: ExecutionContext[] = [];
  /** Set true (by a callback) to stop a running fit after the current epoch, as TF.js's stopTraining and Keras's stop_training. */
  stopTraining = false;

  constructor(args: ModelArgs | { name?: string }, defaultName = 'functional') {
    const a = readOptions<Partial<ModelArgs>>(args, defaultName, { known: ['inputs', 'outputs', 'name'], unsupported: { trainable: true } });
    this.name = a.name ?? defaultName;
    if ('inputs' in a || 'outputs' in a) {
      if (a.inputs === undefined || a.outputs === undefined) throw new ValueError(`${this.name}: a model needs both inputs and outputs`);
      const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
      this.setGraph(new Graph(list(a.inputs), list(a.outputs), this.name));
    }
  }

  /** The graph, made on first use after a change (Sequential.add invalidates it). */
  protected get graph(): Graph {
    return (this.graphCache ??= this.buildGraph());
  }

  protected setGraph(graph: Graph | null): void {
    this.graphCache = graph;
    this.trainer = null;
    this.idleContexts = [];
  }

  /** Makes the graph when there is none (Sequential builds its chain here). */
  protected buildGraph(): Graph {
    throw new ValueError(`${this.name}: the model has no layers`);
  }

  get inputs(): SymbolicTensor[] {
    return [...this.graph.inputs];
  }

  get outputs(): SymbolicTensor[] {
    return [...this.graph.outputs];
  }

  /** Every layer, in Keras order (input layers first). */
  get layers(): Layer[] {
    return [...this.graph.layers];
  }

  /** Names of the input layers, in input order. */
  get inputNames(): string[] {
    return this.graph.inputs.map((t) => t.sourceLayer.name);
  }

  /** Names of the outputs: their layers' names, with a suffix where a layer gives several. */
  get outputNames(): string[] {
    const names: string[] = [];
    for (const t of this.graph.outputs) {
      let name = t.sourceLayer.name;
      for (let i = 1; names.includes(name); i++) name = `${t.sourceLayer.name}_${i}`;
      names.push(name);
    }
    return names;
  }

  /** Per-sample input shape of a model with one input. */
  get inputShape(): number[] {
    return [...this.single(this.graph.inputs, 'input').shape];
  }

  /** Per-sample output shape of a model with one output. */
  get outputShape(): number[] {
    return [...this.single(this.graph.outputs, 'output').shape];
  }

  /** The layer with this name, or at this position of `layers`. */
  getLayer(nameOrIndex: string | number | { name?: string; index?: number }): Layer {
    const key = typeof nameOrIndex === 'object' && nameOrIndex !== null ? nameOrIndex.name ?? nameOrIndex.index : nameOrIndex;
    const layers = this.layers;
    if (typeof key === 'number') {
      if (!Number.isInteger(key) || key < 0 || key >= layers.length) throw new ValueError(`${this.name}.getLayer: index ${key} is outside [0, ${layers.length})`);
      return layers[key];
    }
    const found = layers.find((l) => l.name === key);
    if (!found) throw new ValueError(`${this.name}.getLayer: no layer named ${formatValue(key)}; the layers are ${layers.map((l) => l.name).join(', ')}`);
    return found;
  }

  /** All weights in Keras order, each once (a shared layer's weights once). */
  get weights(): Param[] {
    return [...new Set(this.layers.flatMap((l) => [...l.weights]))];
  }

  get trainableWeights(): Param[] {
    return [...new Set(this.layers.flatMap((l) => l.trainableWeights))];
  }

  get nonTrainableWeights(): Param[] {
    const trainable = new Set(this.trainableWeights);
    return this.weights.filter((p) => !trainable.has(p));
  }

  countParams(): number {
    return this.weights.reduce((n, p) => n + p.value.size, 0);
  }

  /** Copies of all weights, in Keras order and layout. */
  getWeights(): Tensor[] {
    return this.weights.map((p) => p.value.clone());
  }

  /** Sets all weights from tensors in Keras order and layout. */
  setWeights(weights: Tensor[]): void {
    const params = this.weights;
    if (!Array.isArray(weights) || weights.length !== params.length) {
      throw new ValueError(`${this.name}.setWeights: expected ${params.length} tensors, got ${Array.isArray(weights) ? weights.length : typeof weights}`);
    }
    const tensors = weights.map((w, i) => toTensor(w, `weight ${i}`));
    tensors.forEach((w, i) => {
      const p = params[i];
      if (w.shape.length !== p.value.shape.length || w.shape.some((d, k) => d !== p.value.shape[k])) {
        throw new ShapeError(`${this.name}.setWeights: weight ${i} ('${p.name}') has shape ${formatShape(p.value.shape)}, got ${formatShape(w.shape)}`);
      }
    });
    tensors.forEach((w, i) => params[i].value.data.set(w.data));
  }

  /** Configures training: optimizer, a loss per output, metrics and lossWeights. */
  compile(args: KerasOptions<CompileArgs>): void {
    this.trainer = new Trainer(this.graph, this.outputNames, args as CompileArgs);
  }

  /** What compile set up, or null before compile (for saving). */
  get training(): Trainer | null {
    return this.trainer;
  }

  /** The optimizer compile set up. */
  get optimizer(): Trainer['optimizer'] {
    return this.requireCompiled('optimizer').optimizer;
  }

  /** Trains for a number of epochs; yields to the event loop between batches. */
  async fit(x: ModelData, y: ModelData, args: KerasOptions<FitArgs> = {}): Promise<History> {
    const trainer = this.requireCompiled('fit');
    const a = readOptions<FitArgs>(args, 'fit', FIT_OPTIONS);
    const epochs = positiveInt(a.epochs, 1, 'epochs', 'fit');
    const batchSize = positiveInt(a.batchSize, 32, 'batchSize', 'fit');
    const split = a.validationSplit ?? 0;
    if (typeof split !== 'number' || !(split >= 0 && split < 1)) throw new ValueError(`fit: validationSplit must be in [0, 1), got ${formatValue(split)}`);
    let train = this.batches(x, y, 'fit', a.sampleWeight, a.classWeight);
    let validation: Batches | null = null;
    if (a.validationData) {
      const v = a.validationData;
      if (!Array.isArray(v) || (v.length !== 2 && v.length !== 3)) {
        throw new ValueError(`fit: validationData must hold 2 items [x, y] or 3 items [x, y, sampleWeight], got ${Array.isArray(v) ? `${(v as unknown[]).length} items` : formatValue(v)}`);
      }
      validation = this.batches(v[0], v[1], 'fit (validationData)', v[2] ?? undefined);
    } else if (split > 0) {
      const n = train.xs[0].shape[0];
      const cut = n - Math.floor(n * split);
      if (cut <= 0 || cut >= n) throw new ValueError(`fit: validationSplit ${split} of ${n} samples leaves an empty training or validation set`);
      validation = sliceBatches(train, cut, n);
      // Keras splits x, y and sampleWeight; class weights weigh the training data only.
      if (a.classWeight) validation.sw = null;
      train = sliceBatches(train, 0, cut);
    }

    const n = train.xs[0].shape[0];
    const steps = Math.ceil(n / batchSize);
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const history = new History();
    const logger = new ProgressLogger(a.verbose ?? 1);
    const xb: (Tensor | null)[] = train.xs.map(() => null), yb: (Tensor | null)[] = train.ys.map(() => null);
    const swb: (Tensor | null)[] | null = train.sw && train.sw.map(() => null);
    const callbacks = new CallbackList(a.callbacks, this);
    callbacks.expectLogs(validation ? [...trainer.logNames, ...trainer.logNames.map((k) => `val_${k}`)] : trainer.logNames);
    this.stopTraining = false;
    await callbacks.call('onTrainBegin', {});

    for (let epoch = a.initialEpoch ?? 0; epoch < epochs && !this.stopTraining; epoch++) {
      await callbacks.call('onEpochBegin', epoch, {});
      if (a.shuffle ?? true) random.shuffle(order);
      logger.epochBegin(epoch, epochs, steps);
      const totals = new Totals(trainer.logNames, trainer.streamed);
      trainer.resetMetrics();
      let done = 0;
      // As Keras 3: a callback's stopTraining, or an aborted signal, ends the epoch after its batch.
      for (let step = 0; step < steps && !this.stopTraining; step++) {
        const start = step * batchSize, end = Math.min(n, start + batchSize);
        await callbacks.call('onBatchBegin', step, {});
        train.xs.forEach((t, i) => (xb[i] = gatherRows(t, order, start, end, xb[i])));
        train.ys.forEach((t, i) => (yb[i] = gatherRows(t, order, start, end, yb[i])));
        train.sw?.forEach((t, i) => (swb![i] = t && gatherRows(t, order, start, end, swb![i])));
        totals.add(trainer.trainStep(xb as Tensor[], yb as Tensor[], swb), end - start);
        const logs = totals.means();
        logger.batchEnd(step + 1, logs);
        await callbacks.call('onBatchEnd', step, logs);
        done = step + 1;
        if (a.signal?.aborted) this.stopTraining = true;
        await yieldToEventLoop();
        if (a.signal?.aborted) this.stopTraining = true;
      }
      const logs = totals.means();
      if (validation) {
        for (const [k, v] of Object.entries(await this.evaluateBatches(validation, batchSize))) logs[`val_${k}`] = v;
      }
      logger.epochEnd(done, logs);
      // Callbacks may add to the logs (ReduceLROnPlateau's learning_rate) before History keeps them, as in Keras.
      await callbacks.call('onEpochEnd', epoch, logs);
      history.record(epoch, logs);
    }
    await callbacks.call('onTrainEnd', history.epoch.length ? lastLogs(history) : {});
    return history;
  }


  /**
   * One optimizer step on one batch (Keras' train_on_batch(x, y, sample_weight, class_weight));
   * returns the batch's loss and metrics as measured before the update.
   */
  trainOnBatch(x: ModelData, y: ModelData, sampleWeight?: SampleWeightData | null, classWeight?: ClassWeight | null): Record<string, number> {
    const trainer = this.requireCompiled('trainOnBatch');
    const batch = this.batches(x, y, 'trainOnBatch', sampleWeight ?? undefined, classWeight ?? undefined);
    trainer.resetMetrics();
    const values = trainer.trainStep(batch.xs, batch.ys, batch.sw);
    return Object.fromEntries(trainer.logNames.map((name, i) => [name, values[i]]));
  }

  /** Loss and metrics of one batch in inference mode (Keras' test_on_batch(x, y, sample_weight)). */
  testOnBatch(x: ModelData, y: ModelData, sampleWeight?: SampleWeightData | null): Record<string, number> {
    const trainer = this.requireCompiled('testOnBatch');
    const batch = this.batches(x, y, 'testOnBatch', sampleWeight ?? undefined);
    trainer.resetMetrics();
    const values = trainer.evaluateBatch(batch.xs, batch.ys, batch.sw);
    return Object.fromEntries(trainer.logNames.map((name, i) => [name, values[i]]));
  }

  /** Loss and metrics on held-out data, e.g. `{loss, accuracy}`. */
  async evaluate(x: ModelData, y: ModelData, args: KerasOptions<EvaluateArgs> = {}): Promise<Record<string, number>> {
    this.requireCompiled('evaluate');
    const a = readOptions<EvaluateArgs>(args, 'evaluate', EVALUATE_OPTIONS);
    const batchSize = positiveInt(a.batchSize, 32, 'batchSize', 'evaluate');
    return this.evaluateBatches(this.batches(x, y, 'evaluate', a.sampleWeight), batchSize);
  }

  /** Runs the model in inference mode: a new tensor per output (one tensor for a model of one output). */
  predict(x: ModelData, args: KerasOptions<InferenceArgs> = {}): Tensor | Tensor[] {
    const graph = this.graph;
    // A lone batchSize (predict on one sample, call after call) skips the general check.
    const lone = args && Object.keys(args).length === 1 && 'batchSize' in args;
    const batchSize = positiveInt(lone ? (args as InferenceArgs).batchSize : readOptions<{ batchSize?: number }>(args, 'predict', PREDICT_OPTIONS).batchSize,
      32, 'batchSize', 'predict');
    const inputs = this.prepareInputs(x, 'predict');
    const n = inputs[0].shape[0];
    const results = graph.outputs.map((t) => new Tensor(new Float32Array(n * sizeOf(t.shape)), [n, ...t.shape]));
    const ctx = this.idleContexts.pop() ?? new ExecutionContext(graph);
    try {
      for (let start = 0; start < n; start += batchSize) {
        const end = Math.min(n, start + batchSize);
        const outs = ctx.forward(n <= batchSize ? inputs : inputs.map((t) => sliceRows(t, start, end)), false, false);
        for (let k = 0; k < outs.length; k++) results[k].data.set(outs[k].data, start * (results[k].size / n));
      }
    } finally {
      if (this.graphCache === graph) this.idleContexts.push(ctx);
    }
    return results.length === 1 ? results[0] : results;
  }

  /** Prints (and returns) a table of layers, output shapes, parameter counts and, for graphs, what each layer reads. */
  summary(print: (line: string) => void = console.log): string {
    const text = summaryText(this.name, this.graph, this.summaryLayers(), this.showsConnections());
    print(text);
    return text;
  }

  /**
   * Writes model.json and weights.bin in the TensorFlow.js layers format to a directory
   * (`'file://dir'` or `'dir'`); read it back with bn.loadLayersModel or tf.loadLayersModel.
   */
  async save(destination: string): Promise<SaveResult> {
    return saveModel(this, destination);
  }

  /** The Keras config of the model (what model.json's modelTopology.config holds). */
  getConfig(): Record<string, unknown> {
    const graph = this.graph;
    const inGraph = new Set(graph.nodes);
    // Node indices count only the nodes inside this model (tfjs's buildNodeConversionMap).
    const nodeIndex = (node: SymbolicTensor['node']): number =>
      node.layer instanceof InputLayer ? 0 : node.layer.inboundNodes.filter((n) => inGraph.has(n)).indexOf(node);
    const ref = (t: SymbolicTensor): [string, number, number, Record<string, never>] => [t.sourceLayer.name, nodeIndex(t.node), t.index, {}];
    const layers = graph.layers.map((layer) => {
      const nodes = layer instanceof InputLayer ? [] : layer.inboundNodes.filter((n) => inGraph.has(n)).map((n) => n.inputs.map(ref));
      return { name: layer.name, class_name: layer.className, config: layer.getConfig(), inbound_nodes: nodes };
    });
    const endpoint = (t: SymbolicTensor): [string, number, number] => { const [l, n, i] = ref(t); return [l, n, i]; };
    return { name: this.name, layers, input_layers: graph.inputs.map(endpoint), output_layers: graph.outputs.map(endpoint) };
  }

  /** The Keras class name this model saves as. */
  get className(): string {
    return 'Functional';
  }

  // ---- for subclasses and internals ------------------------------------------------

  /** The layers summary lists (Sequential leaves out its input layer). */
  protected summaryLayers(): Layer[] {
    return this.layers;
  }

  protected showsConnections(): boolean {
    return true;
  }

  /** How errors about input k name what reads it. */
  protected inputReader(k: number): string {
    const l = this.graph.inputs[k].sourceLayer;
    return `${l.name} (${l.className})`;
  }

  private single(list: readonly SymbolicTensor[], what: string): SymbolicTensor {
    if (list.length !== 1) throw new ValueError(`${this.name}: the model has ${list.length} ${what}s; use model.${what}s`);
    return list[0];
  }

  private requireCompiled(what: string): Trainer {
    void this.graph; // an empty model has nothing to compile: throws, naming the fix
    if (!this.trainer) throw new ValueError(`${this.name}: call compile({optimizer, loss}) before ${what}`);
    return this.trainer;
  }

  /** Data for inputs (or outputs) as one TensorLike per entry, in order. */
  private perEntry(data: ModelData, names: readonly string[], what: 'x' | 'y', where: string): TensorLike[] {
    if (names.length === 1 && !(Array.isArray(data) && data.length === 1 && data[0] instanceof Tensor) && !isNamedData(data)) {
      return [data as TensorLike];
    }
    if (Array.isArray(data) && data.every((d) => d instanceof Tensor || Array.isArray(d) || ArrayBuffer.isView(d))) {
      if (data.length !== names.length) throw new ValueError(`${where}: ${what} has ${data.length} entries but the model has ${names.length} ${what === 'x' ? 'inputs' : 'outputs'} (${names.join(', ')})`);
      return data as TensorLike[];
    }
    if (isNamedData(data)) {
      const byName = data as Record<string, TensorLike>;
      for (const k of Object.keys(byName)) {
        if (!names.includes(k)) throw new ValueError(`${where}: ${what} names '${k}', but the model's ${what === 'x' ? 'inputs' : 'outputs'} are ${names.join(', ')}`);
      }
      return names.map((n) => {
        if (byName[n] === undefined) throw new ValueError(`${where}: ${what} has no data for '${n}'`);
        return byName[n];
      });
    }
    throw new ValueError(`${where}: the model has ${names.length} ${what === 'x' ? 'inputs' : 'outputs'} (${names.join(', ')}); give ${what} as a list of ${names.length} tensors or an object keyed by those names`);
  }

  /** Input tensors checked against the model's inputs (shape, dtype, sample count). */
  protected prepareInputs(x: ModelData, where: string): Tensor[] {
    const graph = this.graph;
    const names = graph.inputs.length === 1 ? null : this.inputNames;
    const entries = names ? this.perEntry(x, names, 'x', where) : this.perEntry(x, [graph.inputs[0].sourceLayer.name], 'x', where);
    const xs = entries.map((d, k) => {
      // Messages are built only on failure: predict on one sample runs this on every call.
      const t = d instanceof Tensor ? d : toTensor(d, names ? `${where}: x[${k}]` : `${where}: x`);
      const input = graph.inputs[k];
      const want = input.shape;
      if (t.shape.length !== want.length + 1 || want.some((d2, i) => d2 !== t.shape[i + 1])) {
        throw new ShapeError(`${where}: ${this.inputReader(k)} expects input of shape ${formatShape([null, ...want])}, got x of shape ${formatShape(t.shape)}`);
      }
      if (t.shape[0] === 0) throw new ValueError(`${where}: x holds no samples`);
      if (t.dtype === input.dtype) return t;
      if (input.dtype === 'float32') {
        throw new ValueError(`${where}: ${this.inputReader(k)} takes float32 input, got int32 x; only an Embedding first layer takes integer indices (convert with bn.cast(x, 'float32'))`);
      }
      // Index inputs also take float32 data holding integers, converted once per call rather than per batch.
      const bad = t.data.findIndex((v) => !Number.isInteger(v) || Math.abs(v) > 2147483647);
      if (bad >= 0) throw new ValueError(`${where}: ${this.inputReader(k)} takes integer indices, got ${t.data[bad]} at flat index ${bad} of x`);
      return cast(t, 'int32');
    });
    const n = xs[0].shape[0];
    xs.forEach((t, k) => {
      if (t.shape[0] !== n) throw new ShapeError(`${where}: input ${this.inputNames[k]} has ${t.shape[0]} samples but ${this.inputNames[0]} has ${n}`);
    });
    return xs;
  }

  private batches(x: ModelData, y: ModelData, where: string, sampleWeight?: SampleWeightData, classWeight?: ClassWeight): Batches {
    const xs = this.prepareInputs(x, where);
    const ys = this.perEntry(y, this.outputNames, 'y', where).map((d, k) => toTensor(d, `${where}: y${this.outputNames.length > 1 ? `[${k}]` : ''}`));
    const n = xs[0].shape[0];
    ys.forEach((t) => {
      if (t.shape[0] !== n) throw new ShapeError(`${where}: x has ${n} samples but y has ${t.shape[0]}`);
    });
    const last = this.graph.outputs.length === 1 ? this.graph.outputs[0].sourceLayer.name : null;
    const prepared = this.trainer!.prepareTargets(ys, last ? `${where} (output of ${last})` : where);
    return { xs, ys: prepared, sw: this.sampleWeightsOf(ys, n, where, sampleWeight, classWeight) };
  }

  /** Per output, the sample weights per loss position, from sampleWeight or classWeight (Keras takes one or the other). */
  private sampleWeightsOf(ys: Tensor[], n: number, where: string, sampleWeight?: SampleWeightData, classWeight?: ClassWeight): (Tensor | null)[] | null {
    if (sampleWeight === undefined || sampleWeight === null) {
      if (classWeight === undefined || classWeight === null) return null;
      sampleWeight = classWeights(classWeight, ys[0], this.trainer!.outputs[0], ys.length, where);
    } else if (classWeight !== undefined && classWeight !== null) {
      throw new ValueError(`${where}: give sampleWeight or classWeight, not both (as Keras)`);
    }
    return sampleWeights(sampleWeight, this.trainer!.outputs, n, where);
  }

  private async evaluateBatches(data: Batches, batchSize: number): Promise<Record<string, number>> {
    const trainer = this.trainer!;
    const totals = new Totals(trainer.logNames, trainer.streamed);
    trainer.resetMetrics();
    const n = data.xs[0].shape[0];
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      const batch = sliceBatches(data, start, end);
      totals.add(trainer.evaluateBatch(batch.xs, batch.ys, batch.sw), end - start);
      await yieldToEventLoop();
    }
    return totals.means();
  }
}

/** The logs of the last epoch a History recorded. */
function lastLogs(history: History): Record<string, number> {
  return Object.fromEntries(Object.entries(history.history).map(([k, v]) => [k, v[v.length - 1]]));
}

/** Data keyed by input or output name: a plain object (not a tensor, array or typed array). */
function isNamedData(data: unknown): boolean {
  return typeof data === 'object' && data !== null && Object.getPrototypeOf(data) === Object.prototype;
}

/** A functional model: `bn.model({inputs, outputs, name})`. */
export function model(args: ModelArgs): LayersModel {
  if (!args || typeof args !== 'object' || !('inputs' in args) || !('outputs' in args)) {
    throw new ValueError('model: expected {inputs, outputs}, e.g. bn.model({inputs: x, outputs: y}) with x = bn.input({shape: [...]})');
  }
  return new LayersModel(args);
}
