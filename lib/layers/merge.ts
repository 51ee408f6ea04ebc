// Layers that merge several inputs (Keras's layers/merging): elementwise add, subtract,
// multiply, average, maximum and minimum over inputs of one shape, concatenation along
// an axis, and the batched dot product.
import { LayerCall } from '../engine/call';
import { Mask } from '../engine/mask';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors';
import { camelKeys } from '../names';
import { Shape, Tensor, sameShape, sizeOf } from '../tensor';
import { Layer, LayerArgs, layerOptions } from './layer';

const f32 = (t: Tensor): Float32Array => t.data as Float32Array;

/** A layer of several inputs: forward and backward run on all of them (forwardAll, backwardAll). */
abstract class Merge extends Layer {
  computeOutputShape(inputShape: Shape): Shape {
    return this.outputShapeFor([inputShape]);
  }

  override get inputCount(): [number, number] {
    return [2, Infinity];
  }

  forward(): Tensor {
    throw new ValueError(`${this.name} (${this.className}) merges several inputs: apply it to a list, e.g. layer.apply([a, b])`);
  }

  backward(): Tensor | null {
    return this.forward();
  }

  abstract override outputShapeFor(inputShapes: readonly Shape[]): Shape;
  abstract override forwardAll(xs: readonly Tensor[], call: LayerCall): Tensor;
  abstract override backwardAll(dy: Tensor, call: LayerCall, needInputGrads: readonly boolean[]): (Tensor | null)[];

  /** Checks the input count. */
  protected inputs(shapes: readonly Shape[]): void {
    const [lo, hi] = this.inputCount;
    if (shapes.length < lo || shapes.length > hi) {
      const want = lo === hi ? `exactly ${lo}` : `at least ${lo}`;
      throw new ValueError(`${this.name} (${this.className}): takes ${want} inputs, got ${shapes.length}`);
    }
  }
}

type Op = 'add' | 'subtract' | 'multiply' | 'average' | 'maximum' | 'minimum';

/** Elementwise merges over inputs of one shape (broadcasting between shapes is refused by name). */
abstract class ElementwiseMerge extends Merge {
  protected abstract readonly op: Op;

  /**
   * Keras 3: the output is masked where every input is, with the OR of their masks. Add,
   * Subtract and Average compute as without masks; Multiply, Maximum and Minimum leave
   * masked entries out of the operation, which is not implemented here, so refused.
   */
  override get supportsMasking(): boolean {
    return true;
  }

  override outputMasked(inputsMasked: readonly boolean[]): boolean {
    const any = inputsMasked.some((m) => m);
    if (any && (this.op === 'multiply' || this.op === 'maximum' || this.op === 'minimum')) {
      throw new ValueError(`${this.name} (${this.className}): an input carries a mask (from an Embedding with maskZero); Keras leaves masked entries out of a ${this.op}, which is not implemented, so masked inputs are refused`);
    }
    return inputsMasked.every((m) => m);
  }

  override computeMask(_xs: readonly Tensor[], masks: readonly (Mask | null)[], call: LayerCall): Mask {
    const out = call.maskBuffer('mask', masks[0]!.shape);
    const o = out.data;
    o.set(masks[0]!.data);
    for (let k = 1; k < masks.length; k++) {
      const m = masks[k]!.data;
      for (let i = 0; i < o.length; i++) o[i] |= m[i];
    }
    return out;
  }

  outputShapeFor(inputShapes: readonly Shape[]): Shape {
    this.inputs(inputShapes);
    const first = inputShapes[0];
    for (const s of inputShapes) {
      if (!sameShape(s, first)) {
        throw new ShapeError(`${this.name} (${this.className}): inputs must have the same shape; got ${inputShapes.map((x) => formatShape([null, ...x])).join(' and ')} (broadcasting between shapes is not supported)`);
      }
    }
    return first;
  }

  forwardAll(xs: readonly Tensor[], call: LayerCall): Tensor {
    const out = call.buffer('out', xs[0].shape);
    const o = f32(out), n = o.length, op = this.op;
    o.set(xs[0].data);
    for (let k = 1; k < xs.length; k++) {
      const x = f32(xs[k]);
      if (op === 'add' || op === 'average') for (let i = 0; i < n; i++) o[i] += x[i];
      else if (op === 'subtract') for (let i = 0; i < n; i++) o[i] -= x[i];
      else if (op === 'multiply') for (let i = 0; i < n; i++) o[i] *= x[i];
      // Ties keep the earlier input (its gradient goes there), as pairwise tf.maximum does.
      else if (op === 'maximum') for (let i = 0; i < n; i++) { if (x[i] > o[i]) o[i] = x[i]; }
      else for (let i = 0; i < n; i++) { if (x[i] < o[i]) o[i] = x[i]; }
    }
    if (op === 'average') for (let i = 0; i < n; i++) o[i] /= xs.length;
    call.saved.xs = xs;
    return out;
  }

  backwardAll(dy: Tensor, call: LayerCall, needInputGrads: readonly boolean[]): (Tensor | null)[] {
    const xs = call.saved.xs as Tensor[];
    const d = f32(dy), n = d.length, op = this.op;
    return xs.map((x, k) => {
      if (!needInputGrads[k]) return null;
      const dx = call.buffer(`dx${k}`, x.shape);
      const g = f32(dx);
      if (op === 'add') g.set(d);
      else if (op === 'average') for (let i = 0; i < n; i++) g[i] = d[i] / xs.length;
      else if (op === 'subtract') for (let i = 0; i < n; i++) g[i] = k === 0 ? d[i] : -d[i];
      else if (op === 'multiply') {
        g.set(d);
        xs.forEach((other, j) => { if (j !== k) { const o = f32(other); for (let i = 0; i < n; i++) g[i] *= o[i]; } });
      } else {
        // The gradient goes to the first input holding the extreme value.
        const better = op === 'maximum' ? (a: number, b: number): boolean => a > b : (a: number, b: number): boolean => a < b;
        for (let i = 0; i < n; i++) {
          let winner = 0;
          for (let j = 1; j < xs.length; j++) if (better(xs[j].data[i], xs[winner].data[i])) winner = j;
          g[i] = winner === k ? d[i] : 0;
        }
      }
      return dx;
    });
  }
}

export type MergeArgs = LayerArgs;

/** Sum of its inputs. */
export class Add extends ElementwiseMerge {
  readonly className = 'Add';
  protected readonly op = 'add';
  constructor(args: MergeArgs = {}) { super(args, 'add'); }
}

/** The first input minus the second (exactly two inputs). */
export class Subtract extends ElementwiseMerge {
  readonly className = 'Subtract';
  protected readonly op = 'subtract';
  constructor(args: MergeArgs = {}) { super(args, 'subtract'); }
  override get inputCount(): [number, number] { return [2, 2]; }
}

/** Elementwise product of its inputs. */
export class Multiply extends ElementwiseMerge {
  readonly className = 'Multiply';
  protected readonly op = 'multiply';
  constructor(args: MergeArgs = {}) { super(args, 'multiply'); }
}

/** Elementwise mean of its inputs. */
export class Average extends ElementwiseMerge {
  readonly className = 'Average';
  protected readonly op = 'average';
  constructor(args: MergeArgs = {}) { super(args, 'average'); }
}

/** Elementwise maximum of its inputs. */
export class Maximum extends ElementwiseMerge {
  readonly className = 'Maximum';
  protected readonly op = 'maximum';
  constructor(args: MergeArgs = {}) { super(args, 'maximum'); }
}

/** Elementwise minimum of its inputs. */
export class Minimum extends ElementwiseMerge {
  readonly className = 'Minimum';
  protected readonly op = 'minimum';
  constructor(args: MergeArgs = {}) { super(args, 'minimum'); }
}

export interface ConcatenateArgs extends LayerArgs {
  /** The axis to join along, counting the batch axis (default -1, the last). */
  axis?: number;
}

/** Joins its inputs along one axis; the other axes must match. */
export class Concatenate extends Merge {
  readonly className = 'Concatenate';
  readonly axis: number;

  constructor(args: ConcatenateArgs = {}) {
    const a = camelKeys(args ?? {});
    super(args, 'concatenate', layerOptions(['axis']));
    this.axis = a.axis ?? -1;
    if (!Number.isInteger(this.axis)) throw new ValueError(`${this.name} (Concatenate): axis must be an integer, got ${formatValue(a.axis)}`);
  }

  override get inputCount(): [number, number] {
    return [1, Infinity];
  }

  /** Keras 3: masked if any input is; an input without a mask counts as unmasked everywhere. */
  override get supportsMasking(): boolean {
    return true;
  }

  override outputMasked(inputsMasked: readonly boolean[]): boolean {
    return inputsMasked.some((m) => m);
  }

  /**
   * As Keras's compute_mask: joined along the last axis, a position is kept if any input
   * keeps it; along another axis, the masks are joined along it.
   */
  override computeMask(xs: readonly Tensor[], masks: readonly (Mask | null)[], call: LayerCall): Mask {
    const rank = xs[0].shape.length - 1;
    const axis = this.sampleAxis(rank);
    const shape = [xs[0].shape[0], ...this.outputShape!.slice(0, -1)];
    const out = call.maskBuffer('mask', shape);
    const o = out.data;
    if (axis === rank - 1) {
      o.fill(0);
      for (const m of masks) {
        if (!m) { o.fill(1); break; }
        for (let i = 0; i < o.length; i++) o[i] |= m.data[i];
      }
      return out;
    }
    const outer = sizeOf(shape.slice(0, axis + 1)), inner = sizeOf(shape.slice(axis + 2));
    let offset = 0;
    const width = shape[axis + 1] * inner;
    xs.forEach((x, k) => {
      const w = x.shape[axis + 1] * inner, m = masks[k];
      for (let r = 0; r < outer; r++) {
        if (m) o.set(m.data.subarray(r * w, (r + 1) * w), r * width + offset);
        else o.fill(1, r * width + offset, r * width + offset + w);
      }
      offset += w;
    });
    return out;
  }

  /** The axis within a sample (0 is the first axis after the batch). */
  private sampleAxis(rank: number): number {
    const axis = this.axis < 0 ? this.axis + rank + 1 : this.axis;
    if (axis < 1 || axis > rank) throw new ValueError(`${this.name} (Concatenate): axis ${this.axis} is outside the inputs' axes 1..${rank} (0 is the batch axis, which cannot be joined)`);
    return axis - 1;
  }

  outputShapeFor(inputShapes: readonly Shape[]): Shape {
    this.inputs(inputShapes);
    const rank = inputShapes[0].length;
    const axis = this.sampleAxis(rank);
    const show = (): string => inputShapes.map((s) => formatShape([null, ...s])).join(', ');
    for (const s of inputShapes) {
      if (s.length !== rank || s.some((d, i) => i !== axis && d !== inputShapes[0][i])) {
        throw new ShapeError(`${this.name} (Concatenate): inputs must match on every axis but axis ${this.axis}; got ${show()}`);
      }
    }
    const out = [...inputShapes[0]];
    out[axis] = inputShapes.reduce((n, s) => n + s[axis], 0);
    return out;
  }

  /** Rows of each input: [outer, width of the input on the axis times inner]. */
  private blocks(shapes: readonly Shape[]): { outer: number; widths: number[] } {
    const shape = shapes[0];
    const axis = this.sampleAxis(shape.length - 1) + 1;
    const inner = sizeOf(shape.slice(axis + 1));
    return { outer: sizeOf(shape.slice(0, axis)), widths: shapes.map((s) => s[axis] * inner) };
  }

  forwardAll(xs: readonly Tensor[], call: LayerCall): Tensor {
    const { outer, widths } = this.blocks(xs.map((x) => x.shape));
    const total = widths.reduce((a, b) => a + b, 0);
    const out = call.buffer('out', [xs[0].shape[0], ...this.outputShapeFor(xs.map((x) => x.shape.slice(1)))]);
    const o = f32(out);
    let offset = 0;
    xs.forEach((x, k) => {
      const w = widths[k], d = f32(x);
      for (let r = 0; r < outer; r++) o.set(d.subarray(r * w, (r + 1) * w), r * total + offset);
      offset += w;
    });
    call.saved.shapes = xs.map((x) => x.shape);
    return out;
  }

  backwardAll(dy: Tensor, call: LayerCall, needInputGrads: readonly boolean[]): (Tensor | null)[] {
    const shapes = call.saved.shapes as Shape[];
    const { outer, widths } = this.blocks(shapes);
    const total = widths.reduce((a, b) => a + b, 0);
    const d = f32(dy);
    let offset = 0;
    return shapes.map((shape, k) => {
      const w = widths[k], start = offset;
      offset += w;
      if (!needInputGrads[k]) return null;
      const dx = call.buffer(`dx${k}`, shape), g = f32(dx);
      for (let r = 0; r < outer; r++) g.set(d.subarray(r * total + start, r * total + start + w), r * w);
      return dx;
    });
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}

export interface DotArgs extends LayerArgs {
  /** The axis of each input to contract, counting the batch axis: one for both, or a pair. */
  axes: number | [number, number];
  /** L2-normalise both inputs along those axes first, so the result is the cosine similarity. */
  normalize?: boolean;
}

/** Per-sample strides of a Dot input: [free size, contracted size, free stride, contracted stride]. */
type DotLayout = [number, number, number, number];

/**
 * The dot product of two inputs along an axis of each, per sample (Keras's batch_dot):
 * the output has the first input's other axes followed by the second's, or [1] when
 * none are left. Inputs of rank 2 or 3 (with the batch axis), as in TensorFlow.js.
 */
export class Dot extends Merge {
  readonly className = 'Dot';
  readonly axes: number | [number, number];
  readonly normalize: boolean;

  /** Keras 3 takes masked inputs, ignores the masks, and gives no mask (compute_mask returns None). */
  override get supportsMasking(): boolean {
    return true;
  }

  override outputMasked(): boolean {
    return false;
  }

  constructor(args: DotArgs) {
    const a = camelKeys(args ?? ({} as DotArgs));
    super(args, 'dot', layerOptions(['axes', 'normalize']));
    const where = `${this.name} (Dot)`;
    const axes = a.axes;
    const ok = (v: unknown): boolean => Number.isInteger(v) && v !== 0;
    if (!(ok(axes) || (Array.isArray(axes) && axes.length === 2 && axes.every(ok)))) {
      throw new ValueError(`${where}: axes must be a non-zero integer or a pair of them (axis 0 is the batch), got ${formatValue(axes)}`);
    }
    this.axes = Array.isArray(axes) ? [axes[0], axes[1]] : axes;
    this.normalize = a.normalize ?? false;
  }

  override get inputCount(): [number, number] {
    return [2, 2];
  }

  /** Each input's contracted axis within a sample. */
  private sampleAxes(shapes: readonly Shape[]): [number, number] {
    const pair = Array.isArray(this.axes) ? this.axes : [this.axes, this.axes];
    return [0, 1].map((k) => {
      const rank = shapes[k].length + 1;
      const axis = pair[k] < 0 ? pair[k] + rank : pair[k];
      if (rank < 2 || rank > 3) throw new ShapeError(`${this.name} (Dot): inputs must have rank 2 or 3 (with the batch axis), got ${formatShape([null, ...shapes[k]])}`);
      if (axis < 1 || axis >= rank) throw new ValueError(`${this.name} (Dot): axis ${pair[k]} is outside input ${k}'s axes 1..${rank - 1}`);
      return axis - 1;
    }) as [number, number];
  }

  outputShapeFor(inputShapes: readonly Shape[]): Shape {
    this.inputs(inputShapes);
    const [pa, pb] = this.sampleAxes(inputShapes);
    const [sa, sb] = inputShapes;
    if (sa[pa] !== sb[pb]) {
      throw new ShapeError(`${this.name} (Dot): the contracted axes differ in size: ${sa[pa]} (input 0 ${formatShape([null, ...sa])}) and ${sb[pb]} (input 1 ${formatShape([null, ...sb])})`);
    }
    const out = [...sa.filter((_, i) => i !== pa), ...sb.filter((_, i) => i !== pb)];
    return out.length === 0 ? [1] : out;
  }

  private layout(shape: Shape, axis: number): DotLayout {
    const s = shape.slice(1);
    if (s.length === 1) return [1, s[0], 0, 1];
    return axis === 0 ? [s[1], s[0], 1, s[1]] : [s[0], s[1], s[1], 1];
  }

  forwardAll(xs: readonly Tensor[], call: LayerCall): Tensor {
    const [pa, pb] = this.sampleAxes(xs.map((x) => x.shape.slice(1)));
    const N = xs[0].shape[0];
    const [A, K, ai, ak] = this.layout(xs[0].shape, pa), [B, , bj, bk] = this.layout(xs[1].shape, pb);
    const sizeA = xs[0].size / N, sizeB = xs[1].size / N;
    const a = this.normalize ? this.l2normalize(xs[0], call, 'a', A, K, ai, ak) : f32(xs[0]);
    const b = this.normalize ? this.l2normalize(xs[1], call, 'b', B, K, bj, bk) : f32(xs[1]);
    const out = call.buffer('out', [N, ...this.outputShapeFor(xs.map((x) => x.shape.slice(1)))]);
    const o = f32(out);
    for (let n = 0; n < N; n++) {
      for (let i = 0; i < A; i++) {
        for (let j = 0; j < B; j++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += a[n * sizeA + i * ai + k * ak] * b[n * sizeB + j * bj + k * bk];
          o[(n * A + i) * B + j] = s;
        }
      }
    }
    Object.assign(call.saved, { a, b, shapes: xs.map((x) => x.shape), layouts: [[A, K, ai, ak], [B, K, bj, bk]] });
    return out;
  }

  backwardAll(dy: Tensor, call: LayerCall, needInputGrads: readonly boolean[]): (Tensor | null)[] {
    const { a, b, shapes, layouts } = call.saved as { a: Float32Array; b: Float32Array; shapes: Shape[]; layouts: DotLayout[] };
    const [[A, K, ai, ak], [B, , bj, bk]] = layouts;
    const N = shapes[0][0], sizeA = a.length / N, sizeB = b.length / N;
    const d = f32(dy);
    const grads: (Tensor | null)[] = [null, null];
    if (needInputGrads[0]) {
      const g = f32(grads[0] = call.buffer('dx0', shapes[0]));
      for (let n = 0; n < N; n++) {
        for (let i = 0; i < A; i++) {
          for (let k = 0; k < K; k++) {
            let s = 0;
            for (let j = 0; j < B; j++) s += d[(n * A + i) * B + j] * b[n * sizeB + j * bj + k * bk];
            g[n * sizeA + i * ai + k * ak] = s;
          }
        }
      }
      if (this.normalize) this.l2normalizeBackward(g, a, call, 'a', N, A, K, ai, ak);
    }
    if (needInputGrads[1]) {
      const g = f32(grads[1] = call.buffer('dx1', shapes[1]));
      for (let n = 0; n < N; n++) {
        for (let j = 0; j < B; j++) {
          for (let k = 0; k < K; k++) {
            let s = 0;
            for (let i = 0; i < A; i++) s += d[(n * A + i) * B + j] * a[n * sizeA + i * ai + k * ak];
            g[n * sizeB + j * bj + k * bk] = s;
          }
        }
      }
      if (this.normalize) this.l2normalizeBackward(g, b, call, 'b', N, B, K, bj, bk);
    }
    return grads;
  }

  /** x / sqrt(max(sum x^2, 1e-12)) along the contracted axis (Keras's l2_normalize); keeps the norms for backward. */
  private l2normalize(x: Tensor, call: LayerCall, key: string, F: number, K: number, fs: number, ks: number): Float32Array {
    const N = x.shape[0], size = x.size / N, src = f32(x);
    const out = f32(call.buffer(`${key}Normalized`, x.shape));
    const norms = f32(call.buffer(`${key}Norms`, [N, F]));
    for (let n = 0; n < N; n++) {
      for (let f = 0; f < F; f++) {
        let ss = 0;
        for (let k = 0; k < K; k++) { const v = src[n * size + f * fs + k * ks]; ss += v * v; }
        // A norm clamped at 1e-6 is a constant, so its gradient is dropped (clamped is marked negative).
        const clamped = ss < 1e-12;
        const norm = Math.sqrt(clamped ? 1e-12 : ss);
        norms[n * F + f] = clamped ? -norm : norm;
        for (let k = 0; k < K; k++) out[n * size + f * fs + k * ks] = src[n * size + f * fs + k * ks] / norm;
      }
    }
    return out;
  }

  /** Turns the gradient with respect to the normalised input into the gradient with respect to the input, in place. */
  private l2normalizeBackward(g: Float32Array, y: Float32Array, call: LayerCall, key: string, N: number, F: number, K: number,
    fs: number, ks: number): void {
    const norms = f32(call.buffer(`${key}Norms`, [N, F]));
    const size = g.length / N;
    for (let n = 0; n < N; n++) {
      for (let f = 0; f < F; f++) {
        const signed = norms[n * F + f], norm = Math.abs(signed);
        let dot = 0;
        if (signed > 0) for (let k = 0; k < K; k++) dot += g[n * size + f * fs + k * ks] * y[n * size + f * fs + k * ks];
        for (let k = 0; k < K; k++) {
          const i = n * size + f * fs + k * ks;
          g[i] = (g[i] - y[i] * dot) / norm;
        }
      }
    }
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axes: this.axes, normalize: this.normalize };
  }
}
