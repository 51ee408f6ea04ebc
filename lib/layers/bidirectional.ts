import { LayerCall } from '../engine/call';
import { ValueError, formatValue } from '../errors';
import { camelKeys } from '../names';
import { Shape, Tensor } from '../tensor';
import { Layer, LayerArgs, layerOptions } from './layer';
import { Recurrent } from './recurrent';

export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';

export interface BidirectionalArgs extends LayerArgs {
  /** An LSTM or GRU; the wrapper builds a forward copy and a copy with goBackwards flipped. */
  layer: Recurrent;
  /** How the two directions combine. Default 'concat' (units doubled). */
  mergeMode?: MergeMode | null;
  /** Only the wrapped layer with goBackwards flipped, as Keras 3 writes it in configs (blasnet makes that copy itself). */
  backwardLayer?: Recurrent | null;
}

const MERGE_MODES: readonly string[] = ['concat', 'sum', 'mul', 'ave'];

/** Whether `backward` is `layer` with goBackwards flipped (the backward layer Keras 3 makes and saves), names aside. */
function isFlippedCopy(backward: unknown, layer: Recurrent): boolean {
  const rest = (l: Recurrent): string => {
    const { name: _name, go_backwards: _goBackwards, ...config } = l.getConfig();
    return JSON.stringify(config);
  };
  return backward instanceof Recurrent && backward.className === layer.className && backward.goBackwards !== layer.goBackwards && rest(backward) === rest(layer);
}

/**
 * Runs a recurrent layer over the sequence in both directions and merges the two
 * outputs, as Keras does: with returnSequences the backward output is flipped back
 * in time first. Weights: the forward layer's, then the backward layer's.
 */
export class Bidirectional extends Layer {
  readonly className = 'Bidirectional';
  readonly forwardLayer: Recurrent;
  readonly backwardLayer: Recurrent;
  readonly mergeMode: MergeMode;
  private readonly template: Recurrent;

  constructor(args: BidirectionalArgs) {
    const a = camelKeys(args ?? ({} as BidirectionalArgs));
    // The wrapped layer's inputShape works too, as in Keras: Bidirectional(LSTM(8, input_shape=...)).
    const inner = a.layer instanceof Recurrent && !a.inputShape && !a.batchInputShape ? a.layer.declaredInputShape : null;
    super(inner ? { ...args, inputShape: [...inner] } : args, 'bidirectional', layerOptions(['layer', 'mergeMode', 'backwardLayer']));
    const where = `${this.name} (Bidirectional)`;
    if (!(a.layer instanceof Recurrent)) {
      throw new ValueError(`${where}: layer must be an LSTM or GRU layer, e.g. bn.layers.lstm({units: 8}), got ${a.layer === undefined ? 'nothing' : String(a.layer)}`);
    }
    const mode = a.mergeMode === undefined ? 'concat' : a.mergeMode;
    if (mode === null) {
      throw new ValueError(`${where}: mergeMode null returns the two directions as two outputs, but blasnet layers give one output each; use 'concat', 'sum', 'mul' or 'ave'`);
    }
    if (!MERGE_MODES.includes(mode)) {
      throw new ValueError(`${where}: mergeMode must be one of 'concat', 'sum', 'mul', 'ave', got ${formatValue(mode)}`);
    }
    if (a.layer.activityRegularizer) {
      throw new ValueError(`${where}: the wrapped ${a.layer.name} has an activityRegularizer, which Keras applies to each direction's output; blasnet does not support that yet: give activityRegularizer to the Bidirectional layer (a penalty of the merged output) or leave it out`);
    }
    if (a.backwardLayer !== undefined && a.backwardLayer !== null && !isFlippedCopy(a.backwardLayer, a.layer)) {
      throw new ValueError(`${where}: backwardLayer must be the wrapped layer with goBackwards flipped, as Keras 3 writes it in configs; another backward layer is not supported`);
    }
    this.mergeMode = mode;
    this.template = a.layer;
    // As Keras: with returnSequences, masked steps give 0 in both directions (zero_output_for_mask).
    const zeroOutputForMask = a.layer.returnSequences;
    this.forwardLayer = a.layer.cloneWith({ name: `forward_${a.layer.name}`, zeroOutputForMask });
    this.backwardLayer = a.layer.cloneWith({ name: `backward_${a.layer.name}`, goBackwards: !a.layer.goBackwards, zeroOutputForMask });
  }

  computeOutputShape(inputShape: Shape): Shape {
    const problem = Recurrent.inputShapeProblem(inputShape, 'the Bidirectional layer');
    if (problem) throw this.shapeError(problem);
    if (this.template.returnState) {
      throw this.shapeError(`the wrapped ${this.template.name} (${this.template.className}) has returnState: true, which ${Recurrent.returnStateProblem}`);
    }
    const shape = [...this.forwardLayer.computeOutputShape(inputShape)];
    if (this.mergeMode === 'concat') shape[shape.length - 1] *= 2;
    return shape;
  }

  override build(inputShape: Shape): void {
    super.build(inputShape);
    this.forwardLayer.build(inputShape);
    this.backwardLayer.build(inputShape);
    this.params.push(...this.forwardLayer.weights, ...this.backwardLayer.weights);
    this.regularized.push(...this.forwardLayer.regularized, ...this.backwardLayer.regularized);
  }

  /** Both directions take the mask; with returnSequences the output keeps it (Keras's compute_mask). */
  override get supportsMasking(): boolean {
    return true;
  }

  override outputMasked(inputsMasked: readonly boolean[]): boolean {
    return this.forwardLayer.returnSequences && inputsMasked[0];
  }

  forward(x: Tensor, call: LayerCall): Tensor {
    this.checkInput(x);
    const forwardCall = call.child('forward'), backwardCall = call.child('backward');
    forwardCall.masks = backwardCall.masks = call.masks;
    const yf = (call.saved.yForward = this.forwardLayer.forward(x, forwardCall));
    const yb = (call.saved.yBackward = this.backwardLayer.forward(x, backwardCall));
    const out = call.buffer('out', [x.shape[0], ...this.outputShape!]);
    const o = out.data, f = yf.data, b = yb.data;
    this.forEachRow(yf, (fi, bi, oi, U) => {
      for (let u = 0; u < U; u++) {
        switch (this.mergeMode) {
          case 'concat': o[oi + u] = f[fi + u]; o[oi + U + u] = b[bi + u]; break;
          case 'sum': o[oi + u] = f[fi + u] + b[bi + u]; break;
          case 'mul': o[oi + u] = f[fi + u] * b[bi + u]; break;
          case 'ave': o[oi + u] = 0.5 * (f[fi + u] + b[bi + u]); break;
        }
      }
    });
    return out;
  }

  backward(dy: Tensor, call: LayerCall, needInputGrad: boolean): Tensor | null {
    const yf = call.saved.yForward as Tensor, yb = call.saved.yBackward as Tensor;
    const dyF = call.buffer('dyForward', yf.shape), dyB = call.buffer('dyBackward', yb.shape);
    const d = dy.data, df = dyF.data, db = dyB.data, f = yf.data, b = yb.data;
    this.forEachRow(yf, (fi, bi, di, U) => {
      for (let u = 0; u < U; u++) {
        switch (this.mergeMode) {
          case 'concat': df[fi + u] = d[di + u]; db[bi + u] = d[di + U + u]; break;
          case 'sum': df[fi + u] = db[bi + u] = d[di + u]; break;
          case 'mul': df[fi + u] = d[di + u] * b[bi + u]; db[bi + u] = d[di + u] * f[fi + u]; break;
          case 'ave': df[fi + u] = db[bi + u] = 0.5 * d[di + u]; break;
        }
      }
    });
    const dxF = this.forwardLayer.backward(dyF, call.child('forward'), needInputGrad);
    const dxB = this.backwardLayer.backward(dyB, call.child('backward'), needInputGrad);
    if (!dxF || !dxB) return null;
    const dx = call.buffer('dx', dxF.shape);
    for (let i = 0; i < dx.size; i++) dx.data[i] = dxF.data[i] + dxB.data[i];
    return dx;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      layer: { class_name: this.template.className, config: this.template.getConfig() },
      merge_mode: this.mergeMode,
    };
  }

  /**
   * Visits each output row (sample n, timestep t) with the offsets of the forward
   * layer's row, of the backward layer's row it merges with (time flipped with
   * returnSequences: the backward layer returns its sequence in processing
   * order) and of the merged row.
   */
  private forEachRow(yf: Tensor, visit: (fi: number, bi: number, oi: number, U: number) => void): void {
    const N = yf.shape[0], U = yf.shape[yf.shape.length - 1];
    const T = this.forwardLayer.returnSequences ? yf.shape[1] : 1;
    const width = this.mergeMode === 'concat' ? 2 * U : U;
    for (let n = 0; n < N; n++) {
      for (let t = 0; t < T; t++) visit((n * T + t) * U, (n * T + T - 1 - t) * U, (n * T + t) * width, U);
    }
  }
}
