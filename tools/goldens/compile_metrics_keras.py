"""Keras 3 golden fixtures for how compile reads `metrics` / `weighted_metrics`.

Writes test/fixtures/compile-metrics/models.json. The JSON is committed, so the TypeScript
tests need no Python; rerun this only to regenerate it (deterministic for a given Keras/JAX
version):

    KERAS_BACKEND=jax /tmp/peers/bin/python tools/goldens/compile_metrics_keras.py

Keras 3 (trainers/compile_utils.py, CompileMetrics._build_metrics_set): with one output every
metric of the (flattened) list applies to it; with several outputs a list with one entry per
output pairs them by position (an entry is a metric, a list of metrics or None), a dict names
the outputs, anything else is a ValueError. 'accuracy' / 'acc' (get_metric +
is_binary_or_sparse_categorical) is binary accuracy when the prediction has one value per row,
sparse categorical when y_true has a lower rank or a last dim of 1 against several, categorical
otherwise - whatever the loss.

`cases`: tiny models (one Dense per output on a shared input, weights set from numpy), the
logs of evaluate (with per-output sample weights, batch size 4) and then of one epoch of fit
(SGD 0.1, no shuffling). `refusals`: what Keras raises for metrics it cannot pair with the outputs.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402
import keras  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(ROOT, "test", "fixtures", "compile-metrics")
rng = np.random.default_rng(20261129)
N, D = 8, 3


def arr(a):
    a = np.asarray(a)
    if np.issubdtype(a.dtype, np.integer):
        return {"shape": list(a.shape), "values": [int(v) for v in a.reshape(-1)]}
    return {"shape": list(a.shape), "values": [float(str(np.float32(v))) for v in a.reshape(-1)]}


# Output kinds: units, activation, loss, and targets as the user gives them.
def one_hot(labels, k):
    return np.eye(k, dtype=np.float32)[labels]


KINDS = {
    "regression": (1, None, "mse", lambda: rng.normal(size=(N, 1)).astype(np.float32)),
    "binary": (1, "sigmoid", "binary_crossentropy", lambda: rng.integers(0, 2, (N, 1)).astype(np.float32)),
    "multilabel": (2, "sigmoid", "binary_crossentropy", lambda: rng.integers(0, 2, (N, 2)).astype(np.float32)),
    "onehot": (3, "softmax", "categorical_crossentropy", lambda: one_hot(rng.integers(0, 3, N), 3)),
    "sparse": (3, "softmax", "sparse_categorical_crossentropy", lambda: rng.integers(0, 3, N).astype(np.int32)),
    "sparse_col": (3, "softmax", "sparse_categorical_crossentropy", lambda: rng.integers(0, 3, (N, 1)).astype(np.int32)),
}


def build(outputs):
    """outputs: [(name, kind)]. One Dense per output on the input 'x'."""
    inp = keras.Input((D,), name="x")
    outs, weights = [], {}
    for name, kind in outputs:
        units, act, _, _ = KINDS[kind]
        layer = keras.layers.Dense(units, activation=act, name=name)
        outs.append(layer(inp))
        kernel = (rng.normal(size=(D, units)) * 0.8).astype(np.float32)
        bias = (rng.normal(size=units) * 0.2).astype(np.float32)
        layer.set_weights([kernel, bias])
        weights[name] = [arr(kernel), arr(bias)]
    return keras.Model(inp, outs if len(outs) > 1 else outs[0]), weights


def case(id, outputs, metrics=None, weighted_metrics=None):
    model, weights = build(outputs)
    losses = [KINDS[k][2] for _, k in outputs]
    x = rng.normal(size=(N, D)).astype(np.float32)
    ys = [KINDS[k][3]() for _, k in outputs]
    sws = [rng.uniform(0.2, 2.0, N).astype(np.float32) for _ in outputs]
    single = len(outputs) == 1
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss=losses[0] if single else losses,
                  metrics=metrics, weighted_metrics=weighted_metrics)
    y_arg, sw_arg = (ys[0], sws[0]) if single else (ys, sws)
    evaluate = model.evaluate(x, y_arg, sample_weight=sw_arg, batch_size=4, verbose=0, return_dict=True)
    history = model.fit(x, y_arg, sample_weight=sw_arg, batch_size=4, epochs=1, shuffle=False, verbose=0).history
    return {
        "id": id, "outputs": [{"name": n, "kind": k, "units": KINDS[k][0], "activation": KINDS[k][1], "loss": KINDS[k][2]} for n, k in outputs],
        "metrics": metrics, "weighted_metrics": weighted_metrics, "weights": weights,
        "x": arr(x), "y": [arr(y) for y in ys], "sample_weight": [arr(w) for w in sws],
        "evaluate": {k: float(v) for k, v in evaluate.items()},
        "fit": {k: float(v[0]) for k, v in history.items()},
    }


cases = [case(f"accuracy_{kind}", [("out", kind)], ["accuracy"], ["acc"])
         for kind in ["binary", "multilabel", "onehot", "sparse", "sparse_col", "regression"]]
cases += [
    # The red team's case: one entry per output, paired by position.
    case("positional", [("reg", "regression"), ("cls", "sparse")], ["mae", "accuracy"], ["mse", "acc"]),
    case("list_of_lists", [("tags", "multilabel"), ("cls", "onehot")], [["accuracy", "mae"], ["accuracy"]], [None, ["accuracy", "mse"]]),
    case("mixed_entries", [("bin", "binary"), ("cls", "sparse_col")], ["accuracy", ["acc"]], [["mae"], "accuracy"]),
    case("dict", [("reg", "regression"), ("cls", "onehot"), ("sp", "sparse")], {"cls": ["accuracy"]}, {"reg": "mae", "sp": ["accuracy"]}),
    case("accuracy_each_kind", [("b", "binary"), ("m", "multilabel"), ("o", "onehot"), ("s", "sparse"), ("c", "sparse_col")],
         ["accuracy"] * 5, [[], "acc", None, ["acc"], "accuracy"]),
    case("single_output_nested", [("out", "regression")], [["accuracy"], ["mae"]]),
]


def refusal(id, outputs, **kw):
    model, _ = build(outputs)
    single = len(outputs) == 1
    losses = [KINDS[k][2] for _, k in outputs]
    x = rng.normal(size=(N, D)).astype(np.float32)
    ys = [KINDS[k][3]() for _, k in outputs]
    try:
        model.compile(optimizer="sgd", loss=losses[0] if single else losses, **kw)
        model.evaluate(x, ys[0] if single else ys, verbose=0)
    except ValueError as e:
        return {"id": id, "outputs": [n for n, _ in outputs], "compile": kw, "keras_error": str(e).splitlines()[0]}
    raise AssertionError(f"Keras accepted {id}")


two = [("reg", "regression"), ("cls", "sparse")]
refusals = [
    refusal("one_string_two_outputs", two, metrics="accuracy"),
    refusal("one_entry_two_outputs", two, metrics=["accuracy"]),
    refusal("three_entries_two_outputs", two, metrics=["mae", "accuracy", "mse"]),
    refusal("three_lists_two_outputs", two, metrics=[["mae"], ["accuracy"], ["mse"]]),
    refusal("weighted_three_entries", two, weighted_metrics=["mae", "accuracy", "mse"]),
    refusal("weighted_one_string", two, weighted_metrics="mae"),
    refusal("one_string_one_output", [("out", "sparse")], metrics="accuracy"),
]

os.makedirs(OUT_DIR, exist_ok=True)
with open(os.path.join(OUT_DIR, "models.json"), "w") as f:
    json.dump({"keras": keras.__version__, "backend": keras.backend.backend(), "cases": cases, "refusals": refusals}, f, indent=1)
    f.write("\n")
for c in cases:
    print(c["id"], c["evaluate"], c["fit"])
for r in refusals:
    print(r["id"], r["keras_error"][:100])
