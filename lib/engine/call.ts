import { Shape, Tensor, sameShape, sizeOf } from '../tensor';
import type { Param } from '../layers/layer';
import type { Mask } from './mask';

const NO_MASKS: readonly (Mask | null)[] = [];

/**
 * What one pass over a model asks of its layers. A context belongs to one model call
 * (a training step, a predict batch, an explanation): several can be alive at once
 * on one model, because nothing a call needs is kept on the layers.
 */
export interface CallMode {
  /** Training behaviour: dropout on, batch statistics, moving averages updated. */
  readonly training: boolean;
  /** Keep what backward needs (inputs, caches, argmax); off for plain inference. */
  readonly recording: boolean;
  /**
   * Where a layer's backward adds the gradient of a weight, or null when the pass does
   * not want it (weights that are not trained, passes for input gradients only).
   */
  weightGradient(param: Param): Float32Array | null;
}

/**
 * One layer's part of one model call: what its forward saved for its backward, and
 * the scratch buffers both reuse from step to step (a training loop allocates nothing
 * in its steady state). A layer applied twice in a model gets one LayerCall per
 * application; layers that wrap others (TimeDistributed, Bidirectional) give each
 * inner layer a child call.
 */
export class LayerCall {
  /** Saved by forward for backward; each layer keeps its own fields here. */
  readonly saved: Record<string, unknown> = {};
  /**
   * The masks of the inputs (Keras's `mask` argument), one per input, null where an
   * input has none; set by the context before forward in a model that makes masks.
   */
  masks: readonly (Mask | null)[] = NO_MASKS;
  private readonly buffers = new Map<string, Tensor>();
  private maskBuffers: Map<string, Mask> | null = null;
  private children: Map<string, LayerCall> | null = null;

  constructor(readonly mode: CallMode) {}

  get training(): boolean {
    return this.mode.training;
  }

  get recording(): boolean {
    return this.mode.recording;
  }

  /** Where backward adds the gradient of `param`, or null when this pass does not want it. */
  gradient(param: Param | null): Float32Array | null {
    return param ? this.mode.weightGradient(param) : null;
  }

  /** A reusable float32 buffer, reallocated only when the requested size changes. */
  buffer(key: string, shape: Shape): Tensor {
    const old = this.buffers.get(key);
    if (old && old.size === sizeOf(shape)) return sameShape(old.shape, shape) ? old : new Tensor(old.data, shape);
    const t = new Tensor(new Float32Array(sizeOf(shape)), shape);
    this.buffers.set(key, t);
    return t;
  }

  /** The mask of the first input, or null (Keras passes only that one to most layers). */
  get mask(): Mask | null {
    return this.masks[0] ?? null;
  }

  /** A reusable mask buffer, reallocated only when the requested size changes. */
  maskBuffer(key: string, shape: Shape): Mask {
    this.maskBuffers ??= new Map();
    const old = this.maskBuffers.get(key);
    if (old && old.data.length === sizeOf(shape)) return sameShape(old.shape, shape) ? old : { data: old.data, shape };
    const m = { data: new Uint8Array(sizeOf(shape)), shape };
    this.maskBuffers.set(key, m);
    return m;
  }

  /** The call of an inner layer, made on first use. */
  child(key: string): LayerCall {
    this.children ??= new Map();
    let c = this.children.get(key);
    if (!c) this.children.set(key, (c = new LayerCall(this.mode)));
    return c;
  }
}
