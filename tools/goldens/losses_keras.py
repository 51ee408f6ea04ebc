"""Keras 3 golden fixtures for blasnet's losses and metrics.

Writes test/fixtures/losses/losses.json and test/fixtures/losses/metrics.json. The JSON
files are committed, so the TypeScript tests need no Python; rerun this only to
regenerate them (output is deterministic for a given Keras/JAX version):

    python3 -m venv /tmp/peers
    /tmp/peers/bin/pip install keras jax numpy
    KERAS_BACKEND=jax /tmp/peers/bin/python tools/goldens/losses_keras.py

Inputs are float32 values (fixed seed). Keras runs in float64 (jax_enable_x64,
floatx float64) on those values, so the goldens carry little float32 rounding
of their own (Keras's ops.mean still averages in float32: means are good to
about 1e-8 relative); the script re-runs everything in Keras's default float32
and checks that it agrees with the float64 goldens to 1e-5 (relative), so the
float64 values are Keras's values.

losses.json, per case: the loss as Keras builds it (`keras`), how blasnet names
it (`bn`: a name for getLoss or a bn.losses factory and its options), y_true,
y_pred, the loss (reduction 'sum_over_batch_size') and its gradient with
respect to y_pred (jax.grad). Cases marked `fused` give y_pred as logits: the
value and gradient are those of the loss applied to softmax(logits) (or
sigmoid), with the gradient with respect to the logits, i.e. what a Keras
model with a final softmax computes, which blasnet gets by fusing the
activation into the loss.

metrics.json, per case: the metric as Keras builds it, how blasnet names it,
two batches (5 and 3 samples) and Keras's result() after each batch (the
streaming value over both batches at the end). `targets` says whether the
targets are one value per output ('dense') or integer labels ('sparse').
`function_metrics` are Python functions wrapped as Keras wraps a function
given to compile (MeanMetricWrapper), with the JavaScript equivalent named in
`bn`; `evaluate` records model.evaluate with such a function over batches of
2 and 1 to show that a function returning a scalar is averaged per batch.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import losses as L  # noqa: E402
from keras import metrics as M  # noqa: E402
from keras_common import exact, f32, flat, max_abs_per_sample, one_hot, rel_close, softmax, with_floatx  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(ROOT, "test", "fixtures", "losses")
rng = np.random.default_rng(20240611)


keras.config.set_floatx("float64")

# --------------------------------------------------------------------------------------------
# Losses.

LOSS_CASES = []


def loss_case(id_, make, bn, y_true, y_pred, fused=None, sparse=False):
    LOSS_CASES.append(dict(id=id_, make=make, bn=bn, y_true=y_true, y_pred=f32(y_pred), fused=fused, sparse=sparse))


def run_loss(case, dtype):
    def go():
        loss = case["make"]()
        yt = jnp.asarray(case["y_true"], dtype="int32" if case["sparse"] else dtype)
        yp = jnp.asarray(case["y_pred"], dtype=dtype)
        act = {"softmax": jax.nn.softmax, "sigmoid": jax.nn.sigmoid, None: lambda x: x}[case["fused"]]
        f = lambda p: loss(yt, act(p))  # noqa: E731
        value, grad = jax.value_and_grad(f)(yp)
        return float(value), np.asarray(grad, np.float64)

    return with_floatx(dtype, go)


r43 = lambda lo=-1.0, hi=1.0, shape=(4, 3): rng.uniform(lo, hi, shape)  # noqa: E731

# Regression losses.
yt, yp = r43(), r43()
loss_case("mse", L.MeanSquaredError, {"name": "mse"}, f32(yt), yp)
yt, yp = r43(-2, 2), r43(-2, 2)
yp[1, 2] = np.float32(yt[1, 2])  # a tie: JAX takes d|x|/dx = 1 at 0
loss_case("mae", L.MeanAbsoluteError, {"name": "mae"}, f32(yt), yp)
loss_case("mae_rank3", L.MeanAbsoluteError, {"name": "meanAbsoluteError"}, f32(rng.uniform(-1, 1, (2, 3, 4))), rng.uniform(-1, 1, (2, 3, 4)))
yt = r43(-3, 3)
yt[0, 1] = 0.0  # divides by epsilon
yt[2, 0] = 1e-9
loss_case("mape", L.MeanAbsolutePercentageError, {"name": "mape"}, f32(yt), r43(-3, 3))
yp = r43(-0.5, 3)
yp[0, 0], yp[3, 2] = -0.25, -1.5  # clipped to epsilon: no gradient
yt = r43(0, 4)
yt[1, 1] = -0.5
loss_case("msle", L.MeanSquaredLogarithmicError, {"name": "msle"}, f32(yt), yp)
yt = r43(-2, 2)
yp = yt + rng.choice([-1, 1], (4, 3)) * rng.uniform(0.1, 2.5, (4, 3))
loss_case("huber", L.Huber, {"name": "huber"}, f32(yt), yp)
loss_case("huber_delta_0.5", lambda: L.Huber(delta=0.5), {"factory": "huber", "args": {"delta": 0.5}}, f32(yt), yp)
loss_case("huber_delta_2", lambda: L.Huber(delta=2.0), {"factory": "huber", "args": {"delta": 2}}, f32(yt), yp)
loss_case("log_cosh", L.LogCosh, {"name": "logcosh"}, f32(r43(-2, 2)), r43(-3, 3))
loss_case("log_cosh_large", L.LogCosh, {"name": "log_cosh"}, f32(r43(-2, 2)), r43(-40, 40))
yt = np.floor(rng.uniform(0, 4, (4, 3)))
loss_case("poisson", L.Poisson, {"name": "poisson"}, f32(yt), r43(0.05, 4))
yt = r43(-1, 1)
yt[2] = 0.0  # a zero target row: cosine 0
loss_case("cosine_similarity", L.CosineSimilarity, {"name": "cosineSimilarity"}, f32(yt), r43(-1, 1))
loss_case("cosine_similarity_rank3", L.CosineSimilarity, {"factory": "cosineSimilarity"}, f32(rng.uniform(-1, 1, (2, 3, 4))), rng.uniform(-1, 1, (2, 3, 4)))

# Probabilistic.
pt = softmax(rng.normal(size=(4, 3)) * 1.5)
pt[1] = [0.0, 0.25, 0.75]  # a zero target: clipped to epsilon
pp = softmax(rng.normal(size=(4, 3)))
loss_case("kl_divergence", L.KLDivergence, {"name": "kld"}, f32(pt), pp)
loss_case("kl_divergence_rank3", L.KLDivergence, {"name": "kullbackLeiblerDivergence"},
          f32(softmax(rng.normal(size=(2, 3, 4)))), softmax(rng.normal(size=(2, 3, 4))))

# Hinge.
yb = rng.integers(0, 2, (4, 3)).astype(np.float32)
yb[0] = [0, 1, 0]
zp = r43(-2, 2)
zp[3, 1] = 1.0 / (2 * yb[3, 1] - 1)  # margin exactly 0: JAX gives half the gradient
loss_case("hinge_01", L.Hinge, {"name": "hinge"}, yb, zp)
loss_case("hinge_pm1", L.Hinge, {"name": "hinge"}, 2 * yb - 1, zp)
loss_case("squared_hinge_01", L.SquaredHinge, {"name": "squaredHinge"}, yb, zp)
loss_case("squared_hinge_pm1", L.SquaredHinge, {"name": "squared_hinge"}, 2 * yb - 1, zp)
loss_case("hinge_rank3", L.Hinge, {"factory": "hinge"}, rng.integers(0, 2, (2, 3, 4)).astype(np.float32), rng.uniform(-2, 2, (2, 3, 4)))
labels = np.array([0, 2, 1, 1])
zp = r43(-1, 2)
zp[2] = [0.5, 0.3, 0.5]  # the two non-target scores tie: they share the gradient
loss_case("categorical_hinge", L.CategoricalHinge, {"name": "categoricalHinge"}, one_hot(labels, 3), zp)

# Crossentropies.
K = 4
labels = np.array([0, 3, 1, 2, 3])
onehot = one_hot(labels, K)
soft = f32(softmax(rng.normal(size=(5, K))))
soft = soft / soft.sum(-1, keepdims=True)
probs = softmax(rng.normal(size=(5, K)))
logits = rng.normal(size=(5, K)) * 2
loss_case("cce", L.CategoricalCrossentropy, {"name": "categoricalCrossentropy"}, onehot, probs)
loss_case("cce_soft", L.CategoricalCrossentropy, {"name": "categorical_crossentropy"}, soft, probs)
loss_case("cce_from_logits", lambda: L.CategoricalCrossentropy(from_logits=True),
          {"factory": "categoricalCrossentropy", "args": {"fromLogits": True}}, onehot, logits)
loss_case("cce_smoothing", lambda: L.CategoricalCrossentropy(label_smoothing=0.1),
          {"factory": "categoricalCrossentropy", "args": {"labelSmoothing": 0.1}}, onehot, probs)
loss_case("cce_from_logits_smoothing", lambda: L.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2),
          {"factory": "categoricalCrossentropy", "args": {"from_logits": True, "label_smoothing": 0.2}}, onehot, logits)
loss_case("cce_fused", L.CategoricalCrossentropy, {"name": "categoricalCrossentropy"}, onehot, logits, fused="softmax")
loss_case("cce_fused_smoothing", lambda: L.CategoricalCrossentropy(label_smoothing=0.1),
          {"factory": "categoricalCrossentropy", "args": {"labelSmoothing": 0.1}}, onehot, logits, fused="softmax")
loss_case("scce", L.SparseCategoricalCrossentropy, {"name": "sparseCategoricalCrossentropy"}, labels.astype(np.int32), probs, sparse=True)
loss_case("scce_from_logits", lambda: L.SparseCategoricalCrossentropy(from_logits=True),
          {"factory": "sparseCategoricalCrossentropy", "args": {"fromLogits": True}}, labels.astype(np.int32), logits, sparse=True)
loss_case("scce_fused", L.SparseCategoricalCrossentropy, {"name": "sparse_categorical_crossentropy"},
          labels.astype(np.int32), logits, fused="softmax", sparse=True)
bt = rng.integers(0, 2, (4, 3)).astype(np.float32)
bt[1, 1] = 0.3  # a soft target
bp = r43(0.02, 0.98)
bz = r43(-4, 4)
loss_case("bce", L.BinaryCrossentropy, {"name": "binaryCrossentropy"}, bt, bp)
loss_case("bce_from_logits", lambda: L.BinaryCrossentropy(from_logits=True),
          {"factory": "binaryCrossentropy", "args": {"fromLogits": True}}, bt, bz)
loss_case("bce_smoothing", lambda: L.BinaryCrossentropy(label_smoothing=0.1),
          {"factory": "binaryCrossentropy", "args": {"labelSmoothing": 0.1}}, bt, bp)
loss_case("bce_from_logits_smoothing", lambda: L.BinaryCrossentropy(from_logits=True, label_smoothing=0.25),
          {"factory": "binaryCrossentropy", "args": {"fromLogits": True, "labelSmoothing": 0.25}}, bt, bz)
loss_case("bce_fused", L.BinaryCrossentropy, {"name": "bce"}, bt, bz, fused="sigmoid")
loss_case("bce_fused_smoothing", lambda: L.BinaryCrossentropy(label_smoothing=0.1),
          {"factory": "binaryCrossentropy", "args": {"labelSmoothing": 0.1}}, bt, bz, fused="sigmoid")

loss_records = []
for case in LOSS_CASES:
    value, grad = run_loss(case, "float64")
    v32, g32 = run_loss(case, "float32")
    assert rel_close(value, v32) and rel_close(grad, g32), (case["id"], value, v32, np.abs(grad - g32).max())
    yt = np.asarray(case["y_true"])
    loss_records.append({
        "id": case["id"],
        "keras": case["make"]().__class__.__name__ + ("(" + ", ".join(
            f"{k}={v}" for k, v in case["make"]().get_config().items()
            if k in ("from_logits", "label_smoothing", "delta") and v) + ")"),
        "bn": case["bn"],
        "fused": case["fused"],
        "y_true_shape": list(yt.shape),
        "y_true": flat(yt),
        "y_pred_shape": list(case["y_pred"].shape),
        "y_pred": flat(case["y_pred"]),
        "loss": value,
        "grad": exact(grad),
    })

# --------------------------------------------------------------------------------------------
# Metrics: two batches of 5 and 3 samples.

METRIC_CASES = []


def metric_case(id_, make, bn, batches, targets="dense"):
    METRIC_CASES.append(dict(id=id_, make=make, bn=bn, batches=batches, targets=targets))


def run_metric(case, dtype):
    def go():
        m = case["make"]()
        out = []
        for yt, yp in case["batches"]:
            m.update_state(jnp.asarray(yt, dtype="int32" if case["targets"] == "sparse" else dtype), jnp.asarray(yp, dtype=dtype))
            out.append(float(m.result()))
        return out

    return with_floatx(dtype, go)


def batches(make_true, make_pred):
    return [(make_true(n), f32(make_pred(n))) for n in (5, 3)]


# Binary outputs: one unit, and three (multi-label).
def binary_batches(units, seed_pred=None):
    out = []
    for n in (5, 3):
        yt = rng.integers(0, 2, (n, units)).astype(np.float32)
        yp = f32(rng.uniform(0, 1, (n, units)))
        out.append((yt, yp))
    out[0][1][0, 0] = 0.5  # exactly at the threshold: not positive
    out[0][0][0, 0] = 1.0
    return out


b1, b3 = binary_batches(1), binary_batches(3)
metric_case("precision", M.Precision, {"name": "precision"}, b1)
metric_case("recall", M.Recall, {"name": "recall"}, b1)
metric_case("precision_multilabel", M.Precision, {"name": "precision"}, b3)
metric_case("recall_multilabel", M.Recall, {"name": "recall"}, b3)
metric_case("precision_threshold", lambda: M.Precision(thresholds=0.3), {"factory": "precision", "args": {"thresholds": 0.3}}, b3)
metric_case("recall_threshold", lambda: M.Recall(thresholds=0.7), {"factory": "recall", "args": {"thresholds": [0.7]}}, b3)
metric_case("precision_class_id", lambda: M.Precision(class_id=1), {"factory": "precision", "args": {"classId": 1}}, b3)
metric_case("recall_class_id", lambda: M.Recall(class_id=2), {"factory": "recall", "args": {"class_id": 2}}, b3)
metric_case("auc", M.AUC, {"name": "auc"}, b1)
metric_case("auc_multilabel", M.AUC, {"name": "AUC"}, b3)
metric_case("auc_pr", lambda: M.AUC(curve="PR"), {"factory": "auc", "args": {"curve": "PR"}}, b3)
metric_case("auc_minoring", lambda: M.AUC(summation_method="minoring"), {"factory": "auc", "args": {"summationMethod": "minoring"}}, b3)
metric_case("auc_majoring_50", lambda: M.AUC(summation_method="majoring", num_thresholds=50),
            {"factory": "auc", "args": {"summationMethod": "majoring", "numThresholds": 50}}, b3)
metric_case("auc_pr_minoring", lambda: M.AUC(curve="PR", summation_method="minoring"),
            {"factory": "auc", "args": {"curve": "PR", "summationMethod": "minoring"}}, b3)
bl = [(yt, f32(rng.normal(size=yt.shape) * 2)) for yt, _ in b3]
metric_case("auc_from_logits", lambda: M.AUC(from_logits=True), {"factory": "auc", "args": {"fromLogits": True}}, bl)
metric_case("binary_accuracy", M.BinaryAccuracy, {"name": "binary_accuracy"}, b3)
metric_case("binary_accuracy_threshold", lambda: M.BinaryAccuracy(threshold=0.7), {"factory": "binaryAccuracy", "args": {"threshold": 0.7}}, b3)

# Regression outputs.
reg = batches(lambda n: f32(rng.uniform(-2, 2, (n, 3))), lambda n: rng.uniform(-2, 2, (n, 3)))
pos = batches(lambda n: f32(rng.uniform(0, 3, (n, 3))), lambda n: rng.uniform(0.05, 3, (n, 3)))
metric_case("mae", M.MeanAbsoluteError, {"name": "mae"}, reg)
metric_case("mse", M.MeanSquaredError, {"name": "mse"}, reg)
metric_case("rmse", M.RootMeanSquaredError, {"name": "rmse"}, reg)
metric_case("root_mean_squared_error", M.RootMeanSquaredError, {"factory": "rootMeanSquaredError"}, reg)
metric_case("mape", M.MeanAbsolutePercentageError, {"name": "mape"}, reg)
metric_case("msle", M.MeanSquaredLogarithmicError, {"name": "msle"}, pos)
metric_case("logcosh", M.LogCoshError, {"name": "logcosh"}, reg)
metric_case("cosine_similarity", M.CosineSimilarity, {"name": "cosine_similarity"}, reg)
metric_case("poisson", M.Poisson, {"name": "poisson"}, pos)
metric_case("mae_rank3", M.MeanAbsoluteError, {"name": "mean_absolute_error"},
            batches(lambda n: f32(rng.uniform(-1, 1, (n, 2, 3))), lambda n: rng.uniform(-1, 1, (n, 2, 3))))
hb = batches(lambda n: (2 * rng.integers(0, 2, (n, 3)) - 1).astype(np.float32), lambda n: rng.uniform(-2, 2, (n, 3)))
metric_case("hinge", M.Hinge, {"name": "hinge"}, hb)
metric_case("squared_hinge", M.SquaredHinge, {"name": "squared_hinge"}, hb)

# Categorical outputs: 6 classes.
C = 6
cat_labels = [rng.integers(0, C, n) for n in (5, 3)]
cat_probs = [f32(softmax(rng.normal(size=(n, C)) * 2)) for n in (5, 3)]
cat_probs[0][1] = cat_probs[0][1][[0, 0, 2, 3, 4, 5]] / cat_probs[0][1][[0, 0, 2, 3, 4, 5]].sum()  # a tie
cat_dense = [(one_hot(lab, C), p) for lab, p in zip(cat_labels, cat_probs)]
cat_sparse = [(lab.astype(np.int32), p) for lab, p in zip(cat_labels, cat_probs)]
metric_case("top_k_categorical_accuracy", M.TopKCategoricalAccuracy, {"name": "topKCategoricalAccuracy"}, cat_dense)
metric_case("top_k_categorical_accuracy_k2", lambda: M.TopKCategoricalAccuracy(k=2),
            {"factory": "topKCategoricalAccuracy", "args": {"k": 2}}, cat_dense)
metric_case("sparse_top_k_categorical_accuracy", M.SparseTopKCategoricalAccuracy, {"name": "sparse_top_k_categorical_accuracy"},
            cat_sparse, "sparse")
metric_case("sparse_top_k_categorical_accuracy_k1", lambda: M.SparseTopKCategoricalAccuracy(k=1),
            {"factory": "sparseTopKCategoricalAccuracy", "args": {"k": 1}}, cat_sparse, "sparse")
metric_case("categorical_accuracy", M.CategoricalAccuracy, {"name": "categorical_accuracy"}, cat_dense)
metric_case("sparse_categorical_accuracy", M.SparseCategoricalAccuracy, {"name": "sparseCategoricalAccuracy"}, cat_sparse, "sparse")
metric_case("categorical_crossentropy", M.CategoricalCrossentropy, {"name": "categorical_crossentropy"}, cat_dense)
metric_case("sparse_categorical_crossentropy", M.SparseCategoricalCrossentropy, {"name": "sparse_categorical_crossentropy"},
            cat_sparse, "sparse")
metric_case("kl_divergence", M.KLDivergence, {"name": "kl_divergence"}, cat_dense)
metric_case("categorical_hinge", M.CategoricalHinge, {"name": "categorical_hinge"}, cat_dense)
metric_case("binary_crossentropy", M.BinaryCrossentropy, {"name": "binary_crossentropy"}, b3)

metric_records = []
for case in METRIC_CASES:
    values = run_metric(case, "float64")
    v32 = run_metric(case, "float32")
    assert rel_close(values, v32), (case["id"], values, v32)
    metric_records.append({
        "id": case["id"],
        "keras": case["make"]().__class__.__name__,
        "bn": case["bn"],
        "targets": case["targets"],
        "batches": [{"y_true_shape": list(np.shape(yt)), "y_true": flat(yt), "y_pred_shape": list(np.shape(yp)), "y_pred": flat(yp)}
                    for yt, yp in case["batches"]],
        "results": values,
    })


# Functions as metrics (what compile does with a function: MeanMetricWrapper, named after it).
def mean_abs_scalar(y_true, y_pred):
    return keras.ops.mean(keras.ops.abs(y_true - y_pred))


function_records = []
for fn, js in [(mean_abs_scalar, "meanAbsScalar"), (max_abs_per_sample, "maxAbsPerSample")]:
    m = M.MeanMetricWrapper(fn, name=fn.__name__)
    out = []
    for yt, yp in reg:
        m.update_state(jnp.asarray(yt, "float64"), jnp.asarray(yp, "float64"))
        out.append(float(m.result()))
    function_records.append({
        "id": fn.__name__, "bn": {"function": js},
        "batches": [{"y_true_shape": list(yt.shape), "y_true": flat(yt), "y_pred_shape": list(yp.shape), "y_pred": flat(yp)} for yt, yp in reg],
        "results": out,
    })


# model.evaluate with a scalar-returning function metric, batches of 2 and 1.
def evaluate_record():
    inp = keras.Input((2,))
    out = keras.layers.Dense(2, use_bias=False, kernel_initializer="identity")(inp)
    model = keras.Model(inp, out)
    model.compile(loss="mse", metrics=[mean_abs_scalar, "mae"])
    x = np.array([[1, 2], [3, 4], [5, 6]], np.float32)
    y = np.array([[0, 0], [0, 0], [0, 10]], np.float32)
    logs = model.evaluate(x, y, batch_size=2, verbose=0, return_dict=True)
    return {"x": flat(x), "y": flat(y), "batch_size": 2, "logs": {k: float(v) for k, v in logs.items()}}


meta = {"keras_version": keras.__version__, "jax_version": jax.__version__, "backend": keras.backend.backend()}
os.makedirs(OUT_DIR, exist_ok=True)


def write(name, obj):
    with open(os.path.join(OUT_DIR, name), "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


write("losses.json", {**meta, "note": __doc__.split("losses.json, per case:")[1].split("metrics.json")[0].strip(), "cases": loss_records})
write("metrics.json", {**meta, "note": __doc__.split("metrics.json, per case:")[1].strip(), "cases": metric_records,
                       "function_metrics": function_records, "evaluate": evaluate_record()})
print(f"wrote {len(loss_records)} loss cases and {len(metric_records) + len(function_records)} metric cases to {OUT_DIR}")
