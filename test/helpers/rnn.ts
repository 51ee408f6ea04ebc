// Gradient checks shared by the LSTM and GRU kernel tests: the backward pass
// against central differences of sum(out * r) for x, kernel, recurrent and bias.
import type { Test } from 'tap';
import { Activation } from '../../lib/activations';
import { RnnGeometry, native } from '../../lib/native';
import { rnnBufferSizes } from '../../lib/layers/recurrent';
import { checkGradient, randomArray, sameBits, weightedSum } from './gradcheck';

export interface RnnCase {
  cell: 'lstm' | 'gru';
  N: number; T: number; I: number; U: number;
  returnSequences: boolean; goBackwards: boolean;
  activation?: string; recurrentActivation?: string;
  resetAfter?: boolean; useBias?: boolean;
  /** Fixed dropout masks given to the kernels: input masks 0 (none), 1 or one per gate; recurrent masks or not. */
  inputMasks?: number; recurrentMasks?: boolean;
  /** [N*T] by input timestep: 0 skips that step (Keras's mask). */
  mask?: number[];
}

export function geometry(c: RnnCase): RnnGeometry {
  return {
    N: c.N, T: c.T, I: c.I, U: c.U,
    activation: new Activation(c.activation ?? 'tanh', 'test').id,
    recurrentActivation: new Activation(c.recurrentActivation ?? 'sigmoid', 'test').id,
    goBackwards: c.goBackwards, returnSequences: c.returnSequences, resetAfter: c.resetAfter ?? true,
  };
}

export function caseName(c: RnnCase): string {
  return `${c.cell} N=${c.N} T=${c.T} I=${c.I} U=${c.U} seq=${c.returnSequences} back=${c.goBackwards}` +
    (c.cell === 'gru' ? ` resetAfter=${c.resetAfter ?? true}` : '') +
    (c.activation ? ` act=${c.activation}/${c.recurrentActivation}` : '') + (c.useBias === false ? ' noBias' : '') +
    (c.inputMasks ? ` inputMasks=${c.inputMasks}` : '') + (c.recurrentMasks ? ' recurrentMasks' : '') +
    (c.mask ? ` mask=${c.mask.join('')}` : '');
}

/** Dropout masks of rate `rate` ([count, N, K]): about that fraction 0, the rest 1/(1-rate). */
export function dropoutMask(count: number, N: number, K: number, seed: number, rate = 0.3): Float32Array {
  const u = randomArray(count * N * K, seed, 0, 1);
  const scale = Math.fround(1 / Math.fround(1 - rate));
  return u.map((v) => (v >= rate ? scale : 0));
}

/** Weights and buffers for one case; `scale` shrinks the weights (keeps hard_sigmoid off its kinks). */
export function rnnSetup(c: RnnCase, seed: number, scale = 1) {
  const g = geometry(c);
  const gates = c.cell === 'lstm' ? 4 : 3;
  const G = gates * c.U;
  const biasLength = c.cell === 'lstm' ? G : (c.resetAfter ?? true) ? 2 * G : G;
  const x = randomArray(c.N * c.T * c.I, seed);
  const kernel = randomArray(c.I * G, seed + 1, -scale, scale);
  const recurrent = randomArray(c.U * G, seed + 2, -scale, scale);
  const bias = c.useBias === false ? null : randomArray(biasLength, seed + 3, -scale, scale);
  const outLength = c.returnSequences ? c.N * c.T * c.U : c.N * c.U;
  const inputMask = c.inputMasks ? dropoutMask(c.inputMasks, c.N, c.I, seed + 5) : null;
  const recurrentMask = c.recurrentMasks ? dropoutMask(gates, c.N, c.U, seed + 6) : null;
  const stepMask = c.mask ? Uint8Array.from(c.mask) : null;
  // The optional trailing arguments, null for none: dropout's two, then the timestep mask.
  const masks = [inputMask, recurrentMask, stepMask] as const;
  const sizes = rnnBufferSizes(c.cell, g, { inputMasks: c.inputMasks ?? 0, recurrent: c.recurrentMasks ?? false });
  const out = new Float32Array(outLength);
  const cache = new Float32Array(sizes.cache);
  const scratch = new Float32Array(sizes.scratch);
  const forwardFn = c.cell === 'lstm' ? native.lstmForward : native.gruForward;
  const backwardFn = c.cell === 'lstm' ? native.lstmBackward : native.gruBackward;
  const forward = (): Float32Array => {
    forwardFn(out, cache, x, kernel, recurrent, bias, g, ...masks);
    return out;
  };
  const grads = {
    dx: new Float32Array(x.length), dkernel: new Float32Array(kernel.length),
    drecurrent: new Float32Array(recurrent.length), dbias: bias ? new Float32Array(bias.length) : null,
  };
  const backward = (dout: Float32Array): void => {
    backwardFn(grads.dx, grads.dkernel, grads.drecurrent, grads.dbias, scratch, dout, cache, kernel, recurrent, g, ...masks);
  };
  return { g, x, kernel, recurrent, bias, out, cache, scratch, forward, backward, backwardFn, grads, masks };
}

/**
 * Checks that a backward pass without some weight gradients (a frozen layer, an explanation)
 * computes the others with the same bits: dx with none, each weight gradient alone. The
 * recurrence still needs its gate gradients to carry dx back through time.
 */
export function checkNullWeightGrads(t: Test, c: RnnCase, seed: number): void {
  const s = rnnSetup(c, seed);
  s.forward();
  const r = randomArray(s.out.length, seed + 4);
  s.backward(r);
  const { dx, dkernel, drecurrent, dbias } = s.grads;
  const run = (want: { dx?: boolean; dkernel?: boolean; drecurrent?: boolean; dbias?: boolean }) => {
    const fresh = (on: boolean | undefined, like: Float32Array | null) => (on && like ? new Float32Array(like.length) : null);
    const got = { dx: fresh(want.dx, dx), dkernel: fresh(want.dkernel, dkernel), drecurrent: fresh(want.drecurrent, drecurrent), dbias: fresh(want.dbias, dbias) };
    s.scratch.fill(NaN); // scratch's content on entry is ignored
    s.backwardFn(got.dx, got.dkernel, got.drecurrent, got.dbias, s.scratch, r, s.cache, s.kernel, s.recurrent, s.g, ...s.masks);
    return got;
  };
  t.ok(sameBits(run({ dx: true }).dx!, dx), `${caseName(c)}: dx without weight gradients has the same bits`);
  t.ok(sameBits(run({ dkernel: true }).dkernel!, dkernel), 'dkernel alone has the same bits');
  t.ok(sameBits(run({ drecurrent: true }).drecurrent!, drecurrent), 'drecurrent alone has the same bits');
  if (dbias) t.ok(sameBits(run({ dbias: true }).dbias!, dbias), 'dbias alone has the same bits');
  t.doesNotThrow(() => run({}), 'nothing wanted: accepted');
}

/** Runs the four gradient checks of one case as subtests' asserts. */
export function rnnGradCheck(t: Test, c: RnnCase, seed: number, opts: { scale?: number; tolerance?: number } = {}): void {
  const s = rnnSetup(c, seed, opts.scale);
  const r = randomArray(s.out.length, seed + 4);
  const objective = (): number => weightedSum(s.forward(), r);
  objective();
  s.backward(r);
  const checks: [string, Float32Array, Float32Array][] = [
    ['x', s.x, s.grads.dx], ['kernel', s.kernel, s.grads.dkernel], ['recurrent', s.recurrent, s.grads.drecurrent],
  ];
  if (s.bias) checks.push(['bias', s.bias, s.grads.dbias!]);
  for (const [name, input, grad] of checks) {
    const res = checkGradient(input, grad, objective);
    t.ok(res.maxRelError < (opts.tolerance ?? 2e-3), `d${name}: max rel error ${res.maxRelError.toExponential(2)} over ${res.checked} points`, res.worst ?? {});
  }
}
