"""Helpers shared by the Keras golden scripts: float32 inputs, JSON-exact numbers, reference math.

Import after the script has set KERAS_BACKEND and enabled jax_enable_x64 (as each script does first).
"""

import keras
import numpy as np


def f32(a):
    return np.asarray(a, dtype=np.float32)


def flat(a):
    """float32 values as the shortest decimals that round-trip to float32 (ints as ints)."""
    a = np.asarray(a)
    if np.issubdtype(a.dtype, np.integer):
        return [int(v) for v in a.reshape(-1)]
    return [float(str(np.float32(v))) for v in a.reshape(-1)]


def exact(a):
    """float64 results, written with repr (17 significant digits)."""
    return [float(v) for v in np.asarray(a, dtype=np.float64).reshape(-1)]


def softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def one_hot(labels, k):
    return np.eye(k, dtype=np.float32)[labels]


def rel_close(a, b, tol=1e-5):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return np.all(np.abs(a - b) <= tol * np.maximum(1.0, np.maximum(np.abs(a), np.abs(b))))


def with_floatx(dtype, fn):
    """Runs fn with Keras's floatx set to dtype, then back to float64 (the scripts' default)."""
    keras.config.set_floatx(dtype)
    try:
        return fn()
    finally:
        keras.config.set_floatx("float64")


def max_abs_per_sample(y_true, y_pred):
    return keras.ops.max(keras.ops.abs(y_true - y_pred), axis=-1)
