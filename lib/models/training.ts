// Compiling a model for training, and one training or evaluation step on a batch: the
// losses of every output with their weights, the metrics, one backward pass through the
// graph and one optimizer update over every trained weight.
import { ExecutionContext } from '../engine/context';
import { Graph } from '../engine/graph';
import { Mask } from '../engine/mask';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors';
import { Param } from '../layers/layer';
import { Regularizer } from '../regularizers';
import { Loss, getLoss } from '../losses';
import { Metric, MetricIdentifier, getMetric } from '../metrics';
import { camelKeys } from '../names';
import { readOptions } from '../options';
import { Optimizer, getOptimizer } from '../optimizers';
import { Tensor } from '../tensor';

/** A loss, metrics or loss weight for each output: one for all, a list in output order, or keyed by output name. */
export type PerOutput<T> = T | T[] | Record<string, T>;

export interface CompileArgs {
  optimizer: string | Optimizer;
  loss: PerOutput<string | Loss>;
  /**
   * Metrics (names, bn.metrics objects or functions), as Keras 3 reads them: a list (or, as TF.js
   * takes it, one metric) for a model of one output; with several outputs, a list with one entry per output (a metric, a list of
   * metrics, or null for none) or an object keyed by output name.
   */
  metrics?: MetricIdentifier | (MetricIdentifier | MetricIdentifier[] | null)[] | Record<string, MetricIdentifier | MetricIdentifier[]>;
  /** Scales each output's loss in the total (default 1 each). */
  lossWeights?: number[] | Record<string, number>;
  /** Metrics updated with the sample weights (plain `metrics` ignore them, as in Keras), in the forms `metrics` takes. */
  weightedMetrics?: CompileArgs['metrics'];
}

/** How one model output is trained. */
interface OutputTraining {
  readonly name: string;
  readonly loss: Loss;
  readonly weight: number;
  readonly metrics: Metric[];
  /** Metrics updated with the sample weights. */
  readonly weightedMetrics: Metric[];
  /** The loss starts from the output layer's logits (softmax/sigmoid fused into the loss). */
  readonly fromLogits: boolean;
  /** Per-sample output shape. */
  readonly shape: readonly number[];
}

/** Resolves a per-output option to one value per output. */
function perOutput<T>(value: PerOutput<T> | undefined, names: readonly string[], what: string, fallback: T | undefined,
  isSingle: (v: unknown) => v is T): T[] {
  if (value === undefined) {
    if (fallback === undefined) throw new ValueError(`compile: ${what} is required`);
    return names.map(() => fallback);
  }
  if (isSingle(value)) return names.map(() => value);
  if (Array.isArray(value)) {
    if (value.length !== names.length) throw new ValueError(`compile: ${what} has ${value.length} entries but the model has ${names.length} outputs (${names.join(', ')})`);
    return value;
  }
  if (value && typeof value === 'object') {
    const byName = value as Record<string, T>;
    for (const k of Object.keys(byName)) {
      if (!names.includes(k)) throw new ValueError(`compile: ${what} names output '${k}', but the outputs are ${names.join(', ')}`);
    }
    return names.map((n) => {
      if (byName[n] === undefined && fallback === undefined) throw new ValueError(`compile: ${what} has no entry for output '${n}'`);
      return byName[n] ?? fallback!;
    });
  }
  throw new ValueError(`compile: ${what} must be one value, a list with one per output, or an object keyed by output name, got ${formatValue(value)}`);
}

const isLoss = (v: unknown): v is string | Loss => typeof v === 'string' || (typeof v === 'object' && v !== null && 'compute' in v);
const isNumber = (v: unknown): v is number => typeof v === 'number';

/** What compile sets up: losses, metrics, the optimizer, gradient buffers and a context for training steps. */
export class Trainer {
  readonly optimizer: Optimizer;
  readonly outputs: OutputTraining[];
  /** The names of the values a step returns, in order: loss, per-output losses (several outputs), metrics. */
  readonly logNames: string[];
  /** Every trainable weight once (a shared layer's too), and its gradient buffer. */
  private readonly params: Param[];
  private readonly grads: Float32Array[];
  private readonly context: ExecutionContext;
  private readonly evalContext: ExecutionContext;
  private readonly lossGrads: (Tensor | null)[];
  /** Per output whose values come with a mask: the loss and metric weights it gives (maskWeights). */
  private readonly maskBuffers: ([Float32Array, Float32Array, Float32Array] | undefined)[] = [];
  /** Trained weights with a regularizer, with their gradient buffers: their penalties join the loss. */
  private readonly penalties: [Param, Regularizer, Float32Array][];
  /** Per output: its loss gradient is with respect to the logits. */
  private readonly preActivation: boolean[];

  constructor(graph: Graph, outputNames: readonly string[], args: CompileArgs) {
    if (!args || typeof args !== 'object') throw new ValueError('compile: expected {optimizer, loss, metrics?}');
    const a = readOptions<CompileArgs>(args, 'compile', {
      known: ['optimizer', 'loss', 'metrics', 'lossWeights', 'weightedMetrics'],
      unsupported: { runEagerly: false, stepsPerExecution: 1, jitCompile: 'auto', autoScaleLossForMixedPrecision: null, sampleWeightMode: null },
    });
    if (a.loss === undefined) throw new ValueError("compile: loss is required, e.g. loss: 'categoricalCrossentropy'");
    if (a.optimizer === undefined) throw new ValueError("compile: optimizer is required, e.g. optimizer: 'adam'");
    const losses = perOutput(a.loss, outputNames, 'loss', undefined, isLoss).map((l) => getLoss(l));
    const weights = perOutput(a.lossWeights, outputNames, 'lossWeights', 1, isNumber);
    weights.forEach((w, k) => {
      if (!Number.isFinite(w) || w < 0) throw new ValueError(`compile: lossWeights for output '${outputNames[k]}' must be a finite number >= 0, got ${w}`);
    });
    const metricNames = this.metricNames(a.metrics, outputNames, 'metrics');
    const weightedNames = this.metricNames(a.weightedMetrics, outputNames, 'weightedMetrics');
    this.optimizer = getOptimizer(a.optimizer);
    this.outputs = outputNames.map((name, k) => {
      const shape = graph.outputs[k].shape;
      const slot = graph.outputSlots[k];
      const step = graph.steps.find((s) => s.outputSlot === slot);
      const act = step?.lastLayer.activation;
      const loss = losses[k];
      // The logits are only used when the loss alone gives the output its gradient: no layer reads
      // it, it is not a model output twice and no activity penalty is taken of it.
      const fromLogits = !!act && !step!.lastLayer.activityRegularizer && graph.consumers[slot] === 0 && graph.outputSlots.filter((s) => s === slot).length === 1 &&
        ((loss.fusesWith === 'softmax' && act.isSoftmax) || (loss.fusesWith === 'sigmoid' && act.isSigmoid));
      const metrics = metricNames[k].map((m) => getMetric(m, loss));
      const weightedMetrics = weightedNames[k].map((m) => getMetric(m, loss));
      return { name, loss, weight: weights[k], metrics, weightedMetrics, fromLogits, shape };
    });
    const several = outputNames.length > 1;
    this.logNames = ['loss', ...(several ? this.outputs.map((o) => `${o.name}_loss`) : []), ...metricLogNames(this.outputs)];

    const trainable = new Set<Param>();
    for (const l of graph.layers) for (const p of l.trainableWeights) trainable.add(p);
    this.params = [...trainable];
    this.grads = this.params.map((p) => new Float32Array(p.value.size));
    this.optimizer.build(this.params);
    const gradOf = new Map(this.params.map((p, i) => [p, this.grads[i]]));
    this.penalties = graph.layers.flatMap((l) => l.regularized).filter(([p]) => gradOf.has(p))
      .map(([p, r]) => [p, r, gradOf.get(p)!] as [Param, Regularizer, Float32Array]);
    this.context = new ExecutionContext(graph, new Map(this.params.map((p, i) => [p, this.grads[i]])));
    this.evalContext = new ExecutionContext(graph);
    this.lossGrads = this.outputs.map(() => null);
    this.preActivation = this.outputs.map((o) => o.fromLogits);
  }

  /** The compile settings as TF.js's model.json keeps them (trainingConfig), so a loaded model trains on. */
  trainingConfig(): Record<string, unknown> {
    const o = this.optimizer;
    return {
      loss: this.outputs.length === 1 ? this.outputs[0].loss.name : this.outputs.map((x) => x.loss.name),
      metrics: this.outputs.length === 1 ? this.outputs[0].metrics.map((m) => m.name) : this.outputs.map((x) => x.metrics.map((m) => m.name)),
      ...(this.outputs.some((x) => x.weightedMetrics.length) ? {
        weighted_metrics: this.outputs.length === 1 ? this.outputs[0].weightedMetrics.map((m) => m.name) : this.outputs.map((x) => x.weightedMetrics.map((m) => m.name)),
      } : {}),
      loss_weights: this.outputs.length === 1 ? null : this.outputs.map((x) => x.weight),
      // camelCase config keys, as TF.js reads them (Keras's snake_case loads too).
      optimizer_config: { class_name: o.className, config: camelKeys(o.getConfig()) },
    };
  }

  /** The trained weights, in the order of the optimizer's state. */
  get trainedWeights(): readonly Param[] {
    return this.params;
  }

  /** Starts the metrics' state afresh: each epoch, each evaluation, each trainOnBatch (as Keras 3). */
  resetMetrics(): void {
    for (const o of this.outputs) {
      for (const m of o.metrics) m.reset?.();
      for (const m of o.weightedMetrics) m.reset?.();
    }
  }

  /** Per logged value: whether it is a metric's running result (else a loss, averaged by batch size). */
  get streamed(): boolean[] {
    return this.logNames.map((_, i) => i >= 1 + (this.outputs.length > 1 ? this.outputs.length : 0));
  }

  /** Checks targets against each output and prepares them for its loss; the metrics learn the targets' shapes as given. */
  prepareTargets(ys: Tensor[], where: string): Tensor[] {
    return ys.map((y, k) => {
      const o = this.outputs[k];
      const prepared = o.loss.prepareTargets(y, o.shape, `${where} (output ${o.name})`);
      for (const m of [...o.metrics, ...o.weightedMetrics]) m.build?.(y.shape, [y.shape[0], ...o.shape]);
      return prepared;
    });
  }

  /**
   * Forward, losses, backward and one optimizer update on a prepared batch; returns the logged
   * values. `weights`: per output, one weight per loss position [N, positions] (see weights.ts), or null.
   */
  trainStep(xs: readonly Tensor[], ys: readonly Tensor[], weights: SampleWeights = null): number[] {
    const ctx = this.context;
    const outs = ctx.forward(xs, true, true);
    const values = this.lossesAndMetrics(ctx, outs, ys, weights, true);
    ctx.backward(this.lossGrads, { preActivation: this.preActivation, activity: true });
    for (const [p, r, g] of this.penalties) r.addGradient(p.value.data as Float32Array, g);
    this.optimizer.applyGradients(this.params, this.grads);
    return values;
  }

  /** The logged values of an inference pass on a prepared batch. */
  evaluateBatch(xs: readonly Tensor[], ys: readonly Tensor[], weights: SampleWeights = null): number[] {
    const outs = this.evalContext.forward(xs, false, false);
    return this.lossesAndMetrics(this.evalContext, outs, ys, weights, false);
  }

  /** Total loss, per-output losses (several outputs) and metrics; with grads, leaves each output's loss gradient in lossGrads. */
  private lossesAndMetrics(ctx: ExecutionContext, outs: Tensor[], ys: readonly Tensor[], sw: SampleWeights, withGrad: boolean): number[] {
    let total = 0;
    const losses: number[] = [];
    const metrics: number[] = [];
    this.outputs.forEach((o, k) => {
      const input = o.fromLogits ? ctx.preActivation(k)! : outs[k];
      let grad: Tensor | null = null;
      if (withGrad) {
        const old = this.lossGrads[k];
        grad = old && old.size === input.size ? (old.shape === input.shape ? old : new Tensor(old.data, input.shape))
          : new Tensor(new Float32Array(input.size), input.shape);
        this.lossGrads[k] = grad;
      }
      const mask = ctx.outputMask(k);
      const masked = mask ? this.maskWeights(k, mask, input, weightsOf(sw, k)) : null;
      // Keras logs float32 values (a loss beyond float32 range is Infinity, which TerminateOnNaN sees).
      const loss = Math.fround(o.loss.compute(input, ys[k], grad, o.fromLogits, o.weight, masked ? masked[0] : weightsOf(sw, k)));
      losses.push(loss);
      total = Math.fround(total + Math.fround(o.weight * loss));
      // Streaming metrics (precision, recall, AUC) report their state since the last reset, as Keras.
      // Keras's CompileMetrics: `metrics` ignore the sample weights, `weightedMetrics` take them.
      for (const m of o.metrics) {
        const [sum, count] = m.update(input, ys[k], o.fromLogits, masked ? masked[1] : null);
        metrics.push(Math.fround(m.result ? m.result() : sum / count));
      }
    });
    // Keras logs every output's metrics, then every output's weighted metrics.
    this.outputs.forEach((o, k) => {
      for (const m of o.weightedMetrics) {
        // With a mask, the first pass left the masked sample weights in the output's buffers.
        const w = ctx.outputMask(k) ? this.maskBuffers[k]![2] : weightsOf(sw, k);
        const [sum, count] = m.update(o.fromLogits ? ctx.preActivation(k)! : outs[k], ys[k], o.fromLogits, w);
        metrics.push(Math.fround(m.result ? m.result() : sum / count));
      }
    });
    // Keras adds the regularization and activity penalties to the total loss (not to the per-output losses).
    for (const [p, r] of this.penalties) total = Math.fround(total + Math.fround(r.penalty(p.value.data as Float32Array)));
    total = Math.fround(total + Math.fround(ctx.activityPenalty()));
    return [total, ...(this.outputs.length > 1 ? losses : []), ...metrics];
  }

  /**
   * Keras's apply_mask for an output whose mask reached the loss: the loss weighs a kept
   * position total/valid and a masked one 0, so its mean runs over the kept positions
   * (divide_no_nan: no kept position gives weight 0, no epsilon); the metrics weigh them 1
   * and 0; both times the sample weights where given (the loss and weightedMetrics; plain
   * metrics take none). Buffers of this trainer, reused from batch to batch.
   */
  private maskWeights(k: number, mask: Mask, input: Tensor, sw: Float32Array | null): [Float32Array, Float32Array, Float32Array] {
    const positions = input.size / input.shape[input.shape.length - 1];
    if (mask.data.length !== positions) {
      throw new ShapeError(`output ${this.outputs[k].name}: its mask has shape ${formatShape(mask.shape)}, but the loss has ${positions} positions (the output ${formatShape(input.shape)} without its last axis)`);
    }
    let bufs = this.maskBuffers[k];
    if (!bufs || bufs[0].length !== positions) {
      this.maskBuffers[k] = bufs = [new Float32Array(positions), new Float32Array(positions), new Float32Array(positions)];
    }
    const [lossW, metricW, weightedW] = bufs, m = mask.data;
    let valid = 0;
    for (let i = 0; i < positions; i++) valid += m[i] ? 1 : 0;
    const keep = valid > 0 ? Math.fround(positions) / Math.fround(valid) : 0;
    for (let i = 0; i < positions; i++) {
      const w = sw ? sw[i] : 1;
      lossW[i] = m[i] ? w * keep : 0;
      metricW[i] = m[i] ? 1 : 0;
      weightedW[i] = m[i] ? w : 0;
    }
    return bufs;
  }

  /**
   * The metrics of each output, read as Keras 3's CompileMetrics._build_metrics_set: with one
   * output every metric of the list applies to it; with several, a list pairs its entries with the
   * outputs by position and an object names them. Keras takes no single metric outside a list.
   */
  private metricNames(metrics: CompileArgs['metrics'], outputNames: readonly string[], option: string): MetricIdentifier[][] {
    if (metrics === undefined || metrics === null) return outputNames.map(() => []);
    const several = outputNames.length > 1;
    const entry = (v: unknown): MetricIdentifier[] => (v === null || v === undefined ? [] : (Array.isArray(v) ? v : [v]) as MetricIdentifier[]);
    if (Array.isArray(metrics)) {
      if (metrics.length === 0) return outputNames.map(() => []);
      if (!several) return [metrics.flat(Infinity) as MetricIdentifier[]];
      if (metrics.length === outputNames.length) return metrics.map(entry);
      throw new ValueError(`compile: ${option} has ${metrics.length} entries, but the model has ${outputNames.length} outputs. ${perOutputHint(option, outputNames, metrics)}`);
    }
    if (typeof metrics === 'object' && !('update' in metrics)) {
      for (const k of Object.keys(metrics)) {
        if (!outputNames.includes(k)) throw new ValueError(`compile: ${option} names output '${k}', but the outputs are ${outputNames.join(', ')}`);
      }
      const byName = metrics as Record<string, MetricIdentifier | MetricIdentifier[]>;
      return outputNames.map((n) => entry(byName[n]));
    }
    // Keras 3 wants a list even here, TF.js takes one metric alone: on one output it can mean nothing else.
    if (!several) return [[metrics as unknown as MetricIdentifier]];
    throw new ValueError(`compile: ${option} is one metric, but the model has ${outputNames.length} outputs. ${perOutputHint(option, outputNames, [metrics])}`);
  }
}

/** How to write metrics for several outputs, after Keras 3's refusal of one list for all of them. */
function perOutputHint(option: string, outputNames: readonly string[], given: readonly unknown[]): string {
  const list = `[${given.map(describe).join(', ')}]`;
  return `Keras 3 no longer applies one list to every output: give a list with one entry per output (${outputNames.join(', ')}), ` +
    `e.g. ${option}: [${outputNames.map(() => list).join(', ')}], or an object keyed by output name, e.g. ${option}: {${outputNames.map((n) => `${n}: ${list}`).join(', ')}}`;
}

/** A metric as a user wrote it, for messages. */
function describe(m: unknown): string {
  if (typeof m === 'function') return m.name || 'function';
  if (m && typeof m === 'object' && 'name' in m) return `metric ${String((m as { name: unknown }).name)}`;
  return formatValue(m);
}

/** Per output, the per-position sample weights [N, positions] of a batch (or null for that output); null: none. */
export type SampleWeights = readonly (Tensor | null)[] | null;

const weightsOf = (sw: SampleWeights, k: number): Float32Array | null => (sw?.[k] ? (sw[k]!.data as Float32Array) : null);

/**
 * The metrics' keys in the logs, as Keras's CompileMetrics.result: the output's name first when
 * there are several outputs; a repeated name gets _1, _2, ...; a weighted metric whose name is
 * taken becomes weighted_<name> (then weighted_<name>_1, ...).
 */
function metricLogNames(outputs: readonly OutputTraining[]): string[] {
  const several = outputs.length > 1;
  const counters = new Map<string, number>();
  const prefix = (o: OutputTraining): string => (several ? `${o.name}_` : '');
  const numbered = (name: string): string => {
    const i = counters.get(name);
    if (i === undefined) {
      counters.set(name, 1);
      return name;
    }
    counters.set(name, i + 1);
    return `${name}_${i}`;
  };
  const names: string[] = [];
  for (const o of outputs) {
    for (const m of o.metrics) {
      const name = prefix(o) + m.name;
      // Keras does not count the numbered name itself.
      names.push(counters.has(name) ? numbered(name) : (counters.set(name, 1), name));
    }
  }
  for (const o of outputs) {
    for (const m of o.weightedMetrics) {
      const name = prefix(o) + m.name;
      names.push(counters.has(name) ? numbered(`${prefix(o)}weighted_${m.name}`) : (counters.set(name, 1), name));
    }
  }
  return names;
}
