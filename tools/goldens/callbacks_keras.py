"""Keras 3 golden fixtures for blasnet's built-in callbacks.

Writes test/fixtures/callbacks/callbacks.json. The JSON file is committed, so the TypeScript
test (test/models/callbacks-keras.test.ts) needs no Python; rerun this only to regenerate it:

    python3 -m venv /tmp/peers
    /tmp/peers/bin/pip install keras jax numpy
    KERAS_BACKEND=jax /tmp/peers/bin/python tools/goldens/callbacks_keras.py

Each case drives one Keras callback as fit does (set_model, on_train_begin, then per epoch
on_epoch_begin and on_epoch_end(epoch, logs) until model.stop_training, then on_train_end) on
a tiny compiled model (Dense(1) on one feature, SGD at `lr`), with a scripted list of epoch
logs. Before each epoch ends, the kernel is set to the epoch number, so the kernel after
on_train_end names the epoch whose weights are restored. Recorded per case: the epochs that
ran, stop_training after each, the learning rate after each epoch's end (the optimizer's
float32 variable, as a double), the logs as the callback left them (learning_rate added), the
kernel at the end, and for ModelCheckpoint the epochs that wrote a file. TerminateOnNaN is
driven per batch with on_batch_end(batch, {loss}); `raised` says whether it raised.
Learning-rate schedules are named (`schedule`) and defined the same way in the test.
"""

import json
import math
import os
import tempfile

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402
import keras  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(ROOT, "test", "fixtures", "callbacks")

SCHEDULES = {
    "decay": lambda epoch, lr: lr * 0.9,
    "step": lambda epoch, lr: 0.05 if epoch >= 2 else lr,
    "linear": lambda epoch, lr: 0.01 * (epoch + 1),
}


def model_for(lr):
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse")
    return model


def num(v):
    """JSON has no NaN or infinities: they are written as strings."""
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return str(v)
    return v


def run(kind, args, logs, lr=0.1, schedule=None):
    model = model_for(lr)
    tmp = tempfile.mkdtemp()
    make = {
        "EarlyStopping": lambda: keras.callbacks.EarlyStopping(**args),
        "ReduceLROnPlateau": lambda: keras.callbacks.ReduceLROnPlateau(**args),
        "LearningRateScheduler": lambda: keras.callbacks.LearningRateScheduler(SCHEDULES[schedule]),
        "ModelCheckpoint": lambda: keras.callbacks.ModelCheckpoint(os.path.join(tmp, "m-{epoch:02d}.keras"), **args),
    }[kind]
    cb = make()
    cb.set_model(model)
    model.stop_training = False
    cb.on_train_begin()
    epochs = []
    saved = []
    for epoch, entry in enumerate(logs):
        cb.on_epoch_begin(epoch)
        model.layers[0].kernel.assign(np.array([[float(epoch)]], np.float32))
        entry = {k: float(v) for k, v in entry.items()}
        before = set(os.listdir(tmp))
        cb.on_epoch_end(epoch, entry)
        if set(os.listdir(tmp)) - before:
            saved.append(epoch)
        epochs.append({
            "epoch": epoch,
            "stop": bool(model.stop_training),
            "lr": float(np.asarray(model.optimizer.learning_rate)),
            "logs": {k: num(v) for k, v in entry.items()},
        })
        if model.stop_training:
            break
    cb.on_train_end()
    out = {
        "callback": kind, "args": args, "lr": lr,
        "logs": [{k: num(float(v)) for k, v in e.items()} for e in logs],
        "epochs": epochs, "kernel": float(np.asarray(model.layers[0].kernel)[0, 0]),
    }
    if schedule:
        out["schedule"] = schedule
    if kind == "ModelCheckpoint":
        out["saved"] = saved
    if kind == "EarlyStopping":
        out["stopped_epoch"] = cb.stopped_epoch
        out["best_epoch"] = cb.best_epoch
    return out


def losses(*values, key="val_loss"):
    return [{key: v, "loss": 1.0} for v in values]


nan, inf = float("nan"), float("inf")
cases = []
ES = "EarlyStopping"
cases.append(run(ES, {}, losses(1.0, 0.9, 0.95, 0.8)))
cases.append(run(ES, {"patience": 2, "min_delta": 0.05}, losses(1.0, 0.97, 0.9, 0.88, 0.87, 0.86, 0.85)))
cases.append(run(ES, {"patience": 1, "min_delta": -0.05}, losses(1.0, 0.97, 0.9, 0.88, 0.87)))
cases.append(run(ES, {"monitor": "val_accuracy", "mode": "max", "patience": 1}, losses(0.5, 0.6, 0.6, 0.55, 0.7, key="val_accuracy")))
cases.append(run(ES, {"monitor": "loss", "patience": 1}, [{"loss": v} for v in (1.0, 0.5, 0.6, 0.7)]))
cases.append(run(ES, {"monitor": "val_mae", "mode": "min", "patience": 1, "min_delta": 0.1}, losses(1.0, 0.95, 0.8, 0.75, 0.7, key="val_mae")))
cases.append(run(ES, {"baseline": 0.5, "patience": 2}, losses(0.9, 0.8, 0.7, 0.6, 0.4)))
cases.append(run(ES, {"baseline": 0.5, "patience": 2}, losses(0.9, 0.45, 0.7, 0.6, 0.55)))
cases.append(run(ES, {"monitor": "val_accuracy", "mode": "max", "baseline": 0.8, "patience": 3}, losses(0.5, 0.9, 0.85, 0.86, 0.87, 0.88, key="val_accuracy")))
cases.append(run(ES, {"patience": 2, "restore_best_weights": True}, losses(0.5, 0.4, 0.45, 0.6, 0.3)))
cases.append(run(ES, {"patience": 5, "restore_best_weights": True}, losses(0.5, 0.4, 0.45, 0.6)))
cases.append(run(ES, {"patience": 1, "restore_best_weights": True, "start_from_epoch": 2}, losses(0.1, 0.2, 0.9, 0.8, 0.85, 0.86)))
cases.append(run(ES, {"patience": 0, "start_from_epoch": 3}, losses(1.0, 2.0, 3.0, 0.5, 0.6, 0.7)))
cases.append(run(ES, {"patience": 0, "restore_best_weights": True, "baseline": 0.3}, losses(0.5, 0.4, 0.35)))
# Keras compares in float32: a change below float32's resolution is no improvement.
cases.append(run(ES, {"patience": 1}, losses(0.5, 0.5 - 1e-9, 0.5 - 2e-9, 0.4)))
cases.append(run(ES, {"patience": 1, "min_delta": 1e-3}, losses(0.5, 0.499, 0.498, 0.4969)))
# NaN and infinity: the first value is always the best so far.
cases.append(run(ES, {"patience": 1}, losses(nan, 0.5, 0.4)))
cases.append(run(ES, {"patience": 1}, losses(0.5, nan, 0.4, 0.3)))
cases.append(run(ES, {"patience": 1}, losses(inf, 0.5, 0.4)))
cases.append(run(ES, {"patience": 1, "mode": "max", "monitor": "val_accuracy"}, losses(-inf, 0.5, 0.4, key="val_accuracy")))

RL = "ReduceLROnPlateau"
cases.append(run(RL, {"factor": 0.5, "patience": 1}, losses(1.0, 1.0, 1.0, 1.0, 1.0, 1.0)))
cases.append(run(RL, {"factor": 0.5, "patience": 1, "cooldown": 2}, losses(*[1.0] * 9)))
cases.append(run(RL, {"factor": 0.5, "patience": 2, "cooldown": 1}, losses(1.0, 0.9, 0.95, 0.96, 0.8, 0.85, 0.86, 0.87, 0.88, 0.89)))
cases.append(run(RL, {"factor": 0.5, "patience": 1, "min_lr": 0.02}, losses(*[1.0] * 6)))
cases.append(run(RL, {"factor": 0.3, "patience": 1, "min_lr": 0.01}, losses(*[1.0] * 6), lr=0.1))
cases.append(run(RL, {"monitor": "val_accuracy", "mode": "max", "factor": 0.2, "patience": 1, "min_delta": 0.01}, losses(0.5, 0.505, 0.52, 0.525, 0.6, key="val_accuracy")))
cases.append(run(RL, {"factor": 0.5, "patience": 1}, losses(1.0, 1.0 - 5e-5, 1.0 - 1e-4, 1.0 - 2.5e-4, 0.9)))
cases.append(run(RL, {"factor": 0.5, "patience": 1, "min_delta": -0.1}, losses(1.0, 1.05, 1.0, 0.95)))
cases.append(run(RL, {"factor": 0.5, "patience": 1}, losses(nan, 1.0, 0.5, 0.4)))
cases.append(run(RL, {"factor": 0.5, "patience": 1, "monitor": "loss"}, [{"loss": v} for v in (1.0, 0.5, 0.6, 0.7, 0.4)]))
cases.append(run(RL, {"factor": 0.1, "patience": 1}, losses(*[1.0] * 5), lr=0.3))
cases.append(run(RL, {"factor": 0.0, "patience": 1}, losses(*[1.0] * 4)))

LR = "LearningRateScheduler"
for name in SCHEDULES:
    cases.append(run(LR, {}, losses(*[1.0] * 5), schedule=name))

MC = "ModelCheckpoint"
cases.append(run(MC, {}, losses(1.0, 0.9, 0.95)))
cases.append(run(MC, {"save_best_only": True}, losses(1.0, 0.9, 0.95, 0.9, 0.5)))
cases.append(run(MC, {"save_best_only": True, "mode": "max", "monitor": "val_accuracy"}, losses(0.5, 0.4, 0.6, 0.6, 0.7, key="val_accuracy")))
cases.append(run(MC, {"save_best_only": True, "initial_value_threshold": 0.8}, losses(1.0, 0.9, 0.7, 0.75, 0.6)))
cases.append(run(MC, {"save_best_only": True, "monitor": "loss"}, [{"loss": v} for v in (1.0, 0.5, 0.5, 0.4)]))
cases.append(run(MC, {"save_best_only": True}, losses(nan, 0.5, 0.4)))
cases.append(run(MC, {"save_best_only": True}, losses(0.5, 0.5 - 1e-9, 0.4)))


def terminate(losses_, raise_error=False):
    model = model_for(0.1)
    cb = keras.callbacks.TerminateOnNaN(raise_error=raise_error)
    cb.set_model(model)
    model.stop_training = False
    stopped, raised = None, False
    for batch, v in enumerate(losses_):
        try:
            cb.on_batch_end(batch, {"loss": v})
        except RuntimeError:
            raised = True
            stopped = batch
            break
        if model.stop_training:
            stopped = batch
            break
    return {"callback": "TerminateOnNaN", "args": {"raise_error": raise_error} if raise_error else {},
            "batch_losses": [num(v) for v in losses_], "stopped_batch": stopped, "raised": raised}


cases.append(terminate([1.0, 2.0, nan, 3.0]))
cases.append(terminate([1.0, inf, 3.0]))
cases.append(terminate([1.0, -inf]))
cases.append(terminate([1.0, 2.0, 3.0]))
cases.append(terminate([1.0, nan], raise_error=True))

os.makedirs(OUT_DIR, exist_ok=True)
with open(os.path.join(OUT_DIR, "callbacks.json"), "w") as f:
    json.dump({"keras": keras.__version__, "backend": keras.backend.backend(), "cases": cases}, f, indent=1)
print(f"{len(cases)} cases -> {OUT_DIR}")
