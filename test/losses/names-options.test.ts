import t from 'tap';
import { ValueError } from '../../lib/errors';
import { Loss, getLoss, losses } from '../../lib/losses';
import { getMetric, metrics } from '../../lib/metrics';
import { Tensor } from '../../lib/tensor';

// Loss and metric names (Keras 3 functions, classes and aliases, TF.js camelCase), the loss and
// metric objects' options, and the names metrics are logged under.

t.test('every loss by its Keras and TF.js names', async (t) => {
  const names: Record<string, string[]> = {
    mean_absolute_error: ['mae', 'MAE', 'meanAbsoluteError', 'mean_absolute_error', 'MeanAbsoluteError'],
    mean_absolute_percentage_error: ['mape', 'MAPE', 'meanAbsolutePercentageError', 'mean_absolute_percentage_error'],
    mean_squared_logarithmic_error: ['msle', 'MSLE', 'meanSquaredLogarithmicError', 'mean_squared_logarithmic_error'],
    mean_squared_error: ['mse', 'MSE', 'meanSquaredError', 'mean_squared_error'],
    huber: ['huber', 'Huber', 'huber_loss'],
    log_cosh: ['logcosh', 'log_cosh', 'LogCosh', 'logCosh'],
    kl_divergence: ['kld', 'KLD', 'kl_divergence', 'KLDivergence', 'kullbackLeiblerDivergence', 'kullback_leibler_divergence'],
    poisson: ['poisson', 'Poisson'],
    hinge: ['hinge', 'Hinge'],
    squared_hinge: ['squaredHinge', 'squared_hinge', 'SquaredHinge'],
    categorical_hinge: ['categoricalHinge', 'categorical_hinge'],
    cosine_similarity: ['cosineSimilarity', 'cosine_similarity', 'CosineSimilarity', 'cosineProximity'],
    binary_crossentropy: ['binaryCrossentropy', 'binary_crossentropy', 'bce', 'BCE'],
    categorical_crossentropy: ['categoricalCrossentropy', 'categorical_crossentropy', 'CategoricalCrossentropy'],
    sparse_categorical_crossentropy: ['sparseCategoricalCrossentropy', 'sparse_categorical_crossentropy'],
  };
  for (const [kerasName, spellings] of Object.entries(names)) {
    for (const s of spellings) t.equal(getLoss(s).name, kerasName, `'${s}' is ${kerasName}`);
  }
  t.throws(() => getLoss('meanAbsoluteErr'), /Unknown loss 'meanAbsoluteErr'/);
  const object = losses.huber({ delta: 2 });
  t.equal(getLoss(object), object, 'a loss object passes through');
});

t.test('loss objects: options, Keras spellings, refusals', async (t) => {
  t.same(losses.categoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }).keras,
    { className: 'CategoricalCrossentropy', config: { name: 'categorical_crossentropy', reduction: 'sum_over_batch_size', from_logits: true, label_smoothing: 0.1, axis: -1 } });
  const snake = losses.binaryCrossentropy({ from_logits: true, label_smoothing: 0.2 });
  t.match(snake.keras!.config, { from_logits: true, label_smoothing: 0.2 }, 'snake_case options');
  t.equal(snake.fusesWith, null, 'fromLogits: the output is logits, nothing to fuse');
  t.equal(losses.binaryCrossentropy().fusesWith, 'sigmoid');
  t.equal(losses.categoricalCrossentropy({ labelSmoothing: 0.1 }).fusesWith, 'softmax', 'smoothing still fuses a final softmax');
  t.equal(losses.sparseCategoricalCrossentropy({ fromLogits: true }).fusesWith, null);
  t.equal(losses.huber().keras!.config.delta, 1, 'huber delta defaults to 1');
  t.equal(losses.huber().name, 'huber_loss', "Keras's Huber object is named huber_loss");
  // Keras's defaults are accepted, so saved configs load.
  t.doesNotThrow(() => losses.categoricalCrossentropy({ axis: -1, reduction: 'sum_over_batch_size', name: 'categorical_crossentropy' } as never));
  t.doesNotThrow(() => losses.meanAbsoluteError({ reduction: 'sum_over_batch_size' }));
  const refusals: [() => unknown, RegExp][] = [
    [() => losses.huber({ delte: 1 } as never), /losses\.huber: unknown option 'delte' — did you mean 'delta'\?/],
    [() => losses.categoricalCrossentropy({ fromLogit: true } as never), /unknown option 'fromLogit' — did you mean 'fromLogits'\?/],
    [() => losses.categoricalCrossentropy({ label_smothing: 0.1 } as never), /unknown option 'label_smothing' — did you mean 'label_smoothing'\?/],
    [() => losses.sparseCategoricalCrossentropy({ labelSmoothing: 0.1 } as never), /unknown option 'labelSmoothing'/],
    [() => losses.sparseCategoricalCrossentropy({ ignoreClass: 3 } as never), /option 'ignoreClass' is not supported/],
    [() => losses.binaryCrossentropy({ reduction: 'sum' } as never), /option 'reduction' is not supported by blasnet yet \(got "sum"\)/],
    [() => losses.categoricalCrossentropy({ axis: 1 } as never), /option 'axis' is not supported/],
    [() => losses.poisson({ foo: 1 }), /losses\.poisson: unknown option 'foo'/],
    [() => losses.huber({ delta: 0 }), /delta must be a finite number > 0, got 0/],
    [() => losses.huber({ delta: '1' } as never), /delta must be a finite number > 0, got "1"/],
    [() => losses.binaryCrossentropy({ labelSmoothing: 1.5 }), /labelSmoothing must be a number in \[0, 1\], got 1\.5/],
    [() => losses.categoricalCrossentropy({ fromLogits: 1 } as never), /fromLogits must be true or false, got 1/],
  ];
  for (const [f, re] of refusals) {
    try {
      f();
      t.fail(`expected ${re}`);
    } catch (e) {
      t.match((e as Error).message, re);
    }
  }
  t.throws(() => losses.huber({ delte: 1 } as never), ValueError);
});

t.test('label smoothing is applied to the targets as Keras applies it', async (t) => {
  // Categorical: t (1 - s) + s / K, so a one-hot row [1, 0, 0, 0] with s = 0.2 becomes [0.85, 0.05, 0.05, 0.05].
  const z = new Tensor(Float32Array.from([0.3, -1, 2, 0.5]), [1, 4]);
  const y = new Tensor(Float32Array.from([1, 0, 0, 0]), [1, 4]);
  const soft = new Tensor(Float32Array.from([0.85, 0.05, 0.05, 0.05]), [1, 4]);
  const a = losses.categoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.2 }).compute(z, y, null, false);
  const b = losses.categoricalCrossentropy({ fromLogits: true }).compute(z, soft, null, false);
  t.ok(Math.abs(a - b) < 1e-6, `${a} vs ${b}`);
  // Binary: t (1 - s) + s / 2.
  const zb = new Tensor(Float32Array.from([0.3, -1]), [1, 2]);
  const yb = new Tensor(Float32Array.from([1, 0]), [1, 2]);
  const c = losses.binaryCrossentropy({ fromLogits: true, labelSmoothing: 0.2 }).compute(zb, yb, null, false);
  const d = losses.binaryCrossentropy({ fromLogits: true }).compute(zb, new Tensor(Float32Array.from([0.9, 0.1]), [1, 2]), null, false);
  t.ok(Math.abs(c - d) < 1e-6, `${c} vs ${d}`);
});

t.test('metrics: names, logged names, objects and refusals', async (t) => {
  const dense: Loss = getLoss('mse'), sparse = getLoss('sparseCategoricalCrossentropy');
  // A name is logged as given (Keras 3: metric_obj.name = identifier).
  for (const n of ['mae', 'MAE', 'mean_absolute_error', 'meanAbsoluteError', 'mse', 'rmse', 'root_mean_squared_error', 'mape', 'msle',
    'precision', 'recall', 'auc', 'AUC', 'topKCategoricalAccuracy', 'top_k_categorical_accuracy', 'binary_accuracy',
    'kld', 'poisson', 'logcosh', 'hinge', 'squared_hinge', 'categorical_hinge', 'cosine_similarity', 'binary_crossentropy',
    'categorical_crossentropy', 'accuracy', 'acc']) {
    t.equal(getMetric(n, dense).name, n, `'${n}' is logged as '${n}'`);
  }
  for (const n of ['sparseTopKCategoricalAccuracy', 'sparse_top_k_categorical_accuracy', 'sparse_categorical_crossentropy', 'sparse_categorical_accuracy']) {
    t.equal(getMetric(n, sparse).name, n);
  }
  // Objects are named as Keras names its metric classes by default.
  const defaults: [string, { name: string }][] = [
    ['auc', metrics.auc()], ['precision', metrics.precision()], ['recall', metrics.recall()],
    ['top_k_categorical_accuracy', metrics.topKCategoricalAccuracy()], ['sparse_top_k_categorical_accuracy', metrics.sparseTopKCategoricalAccuracy()],
    ['root_mean_squared_error', metrics.rootMeanSquaredError()], ['mean_absolute_error', metrics.meanAbsoluteError()],
    ['binary_accuracy', metrics.binaryAccuracy()], ['logcosh', metrics.logCoshError()],
  ];
  for (const [name, m] of defaults) t.equal(m.name, name);
  t.equal(metrics.precision({ name: 'p_at_03', thresholds: 0.3 }).name, 'p_at_03');
  t.equal(getMetric(metrics.auc({ name: 'pr_auc', curve: 'PR' }), dense).name, 'pr_auc');
  function f1(_yTrue: Tensor, _yPred: Tensor): number {
    return 0;
  }
  t.equal(getMetric(f1, dense).name, 'f1', "a function is logged under its own name");
  const named = (_yTrue: Tensor, _yPred: Tensor): number => 0;
  t.equal(getMetric(named, dense).name, 'named');
  t.throws(() => getMetric((() => (_a: Tensor, _b: Tensor) => 0)(), dense), /a metric function needs a name/);

  const refusals: [() => unknown, RegExp][] = [
    [() => getMetric('maee', dense), /Unknown metric 'maee'/],
    [() => getMetric('mae', sparse), /metric 'mae' needs one target per output, but the loss sparse_categorical_crossentropy takes integer class labels/],
    [() => getMetric('sparseTopKCategoricalAccuracy', dense), /needs integer class labels, but the loss mean_squared_error takes one target per output/],
    [() => getMetric(metrics.precision(), sparse), /metric 'precision' needs one target per output/],
    [() => getMetric(42 as never, dense), /metrics must be names such as 'accuracy'/],
    [() => metrics.auc({ curve: 'ROCK' as never }), /metrics\.auc: curve must be 'ROC' or 'PR', got "ROCK"/],
    [() => metrics.auc({ numThreshold: 20 } as never), /unknown option 'numThreshold' — did you mean 'numThresholds'\?/],
    [() => metrics.auc({ numThresholds: 1 }), /numThresholds must be an integer >= 2, got 1/],
    [() => metrics.auc({ numLabels: 3 }), /metrics\.auc: numLabels is needed only when multiLabel is true/],
    [() => metrics.auc({ multiLabel: 'yes' as never }), /multiLabel must be true or false, got "yes"/],
    [() => metrics.auc({ thresholds: [0.2, NaN] }), /thresholds must be a list of finite numbers, got \[0\.2,NaN\]/],
    [() => metrics.auc({ labelWeights: 2 as never }), /labelWeights must be a list of finite numbers, got 2/],
    [() => metrics.auc({ summationMethod: 'trapezoid' as never }), /summationMethod must be 'interpolation', 'minoring' or 'majoring'/],
    [() => metrics.precision({ thresholds: [0.3, 0.5] as never }), /blasnet takes one threshold \(Keras logs a vector for several, which blasnet's logs cannot hold\)/],
    [() => metrics.precision({ thresholds: 1.5 }), /thresholds must be a number in \[0, 1\], got 1\.5/],
    [() => metrics.precision({ topK: 0 }), /metrics\.precision: topK must be an integer >= 1, got 0/],
    [() => metrics.recall({ classId: -1 }), /classId must be an integer >= 0, got -1/],
    [() => metrics.topKCategoricalAccuracy({ k: 0 }), /k must be an integer >= 1, got 0/],
    [() => metrics.topKCategoricalAccuracy({ kk: 2 } as never), /unknown option 'kk' — did you mean 'k'\?/],
    [() => metrics.meanAbsoluteError({ nmae: 'x' } as never), /unknown option 'nmae' — did you mean 'name'\?/],
  ];
  for (const [f, re] of refusals) {
    try {
      f();
      t.fail(`expected ${re}`);
    } catch (e) {
      t.match((e as Error).message, re);
    }
  }
  // classId beyond the outputs is caught on the first batch.
  const m = getMetric(metrics.recall({ classId: 5 }), dense);
  t.throws(() => m.update(new Tensor(new Float32Array(6), [2, 3]), new Tensor(new Float32Array(6), [2, 3]), false), /classId 5 is out of range for 3 outputs/);
});
