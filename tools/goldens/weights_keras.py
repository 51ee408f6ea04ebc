"""Keras 3 golden fixtures for blasnet's sample weights, class weights and weighted metrics.

Writes test/fixtures/weights/{losses,metrics,models}.json. The JSON files are committed, so
the TypeScript tests need no Python; rerun this only to regenerate them (deterministic for a
given Keras/JAX version):

    python3 -m venv /tmp/peers
    /tmp/peers/bin/pip install keras jax numpy
    KERAS_BACKEND=jax /tmp/peers/bin/python tools/goldens/weights_keras.py

losses.json: every loss family called with sample_weight (Loss.__call__ ->
reduce_weighted_values: values * sample_weight after squeeze_or_expand_to_same_rank, then
sum / number of loss values), per sample [N] on [N, K] outputs and per timestep [N, T] (or
[N, 1], broadcast) on [N, T, K] outputs; the value and jax.grad with respect to y_pred (the
logits for `fused` cases), in float64 (checked against float32 to 1e-5).

metrics.json: metrics updated with sample_weight over two batches, result() after each;
`option_cases` the metric options (Precision/Recall top_k, AUC multi_label, num_labels,
label_weights, explicit thresholds) without and with sample weights, in float32; `log_names`
the keys CompileMetrics gives repeated plain and weighted metrics.

models.json: tiny models with every weight set from numpy, trained with fit for 2 epochs
(SGD, shuffle=False) with sample_weight, class_weight, validation_data (x, y, sw) and
weighted_metrics: the History, the weights after, evaluate/test_on_batch/train_on_batch
logs; and what Keras refuses (recorded from the exceptions it raises).
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
OUT_DIR = os.path.join(ROOT, "test", "fixtures", "weights")
rng = np.random.default_rng(20261129)


def arr(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "values": flat(a)}


keras.config.set_floatx("float64")

# --------------------------------------------------------------------------------------------
# Losses with sample weights.

LOSS_CASES = []


def loss_case(id_, make, bn, y_true, y_pred, sw, fused=None, sparse=False):
    LOSS_CASES.append(dict(id=id_, make=make, bn=bn, y_true=y_true, y_pred=f32(y_pred), sw=f32(sw), fused=fused, sparse=sparse))


def run_loss(case, dtype):
    def go():
        loss = case["make"]()
        yt = jnp.asarray(case["y_true"], dtype="int32" if case["sparse"] else dtype)
        yp = jnp.asarray(case["y_pred"], dtype=dtype)
        sw = jnp.asarray(case["sw"], dtype=dtype)
        act = {"softmax": jax.nn.softmax, "sigmoid": jax.nn.sigmoid, None: lambda x: x}[case["fused"]]
        value, grad = jax.value_and_grad(lambda p: loss(yt, act(p), sample_weight=sw))(yp)
        return float(value), np.asarray(grad, np.float64)

    return with_floatx(dtype, go)


N, T, K = 5, 3, 4
sw_n = f32([1.0, 0.0, 2.5, 0.5, 1.25])  # a zero weight: that sample gives nothing
sw_neg = f32([1.0, -0.5, 2.0, 0.0, 0.75])  # Keras multiplies by any weight, negative too
sw_nt = f32(rng.uniform(0, 2, (N, T)))
sw_nt[1, 2] = 0.0
sw_n1 = sw_n.reshape(N, 1)  # [N, 1] on [N, T] loss values: broadcast over timesteps


def r(lo, hi, shape):
    return rng.uniform(lo, hi, shape)


two, three = (N, K), (N, T, K)
for shape, sw, tag in [(two, sw_n, "n"), (three, sw_nt, "nt"), (three, sw_n1, "n1")]:
    loss_case(f"mse_{tag}", L.MeanSquaredError, {"name": "mse"}, f32(r(-1, 1, shape)), r(-1, 1, shape), sw)
    loss_case(f"mae_{tag}", L.MeanAbsoluteError, {"name": "mae"}, f32(r(-2, 2, shape)), r(-2, 2, shape), sw)
    loss_case(f"bce_{tag}", L.BinaryCrossentropy, {"name": "binaryCrossentropy"},
              rng.integers(0, 2, shape).astype(np.float32), r(0.02, 0.98, shape), sw)
    loss_case(f"bce_fused_{tag}", L.BinaryCrossentropy, {"name": "bce"},
              rng.integers(0, 2, shape).astype(np.float32), r(-4, 4, shape), sw, fused="sigmoid")
    onehot = one_hot(rng.integers(0, K, shape[:-1]), K)
    loss_case(f"cce_{tag}", L.CategoricalCrossentropy, {"name": "categoricalCrossentropy"}, onehot, softmax(rng.normal(size=shape)), sw)
    loss_case(f"cce_fused_{tag}", L.CategoricalCrossentropy, {"name": "categoricalCrossentropy"}, onehot, rng.normal(size=shape) * 2, sw,
              fused="softmax")
    loss_case(f"cce_from_logits_smoothing_{tag}", lambda: L.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2),
              {"factory": "categoricalCrossentropy", "args": {"fromLogits": True, "labelSmoothing": 0.2}}, onehot, rng.normal(size=shape), sw)
    labels = rng.integers(0, K, shape[:-1]).astype(np.int32)
    loss_case(f"scce_{tag}", L.SparseCategoricalCrossentropy, {"name": "sparseCategoricalCrossentropy"}, labels,
              softmax(rng.normal(size=shape)), sw, sparse=True)
    loss_case(f"scce_fused_{tag}", L.SparseCategoricalCrossentropy, {"name": "sparse_categorical_crossentropy"}, labels,
              rng.normal(size=shape) * 2, sw, fused="softmax", sparse=True)

loss_case("mse_negative", L.MeanSquaredError, {"name": "mse"}, f32(r(-1, 1, two)), r(-1, 1, two), sw_neg)
loss_case("cce_fused_negative", L.CategoricalCrossentropy, {"name": "categoricalCrossentropy"},
          one_hot(rng.integers(0, K, N), K), rng.normal(size=two), sw_neg, fused="softmax")
loss_case("mse_n_1", L.MeanSquaredError, {"name": "mse"}, f32(r(-1, 1, two)), r(-1, 1, two), sw_n1)
loss_case("mape", L.MeanAbsolutePercentageError, {"name": "mape"}, f32(r(-3, 3, two)), r(-3, 3, two), sw_n)
loss_case("msle", L.MeanSquaredLogarithmicError, {"name": "msle"}, f32(r(0, 4, two)), r(0.1, 3, two), sw_n)
loss_case("huber_nt", lambda: L.Huber(delta=0.5), {"factory": "huber", "args": {"delta": 0.5}}, f32(r(-2, 2, three)), r(-2, 2, three), sw_nt)
loss_case("log_cosh", L.LogCosh, {"name": "logcosh"}, f32(r(-2, 2, two)), r(-3, 3, two), sw_n)
loss_case("poisson", L.Poisson, {"name": "poisson"}, f32(np.floor(r(0, 4, two))), r(0.05, 4, two), sw_n)
loss_case("cosine_similarity_nt", L.CosineSimilarity, {"name": "cosineSimilarity"}, f32(r(-1, 1, three)), r(-1, 1, three), sw_nt)
loss_case("kl_divergence", L.KLDivergence, {"name": "kld"}, f32(softmax(rng.normal(size=two))), softmax(rng.normal(size=two)), sw_n)
loss_case("hinge_nt", L.Hinge, {"name": "hinge"}, rng.integers(0, 2, three).astype(np.float32), r(-2, 2, three), sw_nt)
loss_case("squared_hinge", L.SquaredHinge, {"name": "squaredHinge"}, 2 * rng.integers(0, 2, two).astype(np.float32) - 1, r(-2, 2, two), sw_n)
loss_case("categorical_hinge", L.CategoricalHinge, {"name": "categoricalHinge"}, one_hot(rng.integers(0, K, N), K), r(-1, 2, two), sw_n)
loss_case("bce_smoothing", lambda: L.BinaryCrossentropy(label_smoothing=0.1), {"factory": "binaryCrossentropy", "args": {"labelSmoothing": 0.1}},
          rng.integers(0, 2, two).astype(np.float32), r(0.02, 0.98, two), sw_n)

loss_records = []
for case in LOSS_CASES:
    value, grad = run_loss(case, "float64")
    v32, g32 = run_loss(case, "float32")
    assert rel_close(value, v32) and rel_close(grad, g32), (case["id"], value, v32)
    loss_records.append({
        "id": case["id"], "bn": case["bn"], "fused": case["fused"],
        "y_true": arr(case["y_true"]), "y_pred": arr(case["y_pred"]), "sample_weight": arr(case["sw"]),
        "loss": value, "grad": exact(grad),
    })

# [N] weights on [N, T] loss values: Keras broadcasts [N, T] * [N] on the last axis, so it
# refuses T != N (and would pair the weights with timesteps when T == N).
try:
    L.MeanSquaredError()(np.zeros((N, T, K)), np.ones((N, T, K)), sample_weight=np.ones(N))
    refuses_n_on_sequences = False
except Exception:  # noqa: BLE001
    refuses_n_on_sequences = True
assert refuses_n_on_sequences

# --------------------------------------------------------------------------------------------
# Metrics with sample weights: two batches of 5 and 3 samples.

METRIC_CASES = []


def metric_case(id_, make, bn, batches, targets="dense"):
    METRIC_CASES.append(dict(id=id_, make=make, bn=bn, batches=batches, targets=targets))


def run_metric(case, dtype):
    def go():
        m = case["make"]()
        out = []
        for yt, yp, sw in case["batches"]:
            m.update_state(jnp.asarray(yt, dtype="int32" if case["targets"] == "sparse" else dtype), jnp.asarray(yp, dtype=dtype),
                           sample_weight=jnp.asarray(sw, dtype=dtype))
            out.append(float(m.result()))
        return out

    return with_floatx(dtype, go)


def weights_for(n, seq=False):
    w = f32(rng.uniform(0, 2, (n, T) if seq else (n,)))
    w.reshape(-1)[1] = 0.0
    return w


def make_batches(make_true, make_pred, seq=False):
    return [(make_true(n), f32(make_pred(n)), weights_for(n, seq)) for n in (5, 3)]


bin3 = make_batches(lambda n: rng.integers(0, 2, (n, 3)).astype(np.float32), lambda n: rng.uniform(0, 1, (n, 3)))
bin1 = make_batches(lambda n: rng.integers(0, 2, (n, 1)).astype(np.float32), lambda n: rng.uniform(0, 1, (n, 1)))
bin_seq = make_batches(lambda n: rng.integers(0, 2, (n, T, 2)).astype(np.float32), lambda n: rng.uniform(0, 1, (n, T, 2)), seq=True)
reg = make_batches(lambda n: f32(rng.uniform(-2, 2, (n, 3))), lambda n: rng.uniform(-2, 2, (n, 3)))
reg_seq = make_batches(lambda n: f32(rng.uniform(-2, 2, (n, T, 3))), lambda n: rng.uniform(-2, 2, (n, T, 3)), seq=True)
C = 5
cat = make_batches(lambda n: one_hot(rng.integers(0, C, n), C), lambda n: softmax(rng.normal(size=(n, C)) * 2))
cat_sparse = [(np.argmax(yt, -1).astype(np.int32), yp, sw) for yt, yp, sw in cat]
cat_seq = make_batches(lambda n: rng.integers(0, C, (n, T)).astype(np.int32), lambda n: softmax(rng.normal(size=(n, T, C)) * 2), seq=True)

metric_case("precision", M.Precision, {"name": "precision"}, bin3)
metric_case("recall", M.Recall, {"name": "recall"}, bin1)
metric_case("precision_seq", M.Precision, {"name": "precision"}, bin_seq)
metric_case("recall_class_id", lambda: M.Recall(class_id=1), {"factory": "recall", "args": {"classId": 1}}, bin3)
metric_case("auc", M.AUC, {"name": "auc"}, bin3)
metric_case("auc_pr_seq", lambda: M.AUC(curve="PR"), {"factory": "auc", "args": {"curve": "PR"}}, bin_seq)
metric_case("binary_accuracy", M.BinaryAccuracy, {"name": "binary_accuracy"}, bin3)
metric_case("binary_accuracy_seq", M.BinaryAccuracy, {"name": "binary_accuracy"}, bin_seq)
metric_case("mae", M.MeanAbsoluteError, {"name": "mae"}, reg)
metric_case("mse_seq", M.MeanSquaredError, {"name": "mse"}, reg_seq)
metric_case("rmse", M.RootMeanSquaredError, {"name": "rmse"}, reg)
metric_case("mape", M.MeanAbsolutePercentageError, {"name": "mape"}, reg)
metric_case("cosine_similarity_seq", M.CosineSimilarity, {"name": "cosine_similarity"}, reg_seq)
metric_case("categorical_accuracy", M.CategoricalAccuracy, {"name": "categorical_accuracy"}, cat)
metric_case("top_k_categorical_accuracy", lambda: M.TopKCategoricalAccuracy(k=2), {"factory": "topKCategoricalAccuracy", "args": {"k": 2}}, cat)
metric_case("categorical_crossentropy", M.CategoricalCrossentropy, {"name": "categorical_crossentropy"}, cat)
metric_case("sparse_categorical_accuracy", M.SparseCategoricalAccuracy, {"name": "sparse_categorical_accuracy"}, cat_sparse, "sparse")
metric_case("sparse_categorical_accuracy_seq", M.SparseCategoricalAccuracy, {"name": "sparse_categorical_accuracy"}, cat_seq, "sparse")
metric_case("sparse_categorical_crossentropy_seq", M.SparseCategoricalCrossentropy, {"name": "sparse_categorical_crossentropy"},
            cat_seq, "sparse")

metric_records = []
for case in METRIC_CASES:
    values = run_metric(case, "float64")
    assert rel_close(values, run_metric(case, "float32")), case["id"]
    metric_records.append({
        "id": case["id"], "bn": case["bn"], "targets": case["targets"],
        "batches": [{"y_true": arr(yt), "y_pred": arr(yp), "sample_weight": arr(sw)} for yt, yp, sw in case["batches"]],
        "results": values,
    })


# A function metric (MeanMetricWrapper) returning one value per sample, weighted per sample.
fm = M.MeanMetricWrapper(max_abs_per_sample, name="max_abs_per_sample")
function_results = []
for yt, yp, sw in reg:
    fm.update_state(jnp.asarray(yt, "float64"), jnp.asarray(yp, "float64"), sample_weight=jnp.asarray(sw, "float64"))
    function_results.append(float(fm.result()))
function_record = {"id": "max_abs_per_sample", "batches": [{"y_true": arr(yt), "y_pred": arr(yp), "sample_weight": arr(sw)} for yt, yp, sw in reg],
                   "results": function_results}

# --------------------------------------------------------------------------------------------
# Metric options: Precision/Recall top_k, AUC multi_label, num_labels, label_weights, thresholds;
# each without and with sample weights (its own generator: the cases above stay as they are).

rng2 = np.random.default_rng(7)


def option_batches(units, weighted):
    out = []
    for n in (6, 4):
        yt = rng2.integers(0, 2, (n, units)).astype(np.float32)
        yp = f32(rng2.uniform(0, 1, (n, units)))
        yp[0, :2] = 0.625  # a tie: top_k keeps the lower index
        w = f32(rng2.uniform(0, 2, n)) if weighted else None
        out.append((yt, yp, w))
    return out


OPTION_CASES = []
for weighted in (False, True):
    tag = "_weighted" if weighted else ""
    b4 = option_batches(4, weighted)
    OPTION_CASES += [
        (f"precision_top_k2{tag}", lambda: M.Precision(top_k=2), {"factory": "precision", "args": {"topK": 2}}, b4),
        (f"recall_top_k1{tag}", lambda: M.Recall(top_k=1), {"factory": "recall", "args": {"top_k": 1}}, b4),
        (f"precision_top_k2_threshold{tag}", lambda: M.Precision(top_k=2, thresholds=0.4),
         {"factory": "precision", "args": {"topK": 2, "thresholds": 0.4}}, b4),
        (f"recall_top_k2_class_id{tag}", lambda: M.Recall(top_k=2, class_id=1), {"factory": "recall", "args": {"topK": 2, "classId": 1}}, b4),
        (f"auc_multi_label{tag}", lambda: M.AUC(multi_label=True), {"factory": "auc", "args": {"multiLabel": True}}, b4),
        (f"auc_multi_label_pr{tag}", lambda: M.AUC(multi_label=True, curve="PR", num_labels=4),
         {"factory": "auc", "args": {"multiLabel": True, "curve": "PR", "numLabels": 4}}, b4),
        (f"auc_multi_label_label_weights{tag}", lambda: M.AUC(multi_label=True, label_weights=[1.0, 0.5, 0.0, 2.0]),
         {"factory": "auc", "args": {"multiLabel": True, "labelWeights": [1.0, 0.5, 0.0, 2.0]}}, b4),
        (f"auc_label_weights{tag}", lambda: M.AUC(label_weights=[1.0, 0.5, 0.0, 2.0]),
         {"factory": "auc", "args": {"labelWeights": [1.0, 0.5, 0.0, 2.0]}}, b4),
        (f"auc_thresholds_uneven{tag}", lambda: M.AUC(thresholds=[0.8, 0.1, 0.35, 0.625]),
         {"factory": "auc", "args": {"thresholds": [0.8, 0.1, 0.35, 0.625]}}, b4),
        (f"auc_thresholds_even{tag}", lambda: M.AUC(thresholds=[0.25, 0.5, 0.75], curve="PR"),
         {"factory": "auc", "args": {"thresholds": [0.25, 0.5, 0.75], "curve": "PR"}}, b4),
        (f"auc_thresholds_uneven_minoring_multi_label{tag}",
         lambda: M.AUC(thresholds=[0.3, 0.9], summation_method="minoring", multi_label=True),
         {"factory": "auc", "args": {"thresholds": [0.3, 0.9], "summationMethod": "minoring", "multiLabel": True}}, b4),
    ]


def run_option(make, batches):
    m = make()
    out = []
    for yt, yp, w in batches:
        m.update_state(jnp.asarray(yt, "float32"), jnp.asarray(yp, "float32"), sample_weight=None if w is None else jnp.asarray(w, "float32"))
        out.append(float(m.result()))
    return out


keras.config.set_floatx("float32")
option_records = [{"id": id_, "bn": bn, "batches": [{"y_true": arr(yt), "y_pred": arr(yp), "sample_weight": None if w is None else arr(w)}
                                                    for yt, yp, w in batches], "results": run_option(make, batches)}
                  for id_, make, bn, batches in OPTION_CASES]
keras.config.set_floatx("float64")


# The keys CompileMetrics gives repeated metrics, plain and weighted.
def log_names():
    inp = keras.Input((2,))
    model = keras.Model(inp, keras.layers.Dense(2)(inp))
    model.compile(loss="mse", metrics=["mae", "mae", "mse"], weighted_metrics=["mae", "mae", "mse", "mape"])
    logs = model.evaluate(np.ones((2, 2), np.float32), np.ones((2, 2), np.float32), verbose=0, return_dict=True)
    return {"metrics": ["mae", "mae", "mse"], "weighted_metrics": ["mae", "mae", "mse", "mape"], "keys": list(logs.keys())}


# --------------------------------------------------------------------------------------------
# Models: fit with weights. float32, as Keras trains by default.

keras.config.set_floatx("float32")


def set_weights(model, seed):
    g = np.random.default_rng(seed)
    model.set_weights([f32(g.uniform(-0.7, 0.7, w.shape)) for w in model.get_weights()])
    return [arr(w) for w in model.get_weights()]


def logs_of(history):
    return {k: [float(v) for v in vs] for k, vs in history.history.items()}


def refusal(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return f"{type(e).__name__}: {str(e).splitlines()[0]}"
    raise AssertionError("Keras accepted it")


MODEL_CASES = []


def dense_model(inputs_shape, units, activation, seed):
    inp = keras.Input(inputs_shape, name="x")
    out = keras.layers.Dense(units, activation=activation, name="out")(inp)
    model = keras.Model(inp, out)
    return model, set_weights(model, seed)


Nf = 10
x4 = f32(rng.normal(size=(Nf, 4)))
labels3 = rng.integers(0, 3, Nf)
labels3[:3] = [0, 1, 2]
y_onehot = one_hot(labels3, 3)
sw_fit = f32(rng.uniform(0, 2, Nf))
sw_fit[[2, 7]] = 0.0
xv = f32(rng.normal(size=(4, 4)))
yv = one_hot(np.array([2, 0, 1, 1]), 3)
swv = f32([0.5, 2.0, 0.0, 1.0])

# 1. Per-sample weights, weighted metrics, validation (x, y, sw), then evaluate/test/train_on_batch.
model, w0 = dense_model((4,), 3, "softmax", 1)
model.compile(optimizer=keras.optimizers.SGD(0.1), loss="categorical_crossentropy", metrics=["accuracy", "categorical_crossentropy"],
              weighted_metrics=["accuracy", "auc"])
h = model.fit(x4, y_onehot, sample_weight=sw_fit, batch_size=4, epochs=2, shuffle=False, verbose=0, validation_data=(xv, yv, swv))
case = {"id": "sample_weight", "loss": "categorical_crossentropy", "metrics": ["accuracy", "categorical_crossentropy"],
        "weighted_metrics": ["accuracy", "auc"], "units": 3, "activation": "softmax", "input_shape": [4],
        "x": arr(x4), "y": arr(y_onehot), "sample_weight": arr(sw_fit), "batch_size": 4, "epochs": 2,
        "validation_data": [arr(xv), arr(yv), arr(swv)], "weights_before": w0, "history": logs_of(h),
        "weights_after": [arr(w) for w in model.get_weights()]}
case["evaluate"] = {k: float(v) for k, v in model.evaluate(x4, y_onehot, sample_weight=sw_fit, batch_size=4, verbose=0, return_dict=True).items()}
case["test_on_batch"] = {k: float(v) for k, v in model.test_on_batch(xv, yv, sample_weight=swv, return_dict=True).items()}
case["train_on_batch"] = {k: float(v) for k, v in model.train_on_batch(xv, yv, sample_weight=swv, return_dict=True).items()}
case["weights_after_train_on_batch"] = [arr(w) for w in model.get_weights()]
cw_tob = {"0": 2.0, "2": 0.5}
case["train_on_batch_class_weight"] = {"class_weight": cw_tob, "logs": {k: float(v) for k, v in model.train_on_batch(
    xv, yv, class_weight={int(k): v for k, v in cw_tob.items()}, return_dict=True).items()}}
case["weights_after_class_weight"] = [arr(w) for w in model.get_weights()]
case["refusals"] = {
    "class_and_sample_weight": refusal(lambda: model.fit(x4, y_onehot, sample_weight=sw_fit, class_weight={0: 1.0}, verbose=0)),
}
MODEL_CASES.append(case)

# 2. Class weights with sparse labels (class 1 left out: weight 1), validation_split.
model, w0 = dense_model((4,), 3, "softmax", 2)
model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy", metrics=["accuracy"],
              weighted_metrics=["accuracy", "sparse_categorical_crossentropy"])
cw = {"0": 2.0, "2": 0.25}
h = model.fit(x4, labels3.astype(np.int32), class_weight={int(k): v for k, v in cw.items()}, batch_size=3, epochs=2, shuffle=False,
              verbose=0, validation_split=0.2)
MODEL_CASES.append({"id": "class_weight_sparse", "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"],
                    "weighted_metrics": ["accuracy", "sparse_categorical_crossentropy"], "units": 3, "activation": "softmax",
                    "input_shape": [4], "x": arr(x4), "y": arr(labels3.astype(np.int32)), "class_weight": cw, "batch_size": 3, "epochs": 2,
                    "validation_split": 0.2, "weights_before": w0, "history": logs_of(h), "weights_after": [arr(w) for w in model.get_weights()]})

# 3. Class weights with one-hot targets (argmax) under Adam.
model, w0 = dense_model((4,), 3, "softmax", 3)
model.compile(optimizer=keras.optimizers.Adam(0.05), loss="categorical_crossentropy", weighted_metrics=["accuracy"])
cw = {"0": 0.5, "1": 3.0, "2": 1.5}
h = model.fit(x4, y_onehot, class_weight={int(k): v for k, v in cw.items()}, batch_size=4, epochs=2, shuffle=False, verbose=0)
MODEL_CASES.append({"id": "class_weight_onehot_adam", "loss": "categorical_crossentropy", "optimizer": "adam", "learning_rate": 0.05,
                    "metrics": [], "weighted_metrics": ["accuracy"], "units": 3, "activation": "softmax", "input_shape": [4],
                    "x": arr(x4), "y": arr(y_onehot), "class_weight": cw, "batch_size": 4, "epochs": 2,
                    "weights_before": w0, "history": logs_of(h), "weights_after": [arr(w) for w in model.get_weights()]})

# 4. Binary output, class weights, streaming weighted metrics.
yb = rng.integers(0, 2, (Nf, 1)).astype(np.float32)
model, w0 = dense_model((4,), 1, "sigmoid", 4)
model.compile(optimizer=keras.optimizers.SGD(0.2), loss="binary_crossentropy", metrics=["accuracy", "auc"],
              weighted_metrics=["accuracy", "auc", "precision", "recall"])
cw = {"0": 0.5, "1": 2.0}
h = model.fit(x4, yb, class_weight={int(k): v for k, v in cw.items()}, batch_size=4, epochs=2, shuffle=False, verbose=0)
MODEL_CASES.append({"id": "class_weight_binary", "loss": "binary_crossentropy", "metrics": ["accuracy", "auc"],
                    "weighted_metrics": ["accuracy", "auc", "precision", "recall"], "units": 1, "activation": "sigmoid", "input_shape": [4],
                    "x": arr(x4), "y": arr(yb), "class_weight": cw, "batch_size": 4, "epochs": 2,
                    "weights_before": w0, "history": logs_of(h), "weights_after": [arr(w) for w in model.get_weights()]})

# 5. A sequence output: per-timestep weights [N, T] with sparse labels [N, T].
xs = f32(rng.normal(size=(Nf, T, 2)))
ys = rng.integers(0, 4, (Nf, T)).astype(np.int32)
sws = f32(rng.uniform(0, 2, (Nf, T)))
sws[1] = 0.0
sws[4, 2] = 0.0
model, w0 = dense_model((T, 2), 4, "softmax", 5)
model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy", metrics=["accuracy"], weighted_metrics=["accuracy"])
h = model.fit(xs, ys, sample_weight=sws, batch_size=4, epochs=2, shuffle=False, verbose=0)
case = {"id": "sequence_per_timestep", "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"], "weighted_metrics": ["accuracy"],
        "units": 4, "activation": "softmax", "input_shape": [T, 2], "x": arr(xs), "y": arr(ys), "sample_weight": arr(sws),
        "batch_size": 4, "epochs": 2, "weights_before": w0, "history": logs_of(h), "weights_after": [arr(w) for w in model.get_weights()]}
# [N, 1] is broadcast over the timesteps.
sw_n1_fit = f32(rng.uniform(0, 2, (Nf, 1)))
case["evaluate_n1"] = {"sample_weight": arr(sw_n1_fit), "logs": {k: float(v) for k, v in model.evaluate(
    xs, ys, sample_weight=sw_n1_fit, batch_size=4, verbose=0, return_dict=True).items()}}
case["refusals"] = {
    "per_sample_on_sequence": refusal(lambda: model.fit(xs, ys, sample_weight=np.ones(Nf, np.float32), batch_size=4, verbose=0)),
}
MODEL_CASES.append(case)

# 6. Two outputs: sample weights per output (list), loss weights, weighted metrics per output;
# one [N] array for both; class_weight refused.
inp = keras.Input((4,), name="x")
a = keras.layers.Dense(3, activation="softmax", name="a")(inp)
b = keras.layers.Dense(2, name="b")(inp)
model = keras.Model(inp, [a, b])
w0 = set_weights(model, 6)
yb2 = f32(rng.normal(size=(Nf, 2)))
sw_a = f32(rng.uniform(0, 2, Nf))
sw_b = f32(rng.uniform(0, 2, Nf))
sw_b[5] = 0.0
model.compile(optimizer=keras.optimizers.SGD(0.1), loss=["categorical_crossentropy", "mse"], loss_weights=[1.0, 0.5],
              metrics=[["accuracy"], ["mae"]], weighted_metrics=[["accuracy"], ["mae", "mse"]])
h = model.fit(x4, [y_onehot, yb2], sample_weight=[sw_a, sw_b], batch_size=4, epochs=2, shuffle=False, verbose=0)
case = {"id": "two_outputs", "x": arr(x4), "y": [arr(y_onehot), arr(yb2)], "sample_weight": [arr(sw_a), arr(sw_b)], "batch_size": 4, "epochs": 2,
        "weights_before": w0, "history": logs_of(h), "weights_after": [arr(w) for w in model.get_weights()]}
case["evaluate_one_array"] = {k: float(v) for k, v in model.evaluate(x4, [y_onehot, yb2], sample_weight=sw_a, batch_size=4, verbose=0,
                                                                       return_dict=True).items()}
case["refusals"] = {
    "class_weight_two_outputs": refusal(lambda: model.fit(x4, [y_onehot, yb2], class_weight={0: 1.0}, verbose=0)),
    "one_array_not_per_sample": refusal(lambda: model.fit(x4, [y_onehot, yb2], sample_weight=np.ones((Nf, 2), np.float32), verbose=0)),
    "wrong_count": refusal(lambda: model.fit(x4, [y_onehot, yb2], sample_weight=[sw_a], verbose=0)),
}
MODEL_CASES.append(case)

meta = {"keras_version": keras.__version__, "jax_version": jax.__version__, "backend": keras.backend.backend()}
os.makedirs(OUT_DIR, exist_ok=True)


def write(name, obj):
    with open(os.path.join(OUT_DIR, name), "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


write("losses.json", {**meta, "cases": loss_records, "keras_refuses_per_sample_weights_on_sequence_losses": refuses_n_on_sequences})
write("metrics.json", {**meta, "cases": metric_records, "function_metric": function_record, "option_cases": option_records,
                       "log_names": log_names()})
write("models.json", {**meta, "cases": MODEL_CASES})
print(f"{len(loss_records)} losses, {len(metric_records)} metrics, {len(MODEL_CASES)} models")
