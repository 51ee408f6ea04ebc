import { ValueError, formatValue } from '../errors';
import { Tensor, sizeOf } from '../tensor';

/** A positive integer option, or its default; names the option and the caller when wrong. */
export function positiveInt(value: unknown, fallback: number, name: string, where: string): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || (v as number) < 1) throw new ValueError(`${where}: ${name} must be a positive integer, got ${formatValue(value)}`);
  return v as number;
}

/** Copies rows order[start..end) of t into a batch tensor (reusing `into` when it fits). */
export function gatherRows(t: Tensor, order: Int32Array, start: number, end: number, into: Tensor | null): Tensor {
  const rowSize = t.size / t.shape[0];
  const shape = [end - start, ...t.shape.slice(1)];
  const out = into && into.size === sizeOf(shape) && into.dtype === t.dtype ? new Tensor(into.data, shape)
    : new Tensor(t.dtype === 'int32' ? new Int32Array(sizeOf(shape)) : new Float32Array(sizeOf(shape)), shape);
  for (let i = start; i < end; i++) {
    const src = order[i] * rowSize;
    out.data.set(t.data.subarray(src, src + rowSize), (i - start) * rowSize);
  }
  return out;
}

/** Rows [start, end) of t, as a view. */
export function sliceRows(t: Tensor, start: number, end: number): Tensor {
  if (start === 0 && end === t.shape[0]) return t;
  const rowSize = t.size / t.shape[0];
  return new Tensor(t.data.subarray(start * rowSize, end * rowSize), [end - start, ...t.shape.slice(1)]);
}

/**
 * Inputs and prepared targets of a dataset, one tensor per model input and output, all with the
 * same rows; with sample weights, per output its weights per loss position (null: unweighted).
 */
export interface Batches {
  xs: Tensor[];
  ys: Tensor[];
  sw: (Tensor | null)[] | null;
}

export function sliceBatches(data: Batches, start: number, end: number): Batches {
  return {
    xs: data.xs.map((t) => sliceRows(t, start, end)),
    ys: data.ys.map((t) => sliceRows(t, start, end)),
    sw: data.sw && data.sw.map((t) => t && sliceRows(t, start, end)),
  };
}

/**
 * Logged values over an epoch: losses as sample-weighted running means (Keras's loss tracker),
 * metrics as their latest result (the metrics keep their own running state, as Keras's do).
 * The means are float32 as Keras's Mean (reduction_metrics.py: float32 total and count,
 * total += value * batch size, result total / count), so a sum beyond float32 is Infinity.
 */
export class Totals {
  private readonly sums: number[];
  private readonly latest: number[];
  private count = 0;

  constructor(private readonly names: readonly string[], private readonly streamed: readonly boolean[] = []) {
    this.sums = new Array<number>(names.length).fill(0);
    this.latest = new Array<number>(names.length).fill(NaN);
  }

  add(values: readonly number[], samples: number): void {
    values.forEach((v, i) => {
      this.sums[i] = Math.fround(this.sums[i] + Math.fround(v * samples));
      this.latest[i] = v;
    });
    this.count += samples;
  }

  means(): Record<string, number> {
    const logs: Record<string, number> = {};
    this.names.forEach((name, i) => (logs[name] = this.streamed[i] ? this.latest[i] : Math.fround(this.sums[i] / Math.fround(this.count))));
    return logs;
  }
}

export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
