import { ValueError, formatValue } from '../errors';
import { Conv } from '../layers/conv';
import { Layer } from '../layers/layer';
import { Pooling } from '../layers/pooling';
import { Tensor } from '../tensor';
import { LayerCall } from './call';
import { InputLayer } from './input-layer';
import { Mask } from './mask';
import { Node, SymbolicTensor } from './symbolic';

/**
 * One step of a model's forward and backward passes: one node, or a convolution node
 * and the max pooling node after it that one kernel runs together (see planSteps).
 * Tensors are numbered slots of an ExecutionContext.
 */
export interface Step {
  /** The nodes it runs, in order. */
  readonly nodes: readonly Node[];
  readonly inputSlots: readonly number[];
  readonly outputSlot: number;
  /** The layer whose activation ends the step (for a loss fused with softmax or sigmoid). */
  readonly lastLayer: Layer;
  /** Whether the output carries a mask (then computeMask gives it after each forward). */
  readonly outputMasked: boolean;
  forward(xs: readonly Tensor[], call: LayerCall): Tensor;
  computeMask(xs: readonly Tensor[], call: LayerCall): Mask | null;
  backward(dy: Tensor, call: LayerCall, needInputGrads: readonly boolean[], dyIsPreActivation: boolean): (Tensor | null)[];
}

class NodeStep implements Step {
  readonly nodes: readonly Node[];
  readonly lastLayer: Layer;
  readonly outputMasked: boolean;

  constructor(node: Node, readonly inputSlots: readonly number[], readonly outputSlot: number) {
    this.nodes = [node];
    this.lastLayer = node.layer;
    this.outputMasked = node.outputs[0].masked;
  }

  forward(xs: readonly Tensor[], call: LayerCall): Tensor {
    return this.lastLayer.forwardAll(xs, call);
  }

  computeMask(xs: readonly Tensor[], call: LayerCall): Mask | null {
    return this.lastLayer.computeMask(xs, call.masks, call);
  }

  backward(dy: Tensor, call: LayerCall, needInputGrads: readonly boolean[], dyIsPreActivation: boolean): (Tensor | null)[] {
    return this.lastLayer.backwardAll(dy, call, needInputGrads, dyIsPreActivation);
  }
}

/** A convolution and the max pooling of its output, never storing the convolution's output. */
class ConvMaxPoolStep implements Step {
  readonly nodes: readonly Node[];
  readonly lastLayer: Layer;
  /** Neither layer supports masking: a mask on the input stops here. */
  readonly outputMasked = false;

  constructor(convNode: Node, poolNode: Node, private readonly conv: Conv, private readonly pool: Pooling,
    readonly inputSlots: readonly number[], readonly outputSlot: number) {
    this.nodes = [convNode, poolNode];
    this.lastLayer = pool;
  }

  forward(xs: readonly Tensor[], call: LayerCall): Tensor {
    return this.conv.forwardPooled(xs[0], this.pool, call);
  }

  computeMask(): Mask | null {
    return null;
  }

  // A pooling layer has no activation, so dy is never a pre-activation gradient.
  backward(dy: Tensor, call: LayerCall, needInputGrads: readonly boolean[]): (Tensor | null)[] {
    return [this.conv.backwardPooled(dy, call, needInputGrads[0])];
  }
}

/**
 * The topology of a model from its symbolic inputs to its outputs, as Keras maps it:
 * nodes ordered by depth (distance to the outputs, largest first), ties in the order
 * a depth-first search from the outputs finishes them; layers in the same order. Each
 * symbolic tensor gets a slot number for the values and gradients of a call.
 */
export class Graph {
  /** The nodes to run, in order, without the input layers' nodes. */
  readonly nodes: Node[];
  /** Every layer, input layers first, in Keras order. */
  readonly layers: Layer[];
  readonly inputSlots: number[];
  readonly outputSlots: number[];
  readonly slotCount: number;
  /** How many node inputs read each slot (a fan-out where > 1). */
  readonly consumers: number[];
  /** The steps the nodes run as; see planSteps. */
  readonly steps: Step[];
  /** Whether some tensor carries a mask (an Embedding with maskZero): only then do calls track masks. */
  readonly masking: boolean;
  private readonly slots = new Map<SymbolicTensor, number>();

  constructor(readonly inputs: readonly SymbolicTensor[], readonly outputs: readonly SymbolicTensor[], where: string) {
    for (const t of [...inputs, ...outputs]) {
      if (!(t instanceof SymbolicTensor)) throw new ValueError(`${where}: inputs and outputs must be symbolic tensors (from bn.input and layer.apply), got ${formatValue(t)}`);
    }
    for (const t of inputs) {
      if (!(t.sourceLayer instanceof InputLayer)) {
        throw new ValueError(`${where}: model inputs must come from bn.input(), got ${t.name} from ${t.sourceLayer.name} (${t.sourceLayer.className})`);
      }
    }
    if (new Set(inputs).size !== inputs.length) throw new ValueError(`${where}: an input is given twice`);

    // Depth-first search from the outputs (iterative: a long chain must not exhaust the
    // stack), nodes finishing after their inputs; then Keras's depths.
    const finished: Node[] = [];
    const seen = new Set<Node>();
    const inputSet = new Set(inputs);
    for (const t of outputs) {
      const stack: [Node, number][] = [[t.node, 0]];
      if (seen.has(t.node)) continue;
      seen.add(t.node);
      while (stack.length) {
        const top = stack[stack.length - 1];
        const [node, next] = top;
        if (node.layer instanceof InputLayer && !inputSet.has(node.outputs[0])) {
          throw new ValueError(`${where}: graph disconnected: the outputs depend on ${node.layer.name}, which is not among the model's inputs (${inputs.map((x) => x.sourceLayer.name).join(', ') || 'none'})`);
        }
        if (next < node.inputs.length) {
          top[1]++;
          const child = node.inputs[next].node;
          if (!seen.has(child)) {
            seen.add(child);
            stack.push([child, 0]);
          }
        } else {
          stack.pop();
          finished.push(node);
        }
      }
    }

    const nodeDepth = new Map<Node, number>();
    const layerDepth = new Map<Layer, number>();
    for (let i = finished.length - 1; i >= 0; i--) {
      const node = finished[i];
      const depth = Math.max(nodeDepth.get(node) ?? 0, layerDepth.get(node.layer) ?? 0);
      layerDepth.set(node.layer, depth);
      nodeDepth.set(node, depth);
      for (const t of node.inputs) nodeDepth.set(t.node, Math.max(depth + 1, nodeDepth.get(t.node) ?? 0));
    }
    const order = new Map(finished.map((n, i) => [n, i]));
    const byDepth = (a: Node, b: Node): number => nodeDepth.get(b)! - nodeDepth.get(a)! || order.get(a)! - order.get(b)!;
    const sorted = [...finished].sort(byDepth);
    // A node must run after its inputs: depths guarantee it unless a shared layer's depth was raised past one.
    const position = new Map(sorted.map((n, i) => [n, i]));
    for (const n of sorted) {
      for (const t of n.inputs) {
        if (position.get(t.node)! > position.get(n)!) throw new ValueError(`${where}: cannot order ${n.layer.name} after its input ${t.node.layer.name}`);
      }
    }
    this.nodes = sorted.filter((n) => !(n.layer instanceof InputLayer));
    // Layers in the order of their nodes, as Keras lists them; inputs nothing reads come last.
    const layers = new Set(sorted.map((n) => n.layer));
    for (const t of inputs) layers.add(t.sourceLayer);
    this.layers = [...layers];
    const names = new Map<string, Layer>();
    for (const l of this.layers) {
      const other = names.get(l.name);
      if (other && other !== l) throw new ValueError(`${where}: two different layers are named '${l.name}'; layer names in a model must be unique`);
      names.set(l.name, l);
    }

    const slotOf = (t: SymbolicTensor): number => {
      let s = this.slots.get(t);
      if (s === undefined) this.slots.set(t, (s = this.slots.size));
      return s;
    };
    this.inputSlots = inputs.map(slotOf);
    for (const n of this.nodes) n.outputs.forEach(slotOf);
    this.outputSlots = outputs.map(slotOf);
    this.slotCount = this.slots.size;
    this.consumers = new Array<number>(this.slotCount).fill(0);
    for (const n of this.nodes) for (const t of n.inputs) this.consumers[slotOf(t)]++;
    this.steps = this.planSteps();
    this.masking = this.nodes.some((n) => n.outputs.some((t) => t.masked));
  }

  /** The slot of a symbolic tensor of this graph. */
  slotOf(t: SymbolicTensor): number | undefined {
    return this.slots.get(t);
  }

  /**
   * Each node as a step of its own, except a convolution whose only reader is a max
   * pooling that one kernel can run with it (Conv.fusesWithMaxPool: few input channels,
   * linear or relu, non-overlapping windows), when the convolution's output is not a
   * model output. The fused step computes what the two layers compute, with the same
   * weights; it only skips storing the convolution's output.
   */
  private planSteps(): Step[] {
    const steps: Step[] = [];
    const fusedPools = new Set<Node>();
    const slot = (t: SymbolicTensor): number => this.slots.get(t)!;
    const readers = new Map<SymbolicTensor, Node[]>();
    for (const n of this.nodes) for (const t of n.inputs) readers.set(t, [...(readers.get(t) ?? []), n]);
    for (const node of this.nodes) {
      if (fusedPools.has(node)) continue;
      const out = node.outputs[0];
      const layer = node.layer;
      // A convolution with an activity regularizer keeps its output: the penalty is of it.
      if (layer instanceof Conv && !layer.activityRegularizer && this.consumers[slot(out)] === 1 && !this.outputs.includes(out)) {
        const [next] = readers.get(out)!;
        const pool = next.layer;
        if (pool instanceof Pooling && pool.mode === 'max' && next.inputs.length === 1 && layer.fusesWithMaxPool(pool)) {
          fusedPools.add(next);
          steps.push(new ConvMaxPoolStep(node, next, layer, pool, node.inputs.map(slot), slot(next.outputs[0])));
          continue;
        }
      }
      steps.push(new NodeStep(node, node.inputs.map(slot), slot(out)));
    }
    return steps;
  }
}
