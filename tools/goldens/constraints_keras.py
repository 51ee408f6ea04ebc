"""Keras 3 golden fixtures for blasnet's weight constraints and activity regularizers.

Writes test/fixtures/constraints/constraints.json and test/fixtures/constraints/fits.json.
The JSON files are committed, so the TypeScript tests need no Python; rerun this only to
regenerate them (output is deterministic for a given Keras/JAX version):

    python3 -m venv /tmp/peers
    /tmp/peers/bin/pip install keras jax numpy
    KERAS_BACKEND=jax /tmp/peers/bin/python tools/goldens/constraints_keras.py

Everything runs in Keras's default float32, as blasnet computes.

constraints.json, per case: a constraint as Keras serialises it ({class_name, config}), a
weight (shape and values, in Keras's layout: Dense [in, units], Conv2D [kh, kw, in, filters],
Conv1D [k, in, filters], LSTM [in, 4u], GRU's bias [2, 3u], Embedding [vocab, dim]) and
Keras's projection of it (constraint(w)).

fits.json, per case: a Sequential model given as layer specs (`layer`: the Keras class,
`args`: its Keras arguments with constraints and regularizers as {class_name, config}), the
input and target batch, the loss, the initial weights (model.get_weights()), and after
`epochs` full-batch epochs of SGD (fit, shuffle=False): the logged loss of each epoch
(history; an epoch is one step, so it is the loss before that step's update, with the
activity and weight penalties), the final weights, and evaluate()'s loss on the same batch.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402
import keras  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(ROOT, "test", "fixtures", "constraints")
rng = np.random.default_rng(20261129)


def flat(a):
    """float32 values as the shortest decimals that round-trip to float32."""
    a = np.asarray(a)
    if np.issubdtype(a.dtype, np.integer):
        return [int(v) for v in a.reshape(-1)]
    return [float(str(np.float32(v))) for v in a.reshape(-1)]


def tensor(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "values": flat(a)}


def ser(obj):
    """A constraint or regularizer as {class_name, config} (tf.keras/TF.js form)."""
    s = keras.saving.serialize_keras_object(obj)
    return {"class_name": s["class_name"], "config": s["config"]}


# --------------------------------------------------------------------------------------------
# Each constraint applied to weights of each layer kind, on every axis that makes sense.

C = keras.constraints
SHAPES = {
    "dense_kernel": (3, 4),
    "conv2d_kernel": (2, 2, 3, 4),
    "conv1d_kernel": (3, 2, 4),
    "lstm_kernel": (3, 8),
    "gru_bias": (2, 6),
    "embeddings": (5, 3),
    "bias": (4,),
}
AXES = {
    "dense_kernel": [0, 1, -1, [0, 1], None],
    "conv2d_kernel": [[0, 1, 2], 3, -1, [0, 1], 2, None],
    "conv1d_kernel": [[0, 1], 0, 2],
    "lstm_kernel": [0, 1],
    "gru_bias": [0, 1],
    "embeddings": [0, 1],
    "bias": [0, -1, None],
}

cases = []
for weight, shape in SHAPES.items():
    w = rng.normal(0, 1.2, shape).astype(np.float32)
    w.reshape(-1)[0] = 0.0
    for axis in AXES[weight]:
        for c in [C.MaxNorm(max_value=1.5, axis=axis), C.MaxNorm(axis=axis), C.UnitNorm(axis=axis),
                  C.MinMaxNorm(min_value=0.5, max_value=1.25, rate=0.75, axis=axis), C.MinMaxNorm(axis=axis)]:
            cases.append({"weight": weight, "constraint": ser(c), "w": tensor(w), "out": tensor(np.asarray(c(w)))})
    cases.append({"weight": weight, "constraint": ser(C.NonNeg()), "w": tensor(w), "out": tensor(np.asarray(C.NonNeg()(w)))})

# A slice of zeros: the norm is 0 and epsilon keeps it finite (it stays 0).
z = np.zeros((3, 2), np.float32)
z[:, 1] = [3.0, -4.0, 0.0]
for c in [C.MaxNorm(max_value=1.0, axis=0), C.UnitNorm(axis=0), C.MinMaxNorm(min_value=0.5, axis=0)]:
    cases.append({"weight": "zero_column", "constraint": ser(c), "w": tensor(z), "out": tensor(np.asarray(c(z)))})

# --------------------------------------------------------------------------------------------
# Fits: SGD steps with constraints on every layer kind, and activity regularizers.


def maxnorm(v, axis=0):
    return ser(C.MaxNorm(max_value=v, axis=axis))


def minmax(lo, hi, rate, axis=0):
    return ser(C.MinMaxNorm(min_value=lo, max_value=hi, rate=rate, axis=axis))


NONNEG = ser(C.NonNeg())
R = keras.regularizers


def build(spec):
    """A Keras layer from a spec; a wrapper's `layer` argument is a spec too."""
    args = dict(spec["args"])
    if isinstance(args.get("layer"), dict):
        args["layer"] = build(args["layer"])
    return getattr(keras.layers, spec["layer"])(**args)


def shared_chain(inputs):
    """One Dense layer called twice: its activity penalty is added at each call (model(x).losses
    lists two). The JAX trainer, though, runs the model through stateless_call, which calls
    Model.call rather than __call__, so each layer call enters a new call context and clears
    that layer's earlier losses (Layer._get_call_context): its fit and evaluate count only the
    last call's penalty. The TF and torch trainers call the model (__call__) and count both.
    blasnet counts every call; the fixture records both numbers."""
    shared = keras.layers.Dense(3, activation="tanh", activity_regularizer=R.L2(0.1), kernel_constraint=C.MaxNorm(0.8))
    return keras.layers.Dense(1)(shared(shared(inputs)))


FUNCTIONAL = {"shared_chain": shared_chain}


def fit_case(id_, layers, input_shape, x, y, loss="mse", lr=0.5, epochs=3, input_dtype="float32", optimizer="SGD", functional=None):
    keras.utils.set_random_seed(7)
    inputs = keras.Input(shape=input_shape, dtype=input_dtype)
    if functional:
        model = keras.Model(inputs, FUNCTIONAL[functional](inputs))
    else:
        model = keras.Sequential([inputs] + [build(spec) for spec in layers])
    model.compile(optimizer=getattr(keras.optimizers, optimizer)(learning_rate=lr), loss=loss)
    initial = [np.asarray(w) for w in model.get_weights()]
    config = json.loads(json.dumps(model.get_config()))
    # An eager call: the penalty of each layer call, and the output loss, at the initial weights.
    y_pred = model(x)
    eager_losses = [float(v) for v in model.losses]
    output_loss = float(np.asarray(keras.losses.get(loss)(y, y_pred)).mean())
    history = model.fit(x, y, batch_size=len(x), epochs=epochs, shuffle=False, verbose=0)
    final = [np.asarray(w) for w in model.get_weights()]
    evaluated = model.evaluate(x, y, batch_size=len(x), verbose=0)
    return {
        "id": id_, "layers": layers, "functional": functional, "optimizer": optimizer, "input_shape": list(input_shape), "input_dtype": input_dtype,
        "x": tensor(x), "y": tensor(y), "loss": loss, "lr": lr, "epochs": epochs,
        "initial_weights": [tensor(w) for w in initial], "losses": [float(v) for v in history.history["loss"]],
        "final_weights": [tensor(w) for w in final], "evaluate_loss": float(evaluated),
        "eager_losses": eager_losses, "initial_output_loss": output_loss,
        "model_config": {"class_name": model.__class__.__name__, "config": config},
    }


def rand(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, shape).astype(np.float32)


fits = []
fits.append(fit_case("dense", [
    {"layer": "Dense", "args": {"units": 4, "activation": "tanh", "kernel_constraint": maxnorm(0.6), "bias_constraint": NONNEG}},
    {"layer": "Dense", "args": {"units": 2, "kernel_constraint": ser(C.UnitNorm(axis=1)), "bias_constraint": minmax(0.1, 0.3, 0.5)}},
], (3,), rand(5, 3), rand(5, 2)))
fits.append(fit_case("conv2d", [
    {"layer": "Conv2D", "args": {"filters": 3, "kernel_size": 2, "activation": "relu", "kernel_constraint": maxnorm(0.5, [0, 1, 2]), "bias_constraint": NONNEG}},
    {"layer": "Flatten", "args": {}},
    {"layer": "Dense", "args": {"units": 1, "kernel_constraint": maxnorm(0.4, None)}},
], (4, 4, 2), rand(3, 4, 4, 2), rand(3, 1)))
fits.append(fit_case("conv1d", [
    {"layer": "Conv1D", "args": {"filters": 2, "kernel_size": 3, "kernel_constraint": ser(C.UnitNorm(axis=[0, 1]))}},
    {"layer": "Flatten", "args": {}},
    {"layer": "Dense", "args": {"units": 1}},
], (5, 2), rand(4, 5, 2), rand(4, 1)))
fits.append(fit_case("lstm", [
    {"layer": "LSTM", "args": {"units": 3, "kernel_constraint": maxnorm(0.5), "recurrent_constraint": minmax(0.2, 0.4, 1.0, 1), "bias_constraint": NONNEG}},
    {"layer": "Dense", "args": {"units": 1}},
], (4, 2), rand(3, 4, 2), rand(3, 1)))
fits.append(fit_case("gru", [
    {"layer": "GRU", "args": {"units": 2, "return_sequences": True, "kernel_constraint": ser(C.UnitNorm(axis=0)), "bias_constraint": maxnorm(0.05, 0)}},
    {"layer": "Flatten", "args": {}},
    {"layer": "Dense", "args": {"units": 1}},
], (3, 2), rand(3, 3, 2), rand(3, 1)))
fits.append(fit_case("embedding", [
    {"layer": "Embedding", "args": {"input_dim": 6, "output_dim": 3, "embeddings_constraint": maxnorm(0.3, 1)}},
    {"layer": "Flatten", "args": {}},
    {"layer": "Dense", "args": {"units": 1}},
], (2,), rng.integers(0, 6, (4, 2)).astype(np.int32), rand(4, 1), input_dtype="int32"))
fits.append(fit_case("batchnorm", [
    {"layer": "BatchNormalization", "args": {"gamma_constraint": minmax(0.9, 0.95, 1.0), "beta_constraint": NONNEG, "gamma_regularizer": ser(R.L2(0.05))}},
    {"layer": "Dense", "args": {"units": 1}},
], (3,), rand(6, 3, lo=-2, hi=3), rand(6, 1)))
# Activity regularizers: the penalty of the layer's output over the batch size joins the loss.
fits.append(fit_case("activity_dense", [
    {"layer": "Dense", "args": {"units": 4, "activation": "relu", "activity_regularizer": ser(R.L2(0.05))}},
    {"layer": "Dense", "args": {"units": 3, "activation": "softmax", "activity_regularizer": ser(R.L1(0.1))}},
], (3,), rand(5, 3), np.eye(3, dtype=np.float32)[[0, 2, 1, 1, 0]], loss="categorical_crossentropy"))
fits.append(fit_case("activity_conv2d", [
    {"layer": "Conv2D", "args": {"filters": 2, "kernel_size": 2, "activation": "relu", "activity_regularizer": ser(R.L1L2(l1=0.01, l2=0.02))}},
    {"layer": "MaxPooling2D", "args": {"pool_size": 2}},
    {"layer": "Flatten", "args": {"activity_regularizer": ser(R.L2(0.03))}},
    {"layer": "Dense", "args": {"units": 1, "activation": "sigmoid", "activity_regularizer": ser(R.L2(0.2))}},
], (5, 5, 1), rand(4, 5, 5, 1), rng.integers(0, 2, (4, 1)).astype(np.float32), loss="binary_crossentropy"))
fits.append(fit_case("activity_lstm", [
    {"layer": "LSTM", "args": {"units": 3, "return_sequences": True, "activity_regularizer": ser(R.L1(0.02))}},
    {"layer": "LSTM", "args": {"units": 2, "activity_regularizer": ser(R.L2(0.1)), "kernel_regularizer": ser(R.L2(0.01))}},
    {"layer": "Dense", "args": {"units": 1}},
], (4, 2), rand(3, 4, 2), rand(3, 1)))
# Wrappers: Bidirectional builds its backward copy with the same constraints; its own
# activity regularizer is of the merged output. TimeDistributed runs the inner layer through
# layer.call, so the inner activity regularizer is not applied (the loss shows it).
fits.append(fit_case("bidirectional", [
    {"layer": "Bidirectional", "args": {"layer": {"layer": "LSTM", "args": {"units": 2, "kernel_constraint": maxnorm(0.4), "recurrent_constraint": NONNEG}},
                                        "activity_regularizer": ser(R.L2(0.1))}},
    {"layer": "Dense", "args": {"units": 1}},
], (3, 2), rand(3, 3, 2), rand(3, 1)))
fits.append(fit_case("time_distributed", [
    {"layer": "TimeDistributed", "args": {"layer": {"layer": "Dense", "args": {"units": 2, "kernel_constraint": maxnorm(0.3, 0), "activity_regularizer": ser(R.L2(0.5))}}}},
    {"layer": "Flatten", "args": {}},
    {"layer": "Dense", "args": {"units": 1}},
], (3, 2), rand(4, 3, 2), rand(4, 1), lr=0.1))
# Adam, and a convolution run with its max pooling as one step in blasnet.
fits.append(fit_case("adam_conv_pool", [
    {"layer": "Conv2D", "args": {"filters": 2, "kernel_size": 2, "activation": "relu", "kernel_constraint": ser(C.UnitNorm(axis=[0, 1, 2])), "bias_constraint": NONNEG}},
    {"layer": "MaxPooling2D", "args": {"pool_size": 2}},
    {"layer": "Flatten", "args": {}},
    {"layer": "Dense", "args": {"units": 1, "kernel_constraint": minmax(0.5, 0.7, 0.5)}},
], (5, 5, 1), rand(4, 5, 5, 1), rand(4, 1), lr=0.05, optimizer="Adam"))
fits.append(fit_case("shared_chain", [], (3,), rand(5, 3), rand(5, 1), functional="shared_chain"))

os.makedirs(OUT_DIR, exist_ok=True)
meta = {"keras": keras.__version__, "backend": keras.backend.backend()}
with open(os.path.join(OUT_DIR, "constraints.json"), "w") as f:
    json.dump({**meta, "cases": cases}, f)
with open(os.path.join(OUT_DIR, "fits.json"), "w") as f:
    json.dump({**meta, "cases": fits}, f)
print(f"{len(cases)} constraint cases, {len(fits)} fits -> {OUT_DIR}")
