"""Keras 3 on JAX, the Keras side of `npm run bench`: the seed workloads W1-W4 as Keras defines them.

Runs under the virtual environment of `npm run bench:setup` (keras, jax). Prints one JSON line, as
bench/torch_bench.py does.

  keras_bench.py --workload W1 --steps 1875 --warmup 20 --batch 32 --threads 0
  keras_bench.py --workload W4 --calls 3000 --threads 1

The models are the Keras originals with their default initialisers, Adam(lr 1e-3, epsilon 1e-7) and
categorical cross-entropy. Training runs model.fit on a generator of shuffled batches (data and
batching: bench/peer_common.py), which calls the jit-compiled train step; a callback waits for each
step's result and times it. The first step compiles, and falls in the warm-up. Inference calls the
model's stateless forward pass under jax.jit, weights passed as arguments, as predict does minus its
per-call Python. XLA's CPU code flushes denormals to zero by default, so there is no flush option.

--threads 0 leaves XLA's CPU thread pool at its default (one thread per core); --threads 1 turns off
Eigen's multi-threading (--xla_cpu_multi_thread_eigen=false) and pins the process to one core, which
is what sizes XLA's pool (jax has no thread-count setting; the "intra_op_parallelism_threads" of older
recipes is not an XLA flag and is ignored).
"""
import argparse
import os
import sys

import peer_common


def configure_threads(threads):
    """Must run before jax is imported: XLA reads its flags and sizes its pool when it starts."""
    if threads == 1:
        os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} --xla_cpu_multi_thread_eigen=false".strip()
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    peer_common.add_arguments(parser)
    parser.add_argument("--threads", type=int, choices=[0, 1], default=0, help="0: XLA's default pool, 1: one thread")
    args = parser.parse_args()
    if args.workload is None:
        parser.error("give --workload")
    return args


ARGS = parse_args()
configure_threads(ARGS.threads)
os.environ["KERAS_BACKEND"] = "jax"  # before importing keras, which otherwise picks TensorFlow
try:
    import jax
    import keras
    from keras import layers
except ImportError as err:  # the runner reports this and skips Keras
    peer_common.emit({"available": False, "reason": f"Keras or JAX not installed for {sys.executable} ({err})"}, framework="keras-jax")
    sys.exit(0)


def make_model(workload):
    if workload in ("W1", "W4"):
        body = [keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2), layers.Flatten(),
                layers.Dense(128, activation="relu"), layers.Dense(10, activation="softmax")]
    elif workload == "W2":
        body = [keras.Input((28, 28)), layers.LSTM(128, return_sequences=True), layers.Dense(64, activation="relu"),
                layers.Dense(10, activation="softmax")]
    else:
        body = [keras.Input((100,), dtype="int32"), layers.Embedding(peer_common.VOCABULARY, 64), layers.LSTM(128, return_sequences=True),
                layers.Dense(64, activation="relu"), layers.Dense(2, activation="softmax")]
    model = keras.Sequential(body)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3, epsilon=1e-7), loss="categorical_crossentropy")
    return model


class StepTiming(keras.callbacks.Callback):
    """Ends each step when its loss is computed (jax dispatches asynchronously) and times it."""

    def __init__(self, timer):
        super().__init__()
        self.timer = timer
        self.loss = None

    def on_train_batch_end(self, batch, logs=None):
        self.loss = float(jax.block_until_ready(logs["loss"]))
        if self.timer.step_done():
            self.model.stop_training = True


def train(args):
    keras.utils.set_random_seed(1)
    x, y, source = peer_common.training_data(args)
    model = make_model(args.workload)
    batches = ((x[index], y[index]) for index in peer_common.batch_indices(len(x), args.batch))
    timing = StepTiming(peer_common.StepTimer(args.steps, args.warmup, args.max_seconds))
    # The warm-up (at least the first, compiling, step) and the timed steps; the callback may stop sooner.
    # The generator shuffles, so fit need not.
    model.fit(batches, steps_per_epoch=max(1, args.warmup) + args.steps, epochs=1, shuffle=False, verbose=0, callbacks=[timing])
    return {**peer_common.training_summary(timing.timer.step_ms, args.batch), "data": source, "samples": len(x), "finalLoss": timing.loss}


def infer(args):
    keras.utils.set_random_seed(1)
    model = make_model("W4")
    forward = jax.jit(lambda trainable, other, x: model.stateless_call(trainable, other, x, training=False)[0])
    trainable = [v.value for v in model.trainable_variables]
    other = [v.value for v in model.non_trainable_variables]
    x, _ = peer_common.synthetic("W4", 257)
    single, large = jax.device_put(x[:1]), jax.device_put(x[1:])
    return peer_common.time_inference(lambda: forward(trainable, other, single).block_until_ready(),
                                      lambda: forward(trainable, other, large).block_until_ready(), args.calls, args.max_seconds)


def main(args):
    runtime_rss_mb = peer_common.peak_rss_mb()  # the interpreter, keras and jax alone, before any model or data
    result = infer(args) if args.workload == "W4" else train(args)
    peer_common.emit(result, framework="keras-jax", version=f"{keras.__version__} / JAX {jax.__version__}", workload=args.workload,
                     threads=args.threads or "default", runtimeRssMb=runtime_rss_mb)


main(ARGS)
