import { ShapeError, ValueError, formatShape } from '../errors';
import { Stage, planStages } from '../layers/fusion';
import { Layer, Param } from '../layers/layer';
import { Loss, getLoss } from '../losses';
import { Metric, getMetric } from '../metrics';
import { camelKeys } from '../names';
import { Optimizer, getOptimizer } from '../optimizers';
import { random } from '../random';
import { Shape, Tensor, TensorLike, cast, sameShape, sizeOf, toTensor } from '../tensor';
import { SaveResult, saveModel } from '../io/save';
import { History } from './history';
import { FlatParameters } from './parameters';
import { ProgressLogger } from './progress';

export interface CompileArgs {
  optimizer: string | Optimizer;
  loss: string | Loss;
  metrics?: string[];
}

/** Called by fit; tfjs-style callbacks. Returning a promise makes fit wait for it. */
export interface Callbacks {
  onEpochBegin?(epoch: number): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Record<string, number>): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Record<string, number>): void | Promise<void>;
}

export interface FitArgs {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  /** Fraction of the data, taken from the end before shuffling, held out for validation. */
  validationSplit?: number;
  validationData?: [TensorLike, TensorLike];
  /** 0 silent, 1 live progress bar, 2 one line per epoch. */
  verbose?: number;
  initialEpoch?: number;
  callbacks?: Callbacks;
}

interface Compiled {
  optimizer: Optimizer;
  loss: Loss;
  metrics: Metric[];
  /** The loss starts from the last layer's logits (softmax/sigmoid fused into the loss). */
  fromLogits: boolean;
  /** Trainable weights in one buffer, updated by one optimizer step. */
  parameters: FlatParameters;
  /** Weights of frozen layers: their gradients are computed but never applied. */
  frozen: Param[];
}

/** Targets prepared for the loss, with the samples they belong to. */
interface Dataset {
  x: Tensor;
  y: Tensor;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function positiveInt(value: unknown, fallback: number, name: string, where: string): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || (v as number) < 1) throw new ValueError(`${where}: ${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return v as number;
}

/** Copies rows order[start..end) of t into a batch tensor (reusing `into` when it fits). */
function gatherRows(t: Tensor, order: Int32Array, start: number, end: number, into: Tensor | null): Tensor {
  const rowSize = t.size / t.shape[0];
  const shape = [end - start, ...t.shape.slice(1)];
  const out = into && into.size === sizeOf(shape) && into.dtype === t.dtype ? new Tensor(into.data, shape)
    : new Tensor(t.dtype === 'int32' ? new Int32Array(sizeOf(shape)) : new Float32Array(sizeOf(shape)), shape);
  for (let i = start; i < end; i++) {
    const src = order[i] * rowSize;
    out.data.set(t.data.subarray(src, src + rowSize), (i - start) * rowSize);
  }
  return out;
}

function sliceRows(t: Tensor, start: number, end: number): Tensor {
  if (start === 0 && end === t.shape[0]) return t;
  const rowSize = t.size / t.shape[0];
  return new Tensor(t.data.subarray(start * rowSize, end * rowSize), [end - start, ...t.shape.slice(1)]);
}

/** A linear stack of layers, trained with fit() as in Keras. */
export class Sequential {
  readonly name: string;
  readonly layers: Layer[] = [];
  private compiled: Compiled | null = null;
  /** The layers grouped for execution (a conv and its max pool run as one kernel); planned lazily. */
  private stagesPlan: Stage[] | null = null;
  private stopRequested = false;

  constructor(args: { name?: string; layers?: Layer[] } = {}) {
    this.name = args.name ?? 'sequential';
    for (const layer of args.layers ?? []) this.add(layer);
  }

  /** Appends a layer, building it at once so shape mismatches are reported here, naming the layer. */
  add(layer: Layer): void {
    if (!(layer instanceof Layer)) throw new ValueError(`${this.name}.add: expected a layer such as bn.layers.dense({...}), got ${String(layer)}`);
    if (this.layers.includes(layer)) throw new ValueError(`${this.name}.add: layer ${layer.name} is already in the model`);
    const previous = this.layers[this.layers.length - 1];
    let inputShape: Shape;
    if (!previous) {
      if (!layer.declaredInputShape) {
        throw new ValueError(`${layer.name} (${layer.className}) is the first layer of ${this.name} and needs an inputShape, e.g. inputShape: [784] for 784 features (the batch axis is left out)`);
      }
      inputShape = layer.declaredInputShape;
    } else {
      inputShape = previous.outputShape!;
      const declared = layer.declaredInputShape;
      if (declared && (declared.length !== inputShape.length || declared.some((d, i) => d !== inputShape[i]))) {
        throw new ShapeError(`${layer.name} (${layer.className}) declares inputShape ${formatShape([null, ...declared])} but ${previous.name} outputs ${formatShape([null, ...inputShape])}`);
      }
    }
    if (layer.built) {
      const same = sameShape(layer.inputShape!, inputShape);
      if (!same) throw new ShapeError(`${layer.name} (${layer.className}) was built for input ${formatShape([null, ...layer.inputShape!])}, got ${formatShape([null, ...inputShape])}`);
    } else {
      layer.build(inputShape);
    }
    this.layers.push(layer);
    this.compiled = null;
    this.stagesPlan = null;
  }

  /** Per-sample input shape of the model. */
  get inputShape(): Shape {
    return this.firstLayer().inputShape!;
  }

  /** Per-sample output shape of the model. */
  get outputShape(): Shape {
    return this.layers[this.layers.length - 1].outputShape!;
  }

  /** All weights in Keras order. */
  get weights(): Param[] {
    return this.layers.flatMap((l) => [...l.weights]);
  }

  /** Configures training: optimizer, loss and metrics. */
  compile(args: CompileArgs): void {
    if (!args || typeof args !== 'object') throw new ValueError('compile: expected {optimizer, loss, metrics?}');
    const a = camelKeys(args);
    this.firstLayer();
    if (a.loss === undefined) throw new ValueError("compile: loss is required, e.g. loss: 'categoricalCrossentropy'");
    if (a.optimizer === undefined) throw new ValueError("compile: optimizer is required, e.g. optimizer: 'adam'");
    const loss = getLoss(a.loss);
    const optimizer = getOptimizer(a.optimizer);
    const outputUnits = this.outputShape[this.outputShape.length - 1];
    const metrics = (a.metrics ?? []).map((m) => getMetric(m, loss, outputUnits));
    const last = this.layers[this.layers.length - 1];
    const act = last.activation;
    const fromLogits = !!act && ((loss.fusesWith === 'softmax' && act.isSoftmax) || (loss.fusesWith === 'sigmoid' && act.isSigmoid));
    const trainable = new Set(this.layers.flatMap((l) => l.trainableWeights));
    const parameters = new FlatParameters([...trainable]);
    const frozen = this.weights.filter((p) => !trainable.has(p));
    this.compiled = { optimizer, loss, metrics, fromLogits, parameters, frozen };
  }

  /** Trains for a number of epochs; yields to the event loop between batches. */
  async fit(x: TensorLike, y: TensorLike, args: FitArgs = {}): Promise<History> {
    const c = this.requireCompiled('fit');
    const a = camelKeys(args);
    const epochs = positiveInt(a.epochs, 1, 'epochs', 'fit');
    const batchSize = positiveInt(a.batchSize, 32, 'batchSize', 'fit');
    const split = a.validationSplit ?? 0;
    if (typeof split !== 'number' || !(split >= 0 && split < 1)) throw new ValueError(`fit: validationSplit must be in [0, 1), got ${JSON.stringify(split)}`);
    let train = this.dataset(x, y, 'fit');
    let validation: Dataset | null = null;
    if (a.validationData) {
      validation = this.dataset(a.validationData[0], a.validationData[1], 'fit (validationData)');
    } else if (split > 0) {
      const n = train.x.shape[0];
      const cut = n - Math.floor(n * split);
      if (cut <= 0 || cut >= n) throw new ValueError(`fit: validationSplit ${split} of ${n} samples leaves an empty training or validation set`);
      validation = { x: sliceRows(train.x, cut, n), y: sliceRows(train.y, cut, n) };
      train = { x: sliceRows(train.x, 0, cut), y: sliceRows(train.y, 0, cut) };
    }

    const n = train.x.shape[0];
    const steps = Math.ceil(n / batchSize);
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const history = new History();
    const logger = new ProgressLogger(a.verbose ?? 1);
    c.parameters.grads.fill(0);
    let xb: Tensor | null = null, yb: Tensor | null = null;
    this.stopRequested = false;

    for (let epoch = a.initialEpoch ?? 0; epoch < epochs && !this.stopRequested; epoch++) {
      await a.callbacks?.onEpochBegin?.(epoch);
      if (a.shuffle ?? true) random.shuffle(order);
      logger.epochBegin(epoch, epochs, steps);
      const totals = new Totals(c.metrics);
      for (let step = 0; step < steps; step++) {
        const start = step * batchSize, end = Math.min(n, start + batchSize);
        xb = gatherRows(train.x, order, start, end, xb);
        yb = gatherRows(train.y, order, start, end, yb);
        totals.add(this.trainStep(xb, yb), end - start);
        const logs = totals.means();
        logger.batchEnd(step + 1, logs);
        await a.callbacks?.onBatchEnd?.(step, logs);
        await yieldToEventLoop();
      }
      const logs = totals.means();
      if (validation) {
        for (const [k, v] of Object.entries(await this.evaluateDataset(validation, batchSize))) logs[`val_${k}`] = v;
      }
      logger.epochEnd(steps, logs);
      history.record(epoch, logs);
      await a.callbacks?.onEpochEnd?.(epoch, logs);
    }
    return history;
  }

  /** Asks a running fit to stop after the current epoch (for callbacks such as early stopping). */
  stopTraining(): void {
    this.stopRequested = true;
  }

  /**
   * One optimizer step on one batch (Keras' train_on_batch); returns the batch's loss
   * and metrics as measured before the update.
   */
  trainOnBatch(x: TensorLike, y: TensorLike): Record<string, number> {
    const c = this.requireCompiled('trainOnBatch');
    const batch = this.dataset(x, y, 'trainOnBatch');
    const [loss, ...metrics] = this.trainStep(batch.x, batch.y);
    const logs: Record<string, number> = { loss };
    c.metrics.forEach((m, i) => (logs[m.name] = metrics[i]));
    return logs;
  }

  /** Loss and metrics on held-out data, e.g. `{loss, accuracy}`. */
  async evaluate(x: TensorLike, y: TensorLike, args: { batchSize?: number } = {}): Promise<Record<string, number>> {
    this.requireCompiled('evaluate');
    const batchSize = positiveInt(camelKeys(args).batchSize, 32, 'batchSize', 'evaluate');
    return this.evaluateDataset(this.dataset(x, y, 'evaluate'), batchSize);
  }

  /** Runs the model in inference mode and returns a new tensor of outputs. */
  predict(x: TensorLike, args: { batchSize?: number } = {}): Tensor {
    this.firstLayer();
    const batchSize = positiveInt(camelKeys(args).batchSize, 32, 'batchSize', 'predict');
    const input = this.checkInputs(x, 'predict');
    const n = input.shape[0];
    const result = new Tensor(new Float32Array(n * sizeOf(this.outputShape)), [n, ...this.outputShape]);
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      const out = this.forward(sliceRows(input, start, end), false);
      result.data.set(out.data, start * sizeOf(this.outputShape));
    }
    return result;
  }

  /** Prints (and returns) a table of layers, output shapes and parameter counts. */
  summary(print: (line: string) => void = console.log): string {
    this.firstLayer();
    const rows = this.layers.map((l) => [`${l.name} (${l.className})`, formatShape([null, ...l.outputShape!]), String(l.countParams())]);
    const widths = [34, 26, 12];
    const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join(' ').trimEnd();
    const total = this.layers.reduce((s, l) => s + l.countParams(), 0);
    const trainable = this.layers.reduce((s, l) => s + l.trainableWeights.reduce((t, p) => t + p.value.size, 0), 0);
    const rule = (ch: string): string => ch.repeat(widths.reduce((s, w) => s + w + 1, -1));
    const text = [
      `Model: "${this.name}"`, rule('_'), line(['Layer (type)', 'Output Shape', 'Param #']), rule('='),
      ...rows.map(line), rule('='),
      `Total params: ${total}`, `Trainable params: ${trainable}`, `Non-trainable params: ${total - trainable}`, rule('_'),
    ].join('\n');
    print(text);
    return text;
  }

  /**
   * Writes model.json and weights.bin in the TensorFlow.js layers format to a directory
   * (`'file://dir'` or `'dir'`); read it back with bn.loadLayersModel or tf.loadLayersModel.
   */
  async save(destination: string): Promise<SaveResult> {
    this.firstLayer();
    return saveModel(this, destination);
  }

  /** Copies of all weights, in Keras order and layout. */
  getWeights(): Tensor[] {
    return this.layers.flatMap((l) => l.getWeights());
  }

  /** Sets all weights from tensors in Keras order and layout. */
  setWeights(weights: Tensor[]): void {
    const expected = this.weights.length;
    if (!Array.isArray(weights) || weights.length !== expected) {
      throw new ValueError(`${this.name}.setWeights: expected ${expected} tensors, got ${Array.isArray(weights) ? weights.length : typeof weights}`);
    }
    let k = 0;
    for (const l of this.layers) {
      l.setWeights(weights.slice(k, k + l.weights.length).map((w, i) => toTensor(w, `weight ${k + i}`)));
      k += l.weights.length;
    }
  }

  // ---- internals ----------------------------------------------------------------

  private firstLayer(): Layer {
    if (this.layers.length === 0) throw new ValueError(`${this.name}: the model has no layers; add some with model.add(...)`);
    return this.layers[0];
  }

  private requireCompiled(what: string): Compiled {
    this.firstLayer();
    if (!this.compiled) throw new ValueError(`${this.name}: call compile({optimizer, loss}) before ${what}`);
    return this.compiled;
  }

  private checkInputs(x: TensorLike, where: string): Tensor {
    const t = toTensor(x, `${where}: x`);
    const first = this.layers[0];
    const want = this.inputShape;
    if (t.shape.length !== want.length + 1 || want.some((d, i) => d !== t.shape[i + 1])) {
      throw new ShapeError(`${where}: ${first.name} (${first.className}) expects input of shape ${formatShape([null, ...want])}, got x of shape ${formatShape(t.shape)}`);
    }
    if (t.shape[0] === 0) throw new ValueError(`${where}: x holds no samples`);
    if (t.dtype === first.inputDType) return t;
    if (first.inputDType === 'float32') {
      throw new ValueError(`${where}: ${first.name} (${first.className}) takes float32 input, got int32 x; only an Embedding first layer takes integer indices (convert with bn.cast(x, 'float32'))`);
    }
    // Index layers also take float32 data holding integers, converted here once per call rather than per batch.
    const bad = t.data.findIndex((v) => !Number.isInteger(v) || Math.abs(v) > 2147483647);
    if (bad >= 0) throw new ValueError(`${where}: ${first.name} (${first.className}) takes integer indices, got ${t.data[bad]} at flat index ${bad} of x`);
    return cast(t, 'int32');
  }

  private dataset(x: TensorLike, y: TensorLike, where: string): Dataset {
    const xt = this.checkInputs(x, where);
    const yt = toTensor(y, `${where}: y`);
    if (yt.shape[0] !== xt.shape[0]) {
      throw new ShapeError(`${where}: x has ${xt.shape[0]} samples but y has ${yt.shape[0]}`);
    }
    const last = this.layers[this.layers.length - 1];
    return { x: xt, y: this.compiled!.loss.prepareTargets(yt, this.outputShape, `${where} (output of ${last.name})`) };
  }

  private get stages(): Stage[] {
    return (this.stagesPlan ??= planStages(this.layers));
  }

  private forward(x: Tensor, training: boolean): Tensor {
    let a = x;
    for (const stage of this.stages) a = stage.forward(a, training);
    return a;
  }

  private lossGrad: Tensor | null = null;

  /** Loss and metric sums for the last forward pass; with grad, leaves dLoss/dOutput in lossGrad. */
  private lossAndMetrics(out: Tensor, targets: Tensor, withGrad: boolean): number[] {
    const c = this.compiled!;
    const last = this.layers[this.layers.length - 1];
    const input = c.fromLogits ? last.preActivation! : out;
    let grad: Tensor | null = null;
    if (withGrad) {
      grad = this.lossGrad && this.lossGrad.size === input.size ? new Tensor(this.lossGrad.data, input.shape) : new Tensor(new Float32Array(input.size), input.shape);
      this.lossGrad = grad;
    }
    const loss = c.loss.compute(input, targets, grad, c.fromLogits);
    return [loss, ...c.metrics.map((m) => { const [hits, count] = m.update(input, targets, c.fromLogits); return hits / count; })];
  }

  private backward(): void {
    const fused = this.compiled!.fromLogits;
    const stages = this.stages;
    let g: Tensor | null = this.lossGrad!;
    for (let i = stages.length - 1; i >= 0 && g; i--) {
      g = stages[i].backward(g, i > 0, fused && i === stages.length - 1);
    }
  }

  /** Forward, loss, backward and one optimizer update on a prepared batch; returns [loss, ...metrics]. */
  private trainStep(x: Tensor, y: Tensor): number[] {
    const c = this.compiled!;
    const out = this.forward(x, true);
    for (const p of c.frozen) p.grad.fill(0);
    const values = this.lossAndMetrics(out, y, true);
    this.backward();
    c.optimizer.step(c.parameters.values, c.parameters.grads);
    return values;
  }

  private async evaluateDataset(data: Dataset, batchSize: number): Promise<Record<string, number>> {
    const totals = new Totals(this.compiled!.metrics);
    const n = data.x.shape[0];
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      const out = this.forward(sliceRows(data.x, start, end), false);
      totals.add(this.lossAndMetrics(out, sliceRows(data.y, start, end), false), end - start);
      await yieldToEventLoop();
    }
    return totals.means();
  }
}

/** Sample-weighted running means of the loss and metrics over an epoch. */
class Totals {
  private readonly sums: number[];
  private count = 0;

  constructor(private readonly metrics: Metric[]) {
    this.sums = new Array(metrics.length + 1).fill(0);
  }

  add(values: number[], samples: number): void {
    values.forEach((v, i) => (this.sums[i] += v * samples));
    this.count += samples;
  }

  means(): Record<string, number> {
    const logs: Record<string, number> = { loss: this.sums[0] / this.count };
    this.metrics.forEach((m, i) => (logs[m.name] = this.sums[i + 1] / this.count));
    return logs;
  }
}

/** Creates an empty Sequential model (or one from a list of layers). */
export function sequential(args: { name?: string; layers?: Layer[] } = {}): Sequential {
  return new Sequential(args);
}
