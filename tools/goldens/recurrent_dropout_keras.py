"""Keras 3 golden fixtures for LSTM and GRU dropout / recurrent_dropout.

Writes test/fixtures/rnn-dropout/rnn_dropout.json. The JSON is committed, so the
TypeScript tests need no Python; rerun this only to regenerate it:

    KERAS_BACKEND=jax /tmp/peers/bin/python tools/goldens/recurrent_dropout_keras.py

Random masks differ between libraries, so each case draws its masks with Keras
(keras.random.dropout on ones, as DropoutRNNCell._create_dropout_mask does) and
injects them: the cell's get_dropout_mask / get_recurrent_dropout_mask are
replaced by functions returning those masks, and everything else is Keras's own
LSTMCell / GRUCell code (keras/src/layers/rnn/lstm.py, gru.py). How many input
masks a case has (one for all gates, or one per gate) is read from the cell
(`dropout_mask_count`, set when its implementation is 1, which
recurrent_dropout forces), so the fixture records Keras's choice, not ours.

Per case: the layer config, x [N,T,I], the weights in Keras order (a
Bidirectional: the forward layer's, then the backward layer's), the masks
(flattened [count,N,I] / [gates,N,U], per direction), r, the training output
with those masks, the inference output (dropout off), and the gradients of
sum(out * r) in training with respect to x and every weight (jax.grad through
stateless_call). Keras runs in float64 on float32 inputs, weights and masks.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)

import numpy as np  # noqa: E402
import keras  # noqa: E402

keras.config.set_floatx("float64")

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(ROOT, "test", "fixtures", "rnn-dropout")
rng = np.random.default_rng(20261129)


def f32(a):
    return np.asarray(a, dtype=np.float32)


def flat(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


CASES = [
    # (id, class, options, N, T, I)
    ("lstm-input", "LSTM", dict(units=3, dropout=0.4, return_sequences=True), 3, 4, 5),
    ("lstm-recurrent", "LSTM", dict(units=3, recurrent_dropout=0.3, return_sequences=True), 3, 4, 5),
    ("lstm-both-back", "LSTM", dict(units=4, dropout=0.25, recurrent_dropout=0.5, go_backwards=True), 3, 5, 2),
    ("lstm-impl1-input", "LSTM", dict(units=3, dropout=0.4, implementation=1, use_cudnn=False,
                                      return_sequences=True), 2, 3, 4),
    ("gru-input", "GRU", dict(units=3, dropout=0.4, return_sequences=True), 3, 4, 5),
    ("gru-both", "GRU", dict(units=4, dropout=0.3, recurrent_dropout=0.4, return_sequences=True), 3, 4, 3),
    ("gru-both-reset-before", "GRU", dict(units=4, dropout=0.3, recurrent_dropout=0.4, reset_after=False,
                                          return_sequences=True), 3, 4, 3),
    ("gru-recurrent-reset-before-back", "GRU", dict(units=3, recurrent_dropout=0.5, reset_after=False,
                                                    go_backwards=True), 2, 5, 3),
    ("bidirectional-lstm", "Bidirectional", dict(layer="LSTM", units=3, dropout=0.3, recurrent_dropout=0.3,
                                                 return_sequences=True), 2, 4, 3),
]

seed_counter = [0]


def draw(shape, rate):
    """A mask as DropoutRNNCell draws it: keras.random.dropout(ones, rate)."""
    seed_counter[0] += 1
    ones = np.ones(shape, dtype=np.float32)
    return f32(keras.random.dropout(ones, rate=rate, seed=1000 + seed_counter[0]))


def inject(cell, N, I):
    """Fixed masks for a cell, patched into its mask getters; returns them for the fixture."""
    gates = 4 if isinstance(cell, keras.layers.LSTMCell) else 3
    count = getattr(cell, "dropout_mask_count", None)
    out = {"input_masks": 0, "input": None, "recurrent": None}
    if cell.dropout > 0:
        masks = [draw((N, I), cell.dropout) for _ in range(count or 1)]
        given = masks if count else masks[0]
        cell.get_dropout_mask = lambda step_input: given
        out["input_masks"] = len(masks)
        out["input"] = flat(np.stack(masks))
    if cell.recurrent_dropout > 0:
        assert count == gates, "recurrent dropout runs Keras's implementation 1: one mask per gate"
        rmasks = [draw((N, cell.units), cell.recurrent_dropout) for _ in range(count)]
        cell.get_recurrent_dropout_mask = lambda step_input: rmasks
        out["recurrent"] = flat(np.stack(rmasks))
    return out


def make_layer(cls, options):
    if cls == "Bidirectional":
        inner = dict(options)
        inner_cls = getattr(keras.layers, inner.pop("layer"))
        return keras.layers.Bidirectional(inner_cls(**inner))
    return getattr(keras.layers, cls)(**options)


def run_case(case_id, cls, options, N, T, I):
    layer = make_layer(cls, options)
    x = f32(rng.uniform(-1, 1, (N, T, I)))
    layer.build((N, T, I))
    weights = [f32(rng.uniform(-0.8, 0.8, w.shape)) for w in layer.get_weights()]
    layer.set_weights(weights)
    cells = [layer.forward_layer.cell, layer.backward_layer.cell] if cls == "Bidirectional" else [layer.cell]
    masks = [inject(c, N, I) for c in cells]
    out_infer = np.asarray(layer(x, training=False))
    r = f32(rng.uniform(-1, 1, out_infer.shape))

    # The non-trainable variables are the cells' seed generator states, unused with injected masks.
    states = [v.value for v in layer.non_trainable_variables]

    def objective(x_, ws):
        out, _ = layer.stateless_call(ws, states, x_, training=True)
        return (out * r).sum(), out

    ws = [v.value for v in layer.trainable_variables]
    (_, out_train), (dx, dws) = jax.value_and_grad(objective, argnums=(0, 1), has_aux=True)(x.astype(np.float64), ws)
    return {
        "id": case_id,
        "class_name": cls,
        "options": options,
        "N": N, "T": T, "I": I,
        "x": flat(x),
        "weights": [{"name": v.path, "shape": list(w.shape), "value": flat(w)}
                    for v, w in zip(layer.trainable_variables, weights)],
        "masks": masks,
        "r": flat(r),
        "out_shape": list(out_infer.shape),
        "out_train": flat(out_train),
        "out_infer": flat(out_infer),
        "dx": flat(dx),
        "dweights": [flat(d) for d in dws],
    }


def main():
    cases = [run_case(*c) for c in CASES]
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(os.path.join(OUT_DIR, "rnn_dropout.json"), "w") as f:
        json.dump({"keras": keras.__version__, "cases": cases}, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases to {OUT_DIR}")


if __name__ == "__main__":
    main()
