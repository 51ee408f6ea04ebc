"""Keras 3 golden fixtures for blasnet's masking (Embedding(mask_zero=True) and
what consumes its mask) and for pad_sequences.

Writes test/fixtures/masking/masking.json. The file is committed, so the
TypeScript tests need no Python; rerun this only to regenerate it (output is
deterministic for a given Keras/JAX version):

    python3 -m venv /tmp/peers
    /tmp/peers/bin/pip install keras jax numpy
    KERAS_BACKEND=jax /tmp/peers/bin/python tools/goldens/masking_keras.py

Every weight is set explicitly from numpy (fixed seed). For each model the file
records the (left-padded) inputs, targets, weights before, outputs in inference
mode, the loss and metrics of evaluate, the loss train_on_batch returned, and
the weights after exactly one train_on_batch with SGD(learning_rate=0.1).
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "test", "fixtures", "masking", "masking.json")
LR = 0.1
V, D, T = 9, 3, 5

NOTES = [
    "Inputs are left-padded with 0 (pad_sequences' default); index 0 is masked.",
    "Masked RNN steps carry h and c over and output the previous h "
    "(zero_output_for_mask=False); inside Bidirectional with return_sequences "
    "the masked outputs are 0 (Keras forces zero_output_for_mask).",
    "The loss of an output with a mask weighs kept positions total/valid and "
    "masked ones 0 (keras/src/losses/loss.py apply_mask); metrics weigh them "
    "1 and 0.",
    "Numbers are float32 values written with their shortest round-trip "
    "decimal (read them back with Math.fround).",
]


def f32(a):
    return [float(np.float32(v)) for v in np.asarray(a, dtype=np.float32).ravel()]


def ragged(rng, n, lo=1):
    """n sequences of 1..T indices in [1, V)."""
    return [list(rng.integers(1, V, size=int(rng.integers(lo, T + 1)))) for _ in range(n)]


def set_weights(model, rng):
    ws = [rng.uniform(-0.6, 0.6, size=w.shape).astype(np.float32) for w in model.get_weights()]
    model.set_weights(ws)
    return ws


def record(name, model, x, y, loss, metrics, rng, note, sample_weight=None, weighted_metrics=None):
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=LR), loss=loss, metrics=metrics,
                  weighted_metrics=weighted_metrics)
    before = set_weights(model, rng)
    outputs = model.predict(x, verbose=0)
    evaluated = model.evaluate(x, y, verbose=0, return_dict=True, sample_weight=sample_weight)
    trained = model.train_on_batch(x, y, return_dict=True, sample_weight=sample_weight)
    after = model.get_weights()
    extra = {} if sample_weight is None else {
        "sample_weight": np.asarray(sample_weight).tolist(), "weighted_metrics": weighted_metrics}
    return {
        **extra,
        "name": name,
        "note": note,
        "x": np.asarray(x).tolist(),
        "y": np.asarray(y).tolist(),
        "y_shape": list(np.asarray(y).shape),
        "loss": loss,
        "metrics": metrics,
        "weights_before": [{"shape": list(w.shape), "values": f32(w)} for w in before],
        "outputs": {"shape": list(outputs.shape), "values": f32(outputs)},
        "evaluate": {k: float(np.float32(v)) for k, v in evaluated.items()},
        "train_on_batch": {k: float(np.float32(v)) for k, v in trained.items()},
        "weights_after": [{"shape": list(w.shape), "values": f32(w)} for w in after],
    }


def models():
    rng = np.random.default_rng(11)
    out = []
    seqs = ragged(rng, 5, lo=2)
    x = keras.utils.pad_sequences(seqs, maxlen=T)

    # Sequential: Embedding(mask) -> LSTM -> Dense(softmax), one label per sequence.
    m = keras.Sequential([keras.Input((T,), dtype="int32"), layers.Embedding(V, D, mask_zero=True),
                          layers.LSTM(4), layers.Dense(3, activation="softmax")])
    y = rng.integers(0, 3, size=len(seqs))
    out.append(record("sequential_lstm", m, x, y, "sparse_categorical_crossentropy", ["accuracy"], rng,
                      "Embedding(mask_zero) -> LSTM(4) -> Dense(3, softmax)"))

    # Sequential, sequence labelling: the mask reaches the loss and the metric.
    m = keras.Sequential([keras.Input((T,), dtype="int32"), layers.Embedding(V, D, mask_zero=True),
                          layers.GRU(4, return_sequences=True), layers.TimeDistributed(layers.Dense(3, activation="softmax"))])
    y = rng.integers(0, 3, size=(len(seqs), T))
    out.append(record("sequential_gru_tagger", m, x, y, "sparse_categorical_crossentropy", ["accuracy"], rng,
                      "Embedding(mask_zero) -> GRU(4, return_sequences) -> TimeDistributed(Dense(3, softmax)); per-step loss"))

    # The same with per-timestep sample weights: Keras multiplies them by the mask's weights.
    m = keras.Sequential([keras.Input((T,), dtype="int32"), layers.Embedding(V, D, mask_zero=True),
                          layers.GRU(4, return_sequences=True), layers.TimeDistributed(layers.Dense(3, activation="softmax"))])
    sw = rng.uniform(0.2, 2.0, size=(len(seqs), T)).astype(np.float32)
    out.append(record("sequential_gru_tagger_weighted", m, x, y, "sparse_categorical_crossentropy", ["accuracy"], rng,
                      "the tagger with per-timestep sample weights and a weighted accuracy",
                      sample_weight=sw, weighted_metrics=["accuracy"]))

    # Functional: both directions, masked mean over time, a dense head; and a masked Dense chain to an MSE per step.
    inp = keras.Input((T,), dtype="int32", name="tokens")
    e = layers.Embedding(V, D, mask_zero=True, name="embed")(inp)
    b = layers.Bidirectional(layers.LSTM(3, return_sequences=True), name="bi")(e)
    p = layers.GlobalAveragePooling1D(name="pool")(b)
    o = layers.Dense(1, activation="sigmoid", name="head")(p)
    m = keras.Model(inp, o)
    y = rng.integers(0, 2, size=(len(seqs), 1)).astype(np.float32)
    out.append(record("functional_bilstm_pool", m, x, y, "binary_crossentropy", ["accuracy"], rng,
                      "Embedding(mask_zero) -> Bidirectional(LSTM(3, return_sequences)) -> GlobalAveragePooling1D -> Dense(1, sigmoid)"))

    inp = keras.Input((T,), dtype="int32", name="tokens")
    e = layers.Embedding(V, D, mask_zero=True, name="embed")(inp)
    g = layers.GRU(2, return_sequences=True, go_backwards=True, name="gru")(e)
    d = layers.Dense(2, activation="tanh", name="dense")(g)
    c = layers.Concatenate(name="concat")([d, e])
    o = layers.Dense(1, name="out")(c)
    m = keras.Model(inp, o)
    y = rng.normal(size=(len(seqs), T, 1)).astype(np.float32)
    out.append(record("functional_seq_mse", m, x, y, "mean_squared_error", [], rng,
                      "Embedding(mask_zero) -> GRU(2, return_sequences, go_backwards) -> Dense(2, tanh), Concatenate with the embedding -> Dense(1); masked per-step MSE"))
    return out


def padded_equals_unpadded():
    """Each recurrent layer on a left-padded batch, as Keras computes it (the test checks the unpadded rows too)."""
    rng = np.random.default_rng(5)
    seqs = ragged(rng, 3, lo=2)
    x = keras.utils.pad_sequences(seqs, maxlen=T)
    cases = []
    for kind in ["LSTM", "GRU"]:
        for return_sequences in [False, True]:
            for bidirectional in [False, True]:
                inp = keras.Input((T,), dtype="int32")
                e = layers.Embedding(V, D, mask_zero=True)(inp)
                rnn = getattr(layers, kind)(2, return_sequences=return_sequences)
                h = (layers.Bidirectional(rnn) if bidirectional else rnn)(e)
                m = keras.Model(inp, h)
                ws = set_weights(m, rng)
                y = m.predict(x, verbose=0)
                cases.append({
                    "layer": kind, "return_sequences": return_sequences, "bidirectional": bidirectional,
                    "x": x.tolist(),
                    "weights": [{"shape": list(w.shape), "values": f32(w)} for w in ws],
                    "outputs": {"shape": list(y.shape), "values": f32(y)},
                })
    return cases


def time_distributed():
    """TimeDistributed(LSTM) over words of sentences: each word sequence masked on its own."""
    rng = np.random.default_rng(8)
    x = np.stack([keras.utils.pad_sequences(ragged(rng, 3), maxlen=T) for _ in range(2)])  # [2, 3, T]
    inp = keras.Input((3, T), dtype="int32")
    e = layers.Embedding(V, D, mask_zero=True)(inp)
    h = layers.TimeDistributed(layers.LSTM(2))(e)
    m = keras.Model(inp, h)
    ws = set_weights(m, rng)
    y = m.predict(x, verbose=0)
    return {"x": x.tolist(), "weights": [{"shape": list(w.shape), "values": f32(w)} for w in ws],
            "outputs": {"shape": list(y.shape), "values": f32(y)}}


def pad_cases():
    seqs = [[1], [2, 3], [4, 5, 6], [], [7, 8, 9, 10, 11]]
    cases = []
    for padding in ["pre", "post"]:
        for truncating in ["pre", "post"]:
            for maxlen in [None, 3]:
                opts = {"padding": padding, "truncating": truncating, "maxlen": maxlen}
                cases.append({"options": opts, "result": keras.utils.pad_sequences(seqs, **opts).tolist()})
    cases.append({"options": {"value": -1}, "result": keras.utils.pad_sequences(seqs, value=-1).tolist()})
    cases.append({"options": {"dtype": "float32", "value": 0.5, "maxlen": 4},
                  "result": [f32(r) for r in keras.utils.pad_sequences(seqs, dtype="float32", value=0.5, maxlen=4)]})
    return {"sequences": seqs, "cases": cases}


def main():
    data = {
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "notes": NOTES,
        "vocab": V, "dim": D, "timesteps": T,
        "models": models(),
        "recurrent": padded_equals_unpadded(),
        "time_distributed": time_distributed(),
        "pad_sequences": pad_cases(),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
