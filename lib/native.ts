// Loads the compiled addon (a local build, else a prebuilt binary) and types it.
// Every export validates its arguments and throws TypeError/RangeError; see
// native/binding/*.cc for the layouts. All are [sync] unless marked.
import * as path from 'path';

type F32 = Float32Array;
type I32 = Int32Array;

export interface Binding {
  sgemm(transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number, A: F32, B: F32, beta: number, C: F32): void;
  denseForward(out: F32, x: F32, w: F32, b: F32 | null, N: number, I: number, U: number): void;
  denseBackward(dx: F32 | null, dw: F32, db: F32 | null, dy: F32, x: F32, w: F32, N: number, I: number, U: number): void;
  activationForward(kind: number, y: F32, x: F32, R: number, K: number): void;
  activationBackward(kind: number, dx: F32, dy: F32, x: F32, y: F32, R: number, K: number): void;
  /** Row losses return the summed loss and write gradScale * gradient when grad is given. */
  softmaxCrossEntropy(grad: F32 | null, logits: F32, targets: F32, R: number, K: number, gradScale: number): number;
  categoricalCrossEntropy(grad: F32 | null, probs: F32, targets: F32, R: number, K: number, gradScale: number): number;
  sparseSoftmaxCrossEntropy(grad: F32 | null, logits: F32, labels: I32, R: number, K: number, gradScale: number): number;
  sparseCategoricalCrossEntropy(grad: F32 | null, probs: F32, labels: I32, R: number, K: number, gradScale: number): number;
  sigmoidBinaryCrossEntropy(grad: F32 | null, logits: F32, targets: F32, n: number, gradScale: number): number;
  binaryCrossEntropy(grad: F32 | null, probs: F32, targets: F32, n: number, gradScale: number): number;
  squaredError(grad: F32 | null, y: F32, targets: F32, n: number, gradScale: number): number;
  sgdUpdate(w: F32, velocity: F32 | null, g: F32, lr: number, momentum: number, nesterov: boolean, weightDecay: number): void;
  adamUpdate(w: F32, m: F32, v: F32, g: F32, lr: number, beta1: number, beta2: number, epsilon: number, step: number, weightDecay: number): void;
  rmspropUpdate(w: F32, meanSquare: F32, momentum: F32 | null, meanGrad: F32 | null, g: F32, lr: number, rho: number, momentumValue: number, epsilon: number, weightDecay: number): void;
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
  /** out[N,C] = max over S of x[N,S,C]. */
  globalMaxPoolForward(out: F32, x: F32, N: number, S: number, C: number): void;
  /** dx[N,S,C]: each dy goes to the first maximum of its channel, zeros elsewhere. */
  globalMaxPoolBackward(dx: F32, dy: F32, x: F32, N: number, S: number, C: number): void;
  /** out[N,L,D] = table[idx]; RangeError naming the first index outside [0, V) and its [n, l]. */
  embeddingForward(out: F32, idx: I32, table: F32, N: number, L: number, V: number, D: number): void;
  /** dtable[idx[n,l]] += dout[n,l] (accumulates); same index check. */
  embeddingBackward(dtable: F32, dout: F32, idx: I32, N: number, L: number, V: number, D: number): void;
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
