// Sample weights and class weights as Keras 3 takes them, turned into what the losses and
// weighted metrics read: one weight per loss position of each output (a sample, or a
// sample-timestep), as a [N, positions per sample] tensor that batches slice with the samples.
// Keras: trainers/data_adapters/array_data_adapter.py (structure, refusals),
// data_adapter_utils.class_weight_to_sample_weights, losses/loss.py squeeze_or_expand_to_same_rank.
import { ShapeError, ValueError, formatShape, formatValue } from '../errors';
import { Shape, Tensor, TensorLike, sizeOf, toTensor } from '../tensor';

/** Sample weights: one array for every output, or per output a list in output order or an object keyed by output name. */
export type SampleWeightData = TensorLike | (TensorLike | null)[] | Record<string, TensorLike | null>;

/** Class weights: `{classIndex: weight}`; classes left out weigh 1, as in Keras. */
export type ClassWeight = Record<string | number, number>;

/** An output as the weights see it: its name and per-sample shape. */
export interface WeightedOutput {
  readonly name: string;
  readonly shape: Shape;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** A list of per-output entries (tensors, arrays or null), as y of several outputs; a list of numbers is one array. */
const isEntryList = (v: unknown): v is unknown[] =>
  Array.isArray(v) && v.every((e) => e === null || e instanceof Tensor || ArrayBuffer.isView(e) || Array.isArray(e));

/** Per output, its weights as [N, positions per sample] float32 (null: unweighted); N is the number of samples of x. */
export function sampleWeights(data: SampleWeightData, outputs: readonly WeightedOutput[], N: number, where: string): (Tensor | null)[] {
  const names = outputs.map((o) => o.name);
  let entries: (TensorLike | null)[];
  if (outputs.length > 1 && isPlainObject(data)) {
    for (const k of Object.keys(data)) {
      if (!names.includes(k)) throw new ValueError(`${where}: sampleWeight names output '${k}', but the outputs are ${names.join(', ')}`);
    }
    entries = names.map((n) => {
      if (!(n in data)) throw new ValueError(`${where}: sampleWeight has no entry for output '${n}'; give one array per output (null for an unweighted output), as Keras`);
      return (data as Record<string, TensorLike | null>)[n];
    });
  } else if (outputs.length > 1 && isEntryList(data)) {
    if (data.length !== outputs.length) {
      throw new ValueError(`${where}: sampleWeight has ${data.length} arrays but the model has ${outputs.length} outputs (${names.join(', ')}); give one per output, or one array of shape [N] for all`);
    }
    entries = data as (TensorLike | null)[];
  } else {
    const one = toTensor(data as TensorLike, `${where}: sampleWeight`);
    if (outputs.length > 1 && !(one.rank === 1 || (one.rank === 2 && one.shape[1] === 1))) {
      // Keras's message: a single array is replicated on every output only when samplewise.
      throw new ValueError(`${where}: for a model with several outputs, a single sampleWeight array must hold one weight per sample (shape [N]), got ${formatShape(one.shape)}; for non-scalar weights give one array per output`);
    }
    entries = outputs.map(() => one);
  }
  return entries.map((e, k) => {
    if (e === null || e === undefined) return null;
    const label = outputs.length > 1 ? `sampleWeight for output '${names[k]}'` : 'sampleWeight';
    return positionWeights(toTensor(e, `${where}: ${label}`), outputs[k].shape, N, `${where}: ${label}`);
  });
}

/**
 * One weight per loss position: Keras's loss values have the output's shape without its last
 * axis, [N, ...S]; the weights are matched to them as squeeze_or_expand_to_same_rank does (a
 * trailing 1 dropped, [N] with [N, 1]) and then broadcast, so axes of 1 spread over S.
 */
function positionWeights(w: Tensor, outputShape: Shape, N: number, what: string): Tensor {
  const S = outputShape.slice(0, -1);
  const lossShape = [N, ...S];
  let shape = [...w.shape];
  if (shape.length === 0 || shape[0] !== N) {
    throw new ShapeError(`${what} has ${shape.length ? shape[0] : 'no'} samples (shape ${formatShape(shape)}) but x has ${N}`);
  }
  if (shape.length === lossShape.length + 1 && shape[shape.length - 1] === 1) shape = shape.slice(0, -1);
  else if (shape.length + 1 === lossShape.length && lossShape[lossShape.length - 1] === 1 && shape.length === 1) shape = [N, 1];
  const fits = shape.length === lossShape.length && shape.every((d, i) => d === lossShape[i] || d === 1);
  if (!fits) {
    const expected = S.length === 0 ? `[${N}] (one weight per sample)` : `${formatShape(lossShape)} (one weight per sample and ${S.length === 1 ? 'timestep' : 'position'}, or 1 on an axis to share it)`;
    throw new ShapeError(`${what} has shape ${formatShape(w.shape)}, expected ${expected}: the output has shape ${formatShape([null, ...outputShape])}`);
  }
  const data = w.data;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new ValueError(`${what} holds ${data[i]} at flat index ${i}; every weight must be a finite number`);
  }
  const out = new Float32Array(sizeOf(lossShape));
  if (sameShape(shape, lossShape)) out.set(data);
  else broadcastInto(out, data, shape, lossShape);
  return new Tensor(out, [N, out.length / N]);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Copies `data` of `shape` into `out` of `full`, spreading axes of 1 (numpy broadcasting at equal rank). */
function broadcastInto(out: Float32Array, data: ArrayLike<number>, shape: readonly number[], full: readonly number[]): void {
  const rank = full.length;
  const strides = new Array<number>(rank);
  for (let a = rank - 1, s = 1; a >= 0; a--) {
    strides[a] = shape[a] === 1 ? 0 : s;
    s *= shape[a];
  }
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < out.length; i++) {
    let src = 0;
    for (let a = 0; a < rank; a++) src += idx[a] * strides[a];
    out[i] = data[src];
    for (let a = rank - 1; a >= 0 && ++idx[a] === full[a]; a--) idx[a] = 0;
  }
}

/**
 * Keras's class_weight_to_sample_weights: each sample's class is the argmax of its target row
 * (one-hot or probabilities) or its rounded label, and weighs class_weight[class] (1 when
 * absent). `y` is the raw targets of the model's single output.
 */
export function classWeights(classWeight: unknown, y: Tensor, output: WeightedOutput, outputs: number, where: string): Tensor {
  if (outputs > 1) throw new ValueError(`${where}: classWeight is only supported for models with a single output (as in Keras); give sampleWeight per output instead`);
  if (!isPlainObject(classWeight)) throw new ValueError(`${where}: classWeight must be an object {classIndex: weight}, e.g. {0: 1, 1: 5}, got ${formatValue(classWeight)}`);
  const units = output.shape[output.shape.length - 1];
  // A single sigmoid unit has classes 0 and 1.
  const classes = Math.max(units, 2);
  const table = new Float64Array(classes).fill(1);
  for (const [key, value] of Object.entries(classWeight)) {
    const c = Number(key);
    // Only the canonical spelling, so that '01' or '1.0' cannot stand for (or overwrite) class 1.
    if (!/^(0|[1-9]\d*)$/.test(key) || c >= classes) {
      if (key.trim() !== '' && Number.isInteger(c) && c >= 0 && c < classes) {
        throw new ValueError(`${where}: classWeight key '${key}' spells class ${c} otherwise; write it as ${c}, so that no two keys name one class`);
      }
      throw new ValueError(`${where}: classWeight key '${key}' is not a class index in [0, ${classes}) of output '${output.name}' (${units} unit${units === 1 ? '' : 's'})`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValueError(`${where}: classWeight for class ${key} must be a finite number, got ${formatValue(value)}`);
    table[c] = value;
  }
  const N = y.shape[0];
  const perSample = y.size / N;
  const rowwise = y.rank === 1 || (y.rank === 2 && (y.shape[1] === 1 || y.shape[1] === units));
  if (!rowwise) {
    throw new ValueError(`${where}: classWeight needs one class per sample: targets of shape [N], [N, 1] or [N, ${units}], got ${formatShape(y.shape)} (for sequences give sampleWeight per timestep)`);
  }
  const out = new Float32Array(N);
  for (let n = 0; n < N; n++) {
    let c: number;
    if (perSample > 1) {
      c = 0;
      for (let k = 1; k < perSample; k++) if (y.data[n * perSample + k] > y.data[n * perSample + c]) c = k;
    } else {
      // numpy rounds half to even.
      const v = y.data[n], r = Math.round(v);
      c = Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : r;
    }
    out[n] = c >= 0 && c < classes ? table[c] : 1;
  }
  return new Tensor(out, [N]);
}
