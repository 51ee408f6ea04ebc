"""Keras 3 golden fixtures for blasnet's functional API.

Writes test/fixtures/functional/<name>.json (one file per model). The JSON
files are committed, so the TypeScript tests need no Python; rerun this only
to regenerate them (output is deterministic for a given Keras/JAX version):

    python3 -m venv /tmp/peers
    /tmp/peers/bin/pip install keras jax numpy h5py
    KERAS_BACKEND=jax /tmp/peers/bin/python tools/goldens/functional_keras.py

Every weight is set explicitly from numpy (fixed seed), so results do not
depend on Keras initialisers. For each trained model the file records the
inputs, targets, weights before, outputs (inference mode), the losses, and
the weights after exactly one train_on_batch with SGD(learning_rate=0.1)
over the whole batch. The residual model is also re-checked by hand with
numpy (forward, loss and SGD update); the other trained models' losses are
re-checked with numpy from Keras' outputs.
"""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(ROOT, "test", "fixtures", "functional")
LR = 0.1
EPS = 1e-7  # keras.backend.epsilon(), used to clip probabilities

NOTES = [
    "Total loss = sum over outputs of loss_weight[o] * loss_o (loss_weight "
    "defaults to 1); no division by the number of outputs. No regularisers "
    "here, so nothing else is added.",
    "Each loss_o uses reduction 'sum_over_batch_size': the loss function first "
    "reduces each sample over the last axis (mse: mean over last axis; "
    "binary_crossentropy: elementwise BCE then mean over last axis; "
    "categorical/sparse_categorical_crossentropy: -sum over classes), giving "
    "one value per sample, then the mean over the batch (sum / batch size).",
    "Crossentropies on probabilities (from_logits=False): categorical and "
    "sparse first renormalise p / sum(p, -1), then clip p to [1e-7, 1-1e-7] "
    "and take log; binary clips p to [1e-7, 1-1e-7] then "
    "-(t*log p + (1-t)*log(1-p)). Gradients flow through the clip (zero "
    "outside the range) and the renormalisation.",
    "sparse_categorical_crossentropy targets are int class ids, shape [batch] "
    "(shape [batch, 1] is squeezed).",
    "loss.per_output is unweighted; loss.total is the weighted sum; "
    "loss.train_on_batch is what train_on_batch returned (computed at "
    "weights_before, training=True, identical here since no dropout/BN).",
    "SGD(learning_rate=0.1, momentum=0): w_after = w_before - 0.1 * dTotal/dw, "
    "one step over the whole batch.",
    "Flatten of a channels_last Conv2D output [h, w, c] flattens in h, w, c "
    "order. Conv2D kernels are [kh, kw, in, out]; Dense kernels [in, out]; "
    "Embedding embeddings [vocab, dim]. Conv2D padding 'valid', stride 1.",
    "Numbers are float32 values written with their shortest round-trip "
    "decimal (read them back with Math.fround).",
]


# --------------------------------------------------------------------------
# JSON helpers


def f32list(a):
    a = np.asarray(a)
    if np.issubdtype(a.dtype, np.integer):
        return [int(v) for v in a.reshape(-1)]
    a = a.astype(np.float32).reshape(-1)
    assert np.all(np.isfinite(a))
    # str(np.float32) is the shortest decimal that round-trips to float32.
    return [f32(v) for v in a]


def f32(v):
    return float(str(np.float32(v)))


def tensor(a):
    a = np.asarray(a)
    dtype = "int32" if np.issubdtype(a.dtype, np.integer) else "float32"
    return {"shape": list(a.shape), "dtype": dtype, "data": f32list(a)}


def dumps(obj, indent=0):
    """JSON with nested dicts indented but lists of scalars on one line."""
    pad = " " * indent
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [
            f'{pad} {json.dumps(k)}: {dumps(v, indent + 1)}' for k, v in obj.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list):
        if all(not isinstance(v, (dict, list)) for v in obj):
            return json.dumps(obj, separators=(",", ":"))
        items = [f"{pad} {dumps(v, indent + 1)}" for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(obj)


def weight_records(model):
    out = []
    for v in model.weights:
        path = v.path
        out.append(
            {
                "layer": path.split("/")[0],
                "name": path,
                **{k: x for k, x in tensor(np.asarray(v.numpy())).items() if k != "dtype"},
            }
        )
    return out


def set_weights(model, rng, scale=1.0):
    for v in model.weights:
        v.assign((rng.uniform(-0.5, 0.5, tuple(v.shape)) * scale).astype(np.float32))


def as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


# --------------------------------------------------------------------------
# numpy reference losses (per output, before weighting)


def np_loss(kind, t, p):
    p = p.astype(np.float64)
    if kind == "mse":
        per = np.mean((p - t) ** 2, axis=-1)
    elif kind == "binary_crossentropy":
        q = np.clip(p, EPS, 1 - EPS)
        per = np.mean(-(t * np.log(q) + (1 - t) * np.log(1 - q)), axis=-1)
    elif kind == "categorical_crossentropy":
        q = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
        per = -np.sum(t * np.log(q), axis=-1)
    elif kind == "sparse_categorical_crossentropy":
        q = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
        per = -np.log(q[np.arange(len(t)), t.astype(int)])
    else:
        raise ValueError(kind)
    return float(np.mean(per))


# --------------------------------------------------------------------------
# models


def build_two_input():
    img = keras.Input((6, 6, 1), name="image")
    vec = keras.Input((5,), name="vec")
    x = layers.Conv2D(2, 3, activation="relu", name="conv")(img)
    x = layers.Flatten(name="flatten")(x)
    y = layers.Dense(4, activation="relu", name="branch")(vec)
    z = layers.Concatenate(axis=-1, name="concat")([x, y])
    out = layers.Dense(3, activation="softmax", name="head")(z)
    return keras.Model([img, vec], out, name="two_input")


def build_residual():
    inp = keras.Input((6,), name="x")
    d1 = layers.Dense(6, name="d1")(inp)
    a = layers.Add(name="add")([inp, d1])
    a = layers.Activation("relu", name="act")(a)
    out = layers.Dense(2, name="out")(a)
    return keras.Model(inp, out, name="residual")


def build_siamese():
    left = keras.Input((5,), dtype="int32", name="left")
    right = keras.Input((5,), dtype="int32", name="right")
    emb = layers.Embedding(10, 4, name="emb")
    pool = layers.GlobalAveragePooling1D(name="pool")
    l = pool(emb(left))
    r = pool(emb(right))
    m = layers.Multiply(name="mul")([l, r])
    out = layers.Dense(1, activation="sigmoid", name="out")(m)
    return keras.Model([left, right], out, name="siamese")


def build_two_output():
    inp = keras.Input((4,), name="x")
    h = layers.Dense(5, activation="relu", name="trunk")(inp)
    cls = layers.Dense(3, activation="softmax", name="cls")(h)
    reg = layers.Dense(1, name="reg")(h)
    return keras.Model(inp, [cls, reg], name="two_output")


def build_merges():
    a = keras.Input((3,), name="a")
    b = keras.Input((3,), name="b")
    outs = [
        layers.Subtract(name="sub")([a, b]),
        layers.Average(name="avg")([a, b]),
        layers.Maximum(name="max")([a, b]),
        layers.Minimum(name="min")([a, b]),
        layers.Dot(axes=1, name="dot")([a, b]),
        layers.Dot(axes=1, normalize=True, name="cos")([a, b]),
    ]
    return keras.Model([a, b], outs, name="merges")


def one_hot(ids, n):
    return np.eye(n, dtype=np.float32)[ids]


def make_cases(rng):
    B = 4
    cases = []

    cases.append(
        dict(
            name="two_input",
            build=build_two_input,
            inputs={
                "image": rng.uniform(-1, 1, (B, 6, 6, 1)).astype(np.float32),
                "vec": rng.uniform(-1, 1, (B, 5)).astype(np.float32),
            },
            targets={"head": one_hot(rng.integers(0, 3, B), 3)},
            loss={"head": "categorical_crossentropy"},
            loss_weights=None,
        )
    )
    cases.append(
        dict(
            name="residual",
            build=build_residual,
            inputs={"x": rng.uniform(-1, 1, (B, 6)).astype(np.float32)},
            targets={"out": rng.uniform(-1, 1, (B, 2)).astype(np.float32)},
            loss={"out": "mse"},
            loss_weights=None,
        )
    )
    cases.append(
        dict(
            name="siamese",
            build=build_siamese,
            inputs={
                "left": rng.integers(0, 10, (B, 5)).astype(np.int32),
                "right": rng.integers(0, 10, (B, 5)).astype(np.int32),
            },
            targets={"out": np.array([[1], [0], [1], [0]], np.float32)},
            loss={"out": "binary_crossentropy"},
            loss_weights=None,
            # Larger embeddings so the product and the sigmoid are not ~0.5.
            scale=3.0,
        )
    )
    cases.append(
        dict(
            name="two_output",
            build=build_two_output,
            inputs={"x": rng.uniform(-1, 1, (B, 4)).astype(np.float32)},
            targets={
                "cls": np.array([0, 2, 1, 2], np.int32),
                "reg": rng.uniform(-1, 1, (B, 1)).astype(np.float32),
            },
            loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"},
            loss_weights={"cls": 1.0, "reg": 0.5},
        )
    )
    a = rng.uniform(-1, 1, (B, 3)).astype(np.float32)
    b = rng.uniform(-1, 1, (B, 3)).astype(np.float32)
    cases.append(
        dict(
            name="merges",
            build=build_merges,
            inputs={"a": a, "b": b},
            targets=None,
        )
    )
    return cases


# --------------------------------------------------------------------------
# hand check of the residual model


def check_residual(inputs, targets, before, outputs, loss_total, after):
    w = {r["name"]: np.array(r["data"], np.float64).reshape(r["shape"]) for r in before}
    x = inputs["x"].astype(np.float64)
    t = targets["out"].astype(np.float64)
    W1, b1, W2, b2 = w["d1/kernel"], w["d1/bias"], w["out/kernel"], w["out/bias"]
    z = x + (x @ W1 + b1)
    a = np.maximum(z, 0)
    y = a @ W2 + b2
    loss = np.mean(np.mean((y - t) ** 2, axis=-1))
    g = 2 * (y - t) / y.size  # d mean((y-t)^2) / dy, mean over batch and last axis
    dW2, db2 = a.T @ g, g.sum(0)
    dz = (g @ W2.T) * (z > 0)
    dW1, db1 = x.T @ dz, dz.sum(0)
    expect = {
        "d1/kernel": W1 - LR * dW1,
        "d1/bias": b1 - LR * db1,
        "out/kernel": W2 - LR * dW2,
        "out/bias": b2 - LR * db2,
    }
    err = max(
        np.max(np.abs(y - np.asarray(outputs["out"]))),
        abs(loss - loss_total),
        *(
            np.max(np.abs(expect[r["name"]] - np.array(r["data"]).reshape(r["shape"])))
            for r in after
        ),
    )
    assert 0 < np.mean(z > 0) < 1, "relu should be partly active"
    assert err < 1e-5, f"residual hand check failed: max err {err}"
    return err


# --------------------------------------------------------------------------


def run_case(case, rng):
    keras.utils.set_random_seed(0)
    model = case["build"]()
    set_weights(model, rng, case.get("scale", 1.0))
    in_names = [t.name for t in model.inputs]  # keras.Input(name=...) names
    x = [case["inputs"][n] for n in in_names]
    out_names = list(model.output_names)
    x_arg = x if len(x) > 1 else x[0]

    doc = {
        "name": case["name"],
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "jax_version": __import__("jax").__version__,
        "input_order": in_names,
        "output_order": out_names,
        "model_config": json.loads(model.to_json()),
        "inputs": {n: tensor(case["inputs"][n]) for n in in_names},
    }
    before = weight_records(model)

    preds = as_list(model(x_arg, training=False))
    outputs = {n: np.asarray(p) for n, p in zip(out_names, preds)}
    # model.predict agrees with the direct call.
    for n, p in zip(out_names, as_list(model.predict(x_arg, batch_size=len(x[0]), verbose=0))):
        assert np.allclose(p, outputs[n], atol=1e-6), n

    summary = f"{case['name']}: outputs " + ", ".join(
        f"{n}{list(outputs[n].shape)}" for n in out_names
    )
    if case["targets"] is None:
        doc["notes"] = ["Forward only (model(x, training=False)); no training."]
        doc["weights_before"] = before
        doc["outputs"] = {n: tensor(outputs[n]) for n in out_names}
        return doc, summary

    opt = keras.optimizers.SGD(learning_rate=LR, name="sgd")
    model.compile(optimizer=opt, loss=case["loss"], loss_weights=case["loss_weights"])
    y = [case["targets"][n] for n in out_names]
    y_arg = y if len(y) > 1 else y[0]

    ev = model.evaluate(x_arg, y_arg, batch_size=len(x[0]), verbose=0, return_dict=True)
    ev = {k: float(v) for k, v in ev.items()}
    # Unweighted per-output losses from Keras' loss functions (per-sample
    # values, then the batch mean), checked against numpy in float64.
    per_output = {
        n: float(np.mean(keras.losses.get(case["loss"][n])(case["targets"][n], outputs[n])))
        for n in out_names
    }
    for n in out_names:
        ref = np_loss(case["loss"][n], case["targets"][n], outputs[n])
        assert abs(per_output[n] - ref) < 1e-5, (case["name"], n, per_output[n], ref)
    weights = case["loss_weights"] or {n: 1.0 for n in out_names}
    np_total = sum(weights[n] * per_output[n] for n in out_names)
    cl = float(model.compute_loss(x=None, y=y_arg, y_pred=preds if len(preds) > 1 else preds[0]))

    tob = model.train_on_batch(x_arg, y_arg)
    tob = float(as_list(tob)[0])
    after = weight_records(model)

    for k, v in (("evaluate", ev["loss"]), ("compute_loss", cl), ("train_on_batch", tob)):
        assert abs(v - np_total) < 1e-5 * max(1.0, abs(np_total)), (case["name"], k, v, np_total)
    for n in out_names:  # per-output metrics reported by evaluate (multi-output only)
        if f"{n}_loss" in ev:
            assert abs(ev[f"{n}_loss"] - per_output[n]) < 1e-5, (n, ev, per_output)

    doc["notes"] = NOTES
    doc["compile"] = {
        "loss": case["loss"],
        "loss_weights": case["loss_weights"],
        "optimizer": {k: v for k, v in opt.get_config().items()},
    }
    doc["targets"] = {n: tensor(case["targets"][n]) for n in out_names}
    doc["weights_before"] = before
    doc["outputs"] = {n: tensor(outputs[n]) for n in out_names}
    doc["loss"] = {
        "per_output": {n: f32(per_output[n]) for n in out_names},
        "loss_weights": weights,
        "total": f32(cl),
        "evaluate": {k: f32(v) for k, v in ev.items()},
        "train_on_batch": f32(tob),
    }
    doc["weights_after_sgd"] = after

    if case["name"] == "residual":
        err = check_residual(case["inputs"], case["targets"], before, outputs, cl, after)
        summary += f"; numpy hand check (forward, loss, SGD) max err {err:.2e}"
    max_step = max(
        float(np.max(np.abs(np.array(a["data"]) - np.array(b["data"])))) for a, b in zip(before, after)
    )
    summary += f"; loss {cl:.6f} (" + ", ".join(
        f"{n} {per_output[n]:.6f}" for n in out_names
    ) + f"); max |dw| {max_step:.3g}"
    return doc, summary


def main():
    rng = np.random.default_rng(20240607)
    os.makedirs(OUT_DIR, exist_ok=True)
    for case in make_cases(rng):
        doc, summary = run_case(case, rng)
        path = os.path.join(OUT_DIR, case["name"] + ".json")
        with open(path, "w") as f:
            f.write(dumps(doc) + "\n")
        print(f"{summary}; {os.path.getsize(path)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
