import { ValueError } from './errors';
import { Loss } from './losses';
import { lookup } from './names';
import { Tensor } from './tensor';

/**
 * A metric counts hits over a batch; the model averages them over an epoch.
 * `fromLogits` says the predictions are pre-activation values.
 */
export interface Metric {
  /** The key in History and logs, e.g. 'accuracy'. */
  readonly name: string;
  /** Returns [sum of per-row values, number of rows]. */
  update(pred: Tensor, targets: Tensor, fromLogits: boolean): [number, number];
}

function argmax(data: ArrayLike<number>, offset: number, K: number): number {
  let best = offset;
  for (let k = offset + 1; k < offset + K; k++) if (data[k] > data[best]) best = k;
  return best - offset;
}

/** Hits where the argmax of a prediction row is the row's true class, `trueClass(targets, r, K)`. */
function argmaxAccuracy(name: string, trueClass: (targets: Tensor, row: number, K: number) => number): Metric {
  return {
    name,
    update(pred, targets) {
      const K = pred.shape[pred.shape.length - 1], R = pred.size / K;
      let hits = 0;
      for (let r = 0; r < R; r++) if (argmax(pred.data, r * K, K) === trueClass(targets, r, K)) hits++;
      return [hits, R];
    },
  };
}

/** One-hot (or probability) targets: the true class is their argmax. */
const categoricalAccuracy = (name: string): Metric => argmaxAccuracy(name, (targets, r, K) => argmax(targets.data, r * K, K));

/** Integer class labels, one per row. */
const sparseCategoricalAccuracy = (name: string): Metric => argmaxAccuracy(name, (targets, r) => targets.data[r]);

function binaryAccuracy(name: string): Metric {
  return {
    name,
    update(pred, targets, fromLogits) {
      // p > 0.5 exactly when the logit is > 0.
      const threshold = fromLogits ? 0 : 0.5;
      let hits = 0;
      for (let i = 0; i < pred.size; i++) if ((pred.data[i] > threshold ? 1 : 0) === (targets.data[i] > 0.5 ? 1 : 0)) hits++;
      return [hits, pred.size];
    },
  };
}

/**
 * Resolves a metric name. 'accuracy' means what it means in Keras for the loss:
 * binary accuracy for binary cross-entropy or one output, sparse categorical accuracy
 * for sparse labels, categorical accuracy otherwise.
 */
export function getMetric(name: string, loss: Loss, outputUnits: number): Metric {
  if (typeof name !== 'string') throw new ValueError(`compile: metrics must be names such as 'accuracy', got ${JSON.stringify(name)}`);
  const table: Record<string, () => Metric> = {
    accuracy: () => accuracyFor(name, loss, outputUnits),
    acc: () => accuracyFor(name, loss, outputUnits),
    categoricalaccuracy: () => categoricalAccuracy(name),
    sparsecategoricalaccuracy: () => sparseCategoricalAccuracy(name),
    binaryaccuracy: () => binaryAccuracy(name),
  };
  return lookup(table, name, 'metric', (m) => new ValueError(`compile: ${m}`))();
}

function accuracyFor(name: string, loss: Loss, outputUnits: number): Metric {
  if (loss.name === 'binary_crossentropy' || outputUnits === 1) return binaryAccuracy(name);
  if (loss.sparse) return sparseCategoricalAccuracy(name);
  return categoricalAccuracy(name);
}
