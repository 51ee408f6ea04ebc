// Shared by the loss and metric tests: reading the Keras fixtures (tools/goldens/losses_keras.py)
// and building the loss or metric a fixture names.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Loss, getLoss, losses } from '../../lib/losses';
import { Metric, getMetric, metrics } from '../../lib/metrics';
import { Tensor } from '../../lib/tensor';

const dir = join(__dirname, '..', 'fixtures', 'losses');

export interface Spec {
  name?: string;
  factory?: string;
  args?: Record<string, unknown>;
}

export interface LossCase {
  id: string;
  keras: string;
  bn: Spec;
  fused: 'softmax' | 'sigmoid' | null;
  y_true_shape: number[];
  y_true: number[];
  y_pred_shape: number[];
  y_pred: number[];
  loss: number;
  grad: number[];
}

export interface Batch {
  y_true_shape: number[];
  y_true: number[];
  y_pred_shape: number[];
  y_pred: number[];
}

export interface MetricCase {
  id: string;
  keras: string;
  bn: Spec & { function?: string };
  targets: 'dense' | 'sparse';
  batches: Batch[];
  results: number[];
}

export const lossFixture = JSON.parse(readFileSync(join(dir, 'losses.json'), 'utf8')) as { cases: LossCase[] };
export const metricFixture = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as {
  cases: MetricCase[];
  function_metrics: MetricCase[];
  evaluate: { x: number[]; y: number[]; batch_size: number; logs: Record<string, number> };
};

type Factory = (args?: Record<string, unknown>) => unknown;

export function makeLoss(spec: Spec): Loss {
  if (spec.name) return getLoss(spec.name);
  return (losses as unknown as Record<string, Factory>)[spec.factory!](spec.args) as Loss;
}

/** The loss a metric fixture's targets go with: class labels for sparse, one value per output otherwise. */
export const lossFor = (targets: 'dense' | 'sparse'): Loss => getLoss(targets === 'sparse' ? 'sparseCategoricalCrossentropy' : 'mse');

export function makeMetric(spec: Spec, targets: 'dense' | 'sparse'): Metric {
  const id = spec.name ?? (metrics as unknown as Record<string, Factory>)[spec.factory!](spec.args) as Metric;
  return getMetric(id, lossFor(targets));
}

export const f32 = (values: number[], shape: number[]): Tensor => new Tensor(Float32Array.from(values), shape);

/** Targets as a loss takes them: prepared against the per-sample output shape. */
export function targets(loss: Loss, values: number[], shape: number[], outputShape: number[]): Tensor {
  return loss.prepareTargets(f32(values, shape), outputShape.slice(1), 'test');
}

/** |a - b| relative to the larger magnitude (absolute below `floor`). */
export function relError(a: number, b: number, floor = 1e-30): number {
  const d = Math.abs(a - b);
  return d === 0 ? 0 : d / Math.max(Math.abs(a), Math.abs(b), floor);
}

/** The largest relative error over two arrays, and where. */
export function worst(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-30): { error: number; index: number } {
  let error = 0, index = -1;
  for (let i = 0; i < a.length; i++) {
    const e = relError(a[i], b[i], floor);
    if (e > error || Number.isNaN(e)) [error, index] = [e, i];
  }
  return { error, index };
}
