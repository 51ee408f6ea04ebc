import { Param } from '../layers/layer';
import { Regularizer } from '../regularizers';
import { Tensor } from '../tensor';
import { CallMode, LayerCall } from './call';
import { Graph } from './graph';
import { Mask } from './mask';

/** What a backward pass wants besides the weight gradients its context routes. */
export interface BackwardRequest {
  /** Per model output: its gradient is with respect to the pre-activation (a fused loss). */
  readonly preActivation?: readonly boolean[];
  /** Compute the gradients with respect to the model's inputs. */
  readonly inputGradients?: boolean;
  /** Add the gradients of the layers' activity penalties (see activityPenalty): a training step's. */
  readonly activity?: boolean;
}

/**
 * Everything one call of a model needs (Caffe's Net blobs, llm.c's activations): the
 * value and gradient of every tensor slot of the graph, and one LayerCall per step
 * holding what that step's forward saved for its backward. Several contexts on one
 * model can be alive at once; a context reused for call after call allocates nothing
 * once its buffers have their sizes.
 */
export class ExecutionContext implements CallMode {
  training = false;
  recording = false;
  private readonly calls: LayerCall[];
  private readonly values: (Tensor | null)[];
  private readonly grads: (Tensor | null)[];
  /** Whether grads[slot] is this context's own sum buffer (else it belongs to a layer call). */
  private readonly ownsGrad: boolean[];
  private readonly sums: (Tensor | null)[];
  /** Each step's input list and the outputs, reused from call to call. */
  private readonly stepInputs: Tensor[][];
  private readonly outputs: Tensor[];
  /** With a graph that makes masks: the mask of each slot and each step's input masks; else empty. */
  private readonly masks: (Mask | null)[];
  private readonly stepMasks: (Mask | null)[][];
  /** Per step, the activity regularizer of its output; null when no layer has one (the common case costs nothing). */
  private readonly activity: (Regularizer | null)[] | null;
  /** Per step with an activity regularizer, the buffer of its penalty's gradient. */
  private readonly activityGrads: (Tensor | null)[];
  /** The backward plan without and with input gradients; see plan(). */
  private plans: ({ needs: boolean[]; needInputs: boolean[][] } | null)[] = [null, null];

  /**
   * @param gradients where the gradient of each trained weight is added; weights not in
   * it (frozen layers) get none.
   */
  constructor(readonly graph: Graph, private gradients: ReadonlyMap<Param, Float32Array> | null = null) {
    this.calls = graph.steps.map(() => new LayerCall(this));
    this.values = new Array<Tensor | null>(graph.slotCount).fill(null);
    this.grads = new Array<Tensor | null>(graph.slotCount).fill(null);
    this.ownsGrad = new Array<boolean>(graph.slotCount).fill(false);
    this.sums = new Array<Tensor | null>(graph.slotCount).fill(null);
    this.stepInputs = graph.steps.map((step) => new Array<Tensor>(step.inputSlots.length));
    this.outputs = new Array<Tensor>(graph.outputSlots.length);
    this.masks = graph.masking ? new Array<Mask | null>(graph.slotCount).fill(null) : [];
    this.stepMasks = graph.masking ? graph.steps.map((step) => new Array<Mask | null>(step.inputSlots.length).fill(null)) : [];
    const activity = graph.steps.map((s) => s.lastLayer.activityRegularizer);
    this.activity = activity.some((r) => r) ? activity : null;
    this.activityGrads = graph.steps.map(() => null);
  }

  /**
   * The activity penalties of the last forward, as Keras 3 adds them (Layer.__call__): each
   * regularized layer's penalty of its output divided by the batch size, once per call.
   */
  activityPenalty(): number {
    const activity = this.activity;
    if (!activity) return 0;
    let total = 0;
    for (let i = 0; i < activity.length; i++) {
      const y = activity[i] && this.values[this.graph.steps[i].outputSlot];
      if (y && y.shape[0] > 0) total += activity[i]!.penalty(y.data as Float32Array) / y.shape[0];
    }
    return total;
  }

  /** Routes weight gradients (a trainer's buffers), or none. */
  setGradients(gradients: ReadonlyMap<Param, Float32Array> | null): void {
    this.gradients = gradients;
    this.plans = [null, null];
  }

  trains(param: Param): boolean {
    return this.gradients?.has(param) ?? false;
  }

  weightGradient(param: Param): Float32Array | null {
    return this.gradients?.get(param) ?? null;
  }

  /**
   * Runs the graph on one batch per model input; returns one tensor per model output
   * (buffers of this context, in a list of this context: both valid until its next forward).
   */
  forward(inputs: readonly Tensor[], training: boolean, recording: boolean): Tensor[] {
    const { graph, values } = this;
    this.training = training;
    this.recording = recording;
    for (let i = 0; i < inputs.length; i++) values[graph.inputSlots[i]] = inputs[i];
    const steps = graph.steps, stepInputs = this.stepInputs;
    if (graph.masking) return this.forwardMasked(inputs);
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i], xs = stepInputs[i];
      for (let k = 0; k < xs.length; k++) xs[k] = values[step.inputSlots[k]]!;
      values[step.outputSlot] = step.forward(xs, this.calls[i]);
    }
    return this.collectOutputs();
  }

  /** forward in a graph that makes masks: each step also gets its inputs' masks and gives its output's. */
  private forwardMasked(inputs: readonly Tensor[]): Tensor[] {
    const { graph, values, masks } = this;
    for (let i = 0; i < inputs.length; i++) masks[graph.inputSlots[i]] = null;
    const steps = graph.steps, stepInputs = this.stepInputs;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i], xs = stepInputs[i], ms = this.stepMasks[i], call = this.calls[i];
      for (let k = 0; k < xs.length; k++) {
        xs[k] = values[step.inputSlots[k]]!;
        ms[k] = masks[step.inputSlots[k]];
      }
      call.masks = ms;
      values[step.outputSlot] = step.forward(xs, call);
      masks[step.outputSlot] = step.outputMasked ? step.computeMask(xs, call) : null;
    }
    return this.collectOutputs();
  }

  private collectOutputs(): Tensor[] {
    const outs = this.outputs;
    for (let k = 0; k < outs.length; k++) outs[k] = this.values[this.graph.outputSlots[k]]!;
    return outs;
  }

  /** The mask of model output `k` in the last forward, or null (Keras applies it to the loss and metrics). */
  outputMask(k: number): Mask | null {
    return this.graph.masking ? this.masks[this.graph.outputSlots[k]] : null;
  }

  /** The pre-activation of model output `k` in the last forward (the logits of a softmax output). */
  preActivation(k: number): Tensor | null {
    const slot = this.graph.outputSlots[k];
    const i = this.graph.steps.findIndex((s) => s.outputSlot === slot);
    return i < 0 ? null : this.graph.steps[i].lastLayer.preActivation(this.calls[i]);
  }

  /**
   * Back-propagates gradients of the model's outputs (null for an output without one)
   * through the last recorded forward: weight gradients are added where this context
   * routes them, gradients meeting at a tensor read by several nodes are summed, and
   * steps that lead to nothing wanted are skipped. Returns the input gradients when
   * asked (else nulls). Output gradients may be overwritten.
   */
  backward(outputGrads: readonly (Tensor | null)[], request: BackwardRequest = {}): (Tensor | null)[] {
    const { graph, grads } = this;
    grads.fill(null);
    const wantInputs = request.inputGradients ?? false;
    const { needs, needInputs } = this.plan(wantInputs);
    graph.outputSlots.forEach((s, k) => { if (outputGrads[k]) this.addGradient(s, outputGrads[k]!); });
    const pre = request.preActivation;
    const activity = request.activity ? this.activity : null;
    const steps = graph.steps;
    for (let i = steps.length - 1; i >= 0; i--) {
      const step = steps[i];
      // Every reader of the step's output has added its gradient by now.
      if (activity?.[i] && needs[step.outputSlot]) this.addActivityGradient(i, activity[i]!);
      const dy = grads[step.outputSlot];
      if (!dy || !needs[step.outputSlot]) continue;
      const k = pre ? graph.outputSlots.indexOf(step.outputSlot) : -1;
      const dxs = step.backward(dy, this.calls[i], needInputs[i], k >= 0 && !!pre![k]);
      step.inputSlots.forEach((s, j) => { if (needInputs[i][j] && dxs[j]) this.addGradient(s, dxs[j]!); });
    }
    return graph.inputSlots.map((s) => (wantInputs ? grads[s] : null));
  }

  /**
   * Which slots need a gradient (model inputs when asked, and anything downstream of a
   * trained weight) and, per step, which of its inputs: fixed by the graph and the routed
   * weights, so worked out once per kind of pass rather than at every step.
   */
  private plan(wantInputs: boolean): { needs: boolean[]; needInputs: boolean[][] } {
    const cached = this.plans[wantInputs ? 1 : 0];
    if (cached) return cached;
    const { graph } = this;
    const needs = new Array<boolean>(graph.slotCount).fill(false);
    for (const s of graph.inputSlots) needs[s] = wantInputs;
    for (const step of graph.steps) {
      const trainsWeights = step.nodes.some((n) => n.layer.weights.some((p) => this.trains(p)));
      needs[step.outputSlot] = trainsWeights || step.inputSlots.some((s) => needs[s]);
    }
    const plan = { needs, needInputs: graph.steps.map((step) => step.inputSlots.map((s) => needs[s])) };
    this.plans[wantInputs ? 1 : 0] = plan;
    return plan;
  }

  /** Adds the gradient of step i's activity penalty (with respect to its output, as the penalty is) to the output's gradient. */
  private addActivityGradient(i: number, regularizer: Regularizer): void {
    const slot = this.graph.steps[i].outputSlot;
    const y = this.values[slot]!;
    let g = this.activityGrads[i];
    if (!g || g.size !== y.size) this.activityGrads[i] = g = new Tensor(new Float32Array(y.size), y.shape);
    else if (g.shape !== y.shape) this.activityGrads[i] = g = new Tensor(g.data, y.shape);
    const data = g.data as Float32Array;
    data.fill(0);
    // Keras's divide_no_nan: an empty batch has no penalty.
    if (y.shape[0] > 0) regularizer.addGradient(y.data as Float32Array, data, 1 / y.shape[0]);
    this.addGradient(slot, g);
  }

  /** Adds g to the gradient of a slot: the first is kept as it is, a second is summed into a buffer of ours. */
  private addGradient(slot: number, g: Tensor): void {
    const current = this.grads[slot];
    if (!current) {
      this.grads[slot] = g;
      this.ownsGrad[slot] = false;
      return;
    }
    let sum = current;
    if (!this.ownsGrad[slot]) {
      let buf = this.sums[slot];
      if (!buf || buf.size !== current.size) this.sums[slot] = buf = new Tensor(new Float32Array(current.size), current.shape);
      buf.data.set(current.data);
      this.grads[slot] = sum = buf.shape === current.shape ? buf : new Tensor(buf.data, current.shape);
      this.ownsGrad[slot] = true;
    }
    const s = sum.data, d = g.data;
    for (let i = 0; i < s.length; i++) s[i] += d[i];
  }
}
