// Loads the compiled addon (a local build, else a prebuilt binary) and types it.
// Every export validates its arguments and throws TypeError/RangeError; see
// native/binding/*.cc for the layouts. All are [sync] unless marked.
import * as path from 'path';

type F32 = Float32Array;
type I32 = Int32Array;
/** One Float32Array, or a list of segments (the optimizer updates). */
type F32s = Float32Array | Float32Array[];

/**
 * Convolution geometry, the mirror of native Conv2DGeom (NHWC). padding 'same'
 * puts the odd extra row/column at the bottom/right as TF does; 'causal' pads
 * only the top/left (Conv1D). The binding checks OH/OW against the padding.
 */
export interface Conv2DGeometry {
  N: number; H: number; W: number; C: number; OC: number;
  KH: number; KW: number; SH: number; SW: number; DH: number; DW: number;
  OH: number; OW: number; padding: 'valid' | 'same' | 'causal';
}

/** Pooling geometry, the mirror of native Pool2DGeom (NHWC). */
export interface Pool2DGeometry {
  N: number; H: number; W: number; C: number;
  KH: number; KW: number; SH: number; SW: number;
  OH: number; OW: number; padding: 'valid' | 'same';
}

/**
 * A convolution or pooling geometry packed for the binding: an Int32Array of the
 * interface's fields in declaration order, padding last as 0 'valid', 1 'same',
 * 2 'causal'. The binding reads it in nanoseconds, where an object's fields cost
 * microseconds (a batch-1 call's budget); the kernels take either.
 */
export type PackedGeometry = Int32Array;

const PADDING_CODES = { valid: 0, same: 1, causal: 2 } as const;

function pack(fields: number[], padding: keyof typeof PADDING_CODES): PackedGeometry {
  for (const v of fields) {
    if (!Number.isInteger(v) || v < 1 || v > 0x7fffffff) throw new RangeError(`geometry fields must be positive 32-bit integers, got ${v}`);
  }
  return Int32Array.from([...fields, PADDING_CODES[padding]]);
}

export function packConvGeometry(g: Conv2DGeometry): PackedGeometry {
  return pack([g.N, g.H, g.W, g.C, g.OC, g.KH, g.KW, g.SH, g.SW, g.DH, g.DW, g.OH, g.OW], g.padding);
}

export function packPoolGeometry(g: Pool2DGeometry): PackedGeometry {
  return pack([g.N, g.H, g.W, g.C, g.KH, g.KW, g.SH, g.SW, g.OH, g.OW], g.padding);
}

/** A layer's geometry for a batch size, readable and packed. */
export interface BatchGeometry<G> {
  readonly geom: Readonly<G>;
  readonly packed: PackedGeometry;
}

/**
 * A layer's geometry by batch size, from the geometry without N and its packer. The
 * last batch size asked is memoised: a layer sees the same batch size step after
 * step, so its geometry is packed once, not on every call.
 */
export function geometryByBatchSize<G extends { N: number }>(
  base: Omit<G, 'N'>, pack: (g: G) => PackedGeometry,
): (N: number) => BatchGeometry<G> {
  let last: BatchGeometry<G> | null = null;
  return (N) => {
    if (last?.geom.N !== N) {
      const geom = { ...base, N } as G;
      last = { geom, packed: pack(geom) };
    }
    return last;
  };
}

/**
 * Recurrent geometry, the mirror of native RnnGeom: x is [N,T,I]; the output is
 * [N,T,U] with returnSequences (a goBackwards sequence in processing order, as
 * Keras returns it), else [N,U]. Activations are Activation ids (not softmax);
 * resetAfter is read by the GRU only. Cache and scratch sizes: rnnBufferSizes in
 * lib/layers/recurrent.ts (kernels.h lstm_cache_size etc.).
 */
export interface RnnGeometry {
  N: number; T: number; I: number; U: number;
  activation: number; recurrentActivation: number;
  goBackwards: boolean; returnSequences: boolean; resetAfter?: boolean;
}

/** What the loaded addon computes with: bn.backendInfo(). */
export interface BackendInfo {
  /** The hand-vectorised kernels' instruction set, as simdLevel(). */
  simd: string;
  /** Threads this environment's kernels use, as getNumThreads(). */
  threads: number;
  /**
   * 'flush-to-zero': native code flushes denormal floats to zero (FTZ and DAZ, as TensorFlow's CPU kernels
   * do; x86-64 builds), on the JavaScript thread only for the duration of each call. 'ieee': it keeps them.
   */
  denormals: 'flush-to-zero' | 'ieee';
  /** OpenBLAS's build description. */
  blas: string;
}

export interface Binding {
  /** Threads (the caller included) this environment's kernels use; default: the number of cores or BLASNET_NUM_THREADS. */
  setNumThreads(n: number): void;
  getNumThreads(): number;
  /** The instruction set of the hand-vectorised kernels on this CPU: 'avx512' | 'avx2' | 'portable' (BLASNET_SIMD lowers it). */
  simdLevel(): string;
  backendInfo(): BackendInfo;
  sgemm(transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number, A: F32, B: F32, beta: number, C: F32): void;
  denseForward(out: F32, x: F32, w: F32, b: F32 | null, N: number, I: number, U: number): void;
  denseBackward(dx: F32 | null, dw: F32 | null, db: F32 | null, dy: F32, x: F32, w: F32, N: number, I: number, U: number): void;
  /** out = activation(x w + b) in one pass; activation is an Activation id, 0 (linear) or 1 (relu). */
  denseForwardActivated(out: F32, x: F32, w: F32, b: F32 | null, N: number, I: number, U: number, activation: number): void;
  /** dy is the gradient at the output y of denseForwardActivated (masked in place for relu, which needs y). */
  denseBackwardActivated(dx: F32 | null, dw: F32 | null, db: F32 | null, dy: F32, x: F32, w: F32, y: F32 | null, N: number, I: number, U: number, activation: number): void;
  activationForward(kind: number, y: F32, x: F32, R: number, K: number): void;
  activationBackward(kind: number, dx: F32, dy: F32, x: F32, y: F32, R: number, K: number): void;
  /**
   * Losses over rows [R, K] (a sample or sample-timestep per row): return the sum over rows of weights[r]
   * times the row's loss (weights null: all 1) and write gradScale times its gradient when grad is given.
   * The crossentropies' row loss sums over K; the element losses' (binary, squared error) too, so the
   * caller divides by R*K for their mean.
   */
  softmaxCrossEntropy(grad: F32 | null, logits: F32, targets: F32, weights: F32 | null, R: number, K: number, gradScale: number): number;
  categoricalCrossEntropy(grad: F32 | null, probs: F32, targets: F32, weights: F32 | null, R: number, K: number, gradScale: number): number;
  sparseSoftmaxCrossEntropy(grad: F32 | null, logits: F32, labels: I32, weights: F32 | null, R: number, K: number, gradScale: number): number;
  sparseCategoricalCrossEntropy(grad: F32 | null, probs: F32, labels: I32, weights: F32 | null, R: number, K: number, gradScale: number): number;
  sigmoidBinaryCrossEntropy(grad: F32 | null, logits: F32, targets: F32, weights: F32 | null, R: number, K: number, gradScale: number): number;
  binaryCrossEntropy(grad: F32 | null, probs: F32, targets: F32, weights: F32 | null, R: number, K: number, gradScale: number): number;
  squaredError(grad: F32 | null, y: F32, targets: F32, weights: F32 | null, R: number, K: number, gradScale: number): number;
  /**
   * Optimizer updates; with consumeGrad the gradient is zeroed as it is read. Each array is one Float32Array,
   * or a list of segments (one per weight array): then every array argument is a list (or null where allowed)
   * of the same count, segment i of one length in all. One call updates all segments.
   */
  sgdUpdate(w: F32s, velocity: F32s | null, g: F32s, lr: number, momentum: number, nesterov: boolean, weightDecay: number, consumeGrad: boolean): void;
  adamUpdate(w: F32s, m: F32s, v: F32s, g: F32s, lr: number, beta1: number, beta2: number, epsilon: number, step: number, weightDecay: number, consumeGrad: boolean): void;
  rmspropUpdate(w: F32s, meanSquare: F32s, momentum: F32s | null, meanGrad: F32s | null, g: F32s, lr: number, rho: number, momentumValue: number, epsilon: number, weightDecay: number, consumeGrad: boolean): void;
  /**
   * LSTM, gates i,f,c,o: kernel [I,4U], recurrent [U,4U], bias [4U]. Fills cache for lstmBackward. Training
   * dropout: inputMask [N,I] (all gates) or [4,N,I] (per gate), recurrentMask [4,N,U], values 0 or 1/(1-rate);
   * with either, cache and scratch are rnnBufferSizes with the dropout.
   */
  lstmForward(out: F32, cache: F32, x: F32, kernel: F32, recurrent: F32, bias: F32 | null, geom: RnnGeometry, inputMask?: F32 | null, recurrentMask?: F32 | null): void;
  /** dkernel, drecurrent, dbias accumulate; dx is overwritten; null ones are not computed; cache and masks from the matching lstmForward. */
  lstmBackward(dx: F32 | null, dkernel: F32 | null, drecurrent: F32 | null, dbias: F32 | null, scratch: F32, dout: F32, cache: F32, kernel: F32, recurrent: F32, geom: RnnGeometry, inputMask?: F32 | null, recurrentMask?: F32 | null): void;
  /** GRU, gates z,r,h: kernel [I,3U], recurrent [U,3U], bias [2,3U] with resetAfter, else [3U]; masks as lstmForward with 3 gates. */
  gruForward(out: F32, cache: F32, x: F32, kernel: F32, recurrent: F32, bias: F32 | null, geom: RnnGeometry, inputMask?: F32 | null, recurrentMask?: F32 | null): void;
  gruBackward(dx: F32 | null, dkernel: F32 | null, drecurrent: F32 | null, dbias: F32 | null, scratch: F32, dout: F32, cache: F32, kernel: F32, recurrent: F32, geom: RnnGeometry, inputMask?: F32 | null, recurrentMask?: F32 | null): void;
  /** Whether conv2dForward/Backward use col scratch for this geometry (not for few input channels, nor 1x1 stride 1). */
  conv2dNeedsCol(geom: Conv2DGeometry | PackedGeometry): boolean;
  /**
   * out[N,OH,OW,OC] = activation(conv(x[N,H,W,C], w[KH,KW,C,OC]) + b), activation 0 (linear) or 1 (relu).
   * col is scratch [colSamples*OH*OW, KH*KW*C] (null when conv2dNeedsCol is false); colSamples samples go
   * through each GEMM.
   */
  conv2dForward(out: F32, col: F32 | null, x: F32, w: F32, b: F32 | null, geom: Conv2DGeometry | PackedGeometry, colSamples: number, activation: number): void;
  /**
   * dy is the gradient at the forward output y (needed with relu, which masks dy in place). dw, db accumulate;
   * dx is overwritten; null ones are not computed; col is scratch as in conv2dForward.
   */
  conv2dBackward(dx: F32 | null, dw: F32 | null, db: F32 | null, dy: F32, x: F32, w: F32, y: F32 | null, col: F32 | null, geom: Conv2DGeometry | PackedGeometry, colSamples: number, activation: number): void;
  /** Whether a convolution and the max pooling over its output run as one kernel (conv2dMaxPoolForward). */
  conv2dMaxPoolFusable(convGeom: Conv2DGeometry | PackedGeometry, poolGeom: Pool2DGeometry | PackedGeometry): boolean;
  /**
   * out[N,PH,PW,OC] = maxPool(activation(conv(x) + b)) without storing the conv output. argmax (Uint8Array of
   * out's length, null for inference) records each max's window cell for conv2dMaxPoolBackward.
   */
  conv2dMaxPoolForward(out: F32, argmax: Uint8Array | null, x: F32, w: F32, b: F32 | null, convGeom: Conv2DGeometry | PackedGeometry, poolGeom: Pool2DGeometry | PackedGeometry, activation: number): void;
  /** From the pooled gradient and the forward argmax: dw, db accumulate; dx is overwritten; null ones are not computed. */
  conv2dMaxPoolBackward(dx: F32 | null, dw: F32 | null, db: F32 | null, dout: F32, argmax: Uint8Array, x: F32, w: F32, convGeom: Conv2DGeometry | PackedGeometry, poolGeom: Pool2DGeometry | PackedGeometry): void;
  /** A window holding a NaN gives NaN, as in TF. */
  maxPool2dForward(out: F32, x: F32, geom: Pool2DGeometry | PackedGeometry): void;
  /** x is the forward input (the window maxima are found again from it: the first maximal cell, or the last NaN); dx is overwritten. */
  maxPool2dBackward(dx: F32, dy: F32, x: F32, geom: Pool2DGeometry | PackedGeometry): void;
  avgPool2dForward(out: F32, x: F32, geom: Pool2DGeometry | PackedGeometry): void;
  avgPool2dBackward(dx: F32, dy: F32, geom: Pool2DGeometry | PackedGeometry): void;
  /** Batch statistics of x[R,C] (channels last): writes out, mean, invStd; updates the moving statistics in place. */
  batchnormForwardTraining(out: F32, mean: F32, invStd: F32, movingMean: F32, movingVariance: F32, x: F32, gamma: F32 | null, beta: F32 | null, R: number, C: number, momentum: number, epsilon: number): void;
  /** Normalises with the moving statistics, saving them as mean / invStd for the backward pass. */
  batchnormForwardInference(out: F32, mean: F32, invStd: F32, x: F32, gamma: F32 | null, beta: F32 | null, movingMean: F32, movingVariance: F32, R: number, C: number, epsilon: number): void;
  /** dgamma, dbeta accumulate; dx overwritten (may be dy); batchStatistics: the forward pass was a training one. */
  batchnormBackward(dx: F32 | null, dgamma: F32 | null, dbeta: F32 | null, dy: F32, x: F32, gamma: F32 | null, mean: F32, invStd: F32, R: number, C: number, batchStatistics: boolean): void;
  /** out = x * mask / (1 - rate) with a 0/1 keep mask; 0 <= rate < 1. */
  dropoutForward(out: F32, x: F32, mask: F32, n: number, rate: number): void;
  /** dx = dy * mask / (1 - rate); dx may be dy. */
  dropoutBackward(dx: F32, dy: F32, mask: F32, n: number, rate: number): void;
  /** out[N,C] = mean over S of x[N,S,C] (S = H*W or T). */
  globalAvgPoolForward(out: F32, x: F32, N: number, S: number, C: number): void;
  globalAvgPoolBackward(dx: F32, dy: F32, N: number, S: number, C: number): void;
  /** out[N,C] = max over S of x[N,S,C]; NaN where a channel holds a NaN, as TF's reduce_max. */
  globalMaxPoolForward(out: F32, x: F32, N: number, S: number, C: number): void;
  /** dx[N,S,C]: each dy goes to the first maximum of its channel (or its last NaN), zeros elsewhere. */
  globalMaxPoolBackward(dx: F32, dy: F32, x: F32, N: number, S: number, C: number): void;
  /** out[N,L,D] = table[idx]; RangeError naming the first index outside [0, V) and its [n, l]. */
  embeddingForward(out: F32, idx: I32, table: F32, N: number, L: number, V: number, D: number): void;
  /** dtable[idx[n,l]] += dout[n,l] (accumulates); same index check, also when dtable is null (a frozen table: nothing else to do). */
  embeddingBackward(dtable: F32 | null, dout: F32, idx: I32, N: number, L: number, V: number, D: number): void;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = require('node-gyp-build') as (dir: string) => unknown;

/**
 * The addon; lib/ and dist/ both sit one level below the package root.
 * BLASNET_NATIVE=/path/to/blasnet.node loads a specific build instead (for
 * comparing builds side by side).
 */
export const native = (process.env.BLASNET_NATIVE
  ? require(path.resolve(process.env.BLASNET_NATIVE))
  : load(path.join(__dirname, '..'))) as Binding;

/** What the native backend computes with: SIMD level, threads, denormal handling, OpenBLAS build. */
export function backendInfo(): BackendInfo {
  return native.backendInfo();
}
