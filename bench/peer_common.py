"""What bench/torch_bench.py and bench/keras_bench.py share: arguments, data, step statistics, the JSON line.

Both peers train on the same numpy arrays: W1 on Fashion-MNIST's training set from Debian's
dataset-fashion-mnist (standardised with its mean and standard deviation, as bench/blasnet-worker.ts
and examples/fashion-mnist-cnn.ts do), or on synthetic data when it is not installed; W2 and W3 on a small
synthetic set that cycles. Batches are gathered from a fresh permutation each epoch, as Keras's fit
does with shuffle=True.
"""
import gzip
import json
import os
import resource
import time

import numpy as np

FASHION_MNIST = "/usr/share/datasets/fashion-mnist"
VOCABULARY = 10000
# The windows of bench/workloads.ts trainingSummary (see there for why): the first 200 timed steps;
# the steady state from timed step 800 on, given at least 200 such steps; 250-step blocks.
FIRST_STEPS = 200
STEADY_FROM = 800
MIN_STEADY_STEPS = 200
BLOCK_STEPS = 250


def add_arguments(parser):
    """The options every peer takes (bench/index.ts passes the same ones to bench/blasnet-worker.ts)."""
    parser.add_argument("--workload", choices=["W1", "W2", "W3", "W4"])
    parser.add_argument("--steps", type=int, default=200, help="timed training steps")
    parser.add_argument("--warmup", type=int, default=20, help="untimed training steps first")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--samples", type=int, default=0,
                        help="dataset size (default: W1 all 60,000 training images, W2/W3 batch * 16)")
    parser.add_argument("--synthetic", action="store_true", help="W1 on synthetic data even when Fashion-MNIST is installed")
    parser.add_argument("--calls", type=int, default=3000, help="W4: timed batch-1 calls")
    parser.add_argument("--max-seconds", type=float, default=30.0, help="cap on a training run or on each inference loop")


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports KiB


def read_idx(path):
    """An unsigned-byte IDX file (gzipped), as Fashion-MNIST ships, as a numpy array of its shape."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = np.frombuffer(data, ">u4", count=data[3], offset=4).astype(np.int64)
    return np.frombuffer(data, np.uint8, offset=4 + 4 * data[3]).reshape(dims)


def one_hot(labels, classes):
    return np.eye(classes, dtype=np.float32)[labels]


def fashion_mnist(samples):
    """The first `samples` (0: all) training images [N, 28, 28, 1], standardised, and one-hot labels."""
    images = read_idx(os.path.join(FASHION_MNIST, "train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(FASHION_MNIST, "train-labels-idx1-ubyte.gz"))
    n = samples or len(images)
    pixels = images[:n].reshape(n, 28, 28, 1)
    # Mean and standard deviation of the pixel values, exactly, from a histogram of the bytes taken a
    # million at a time (bincount widens what it counts to int64); then standardise in place: one
    # float32 copy of the 47M values in all.
    flat, chunk = pixels.reshape(-1), 1 << 20
    counts = sum(np.bincount(flat[i:i + chunk], minlength=256) for i in range(0, flat.size, chunk))
    values = np.arange(256)
    mean = counts @ values / counts.sum()
    std = np.sqrt(counts @ (values - mean) ** 2 / counts.sum())
    x = pixels.astype(np.float32)
    x -= mean
    x /= std
    return x, one_hot(labels[:n], 10)


def synthetic(workload, samples):
    """Seeded standard-normal inputs (uniform token ids for W3) and one-hot targets of the workload's shapes."""
    rng = np.random.default_rng(1)
    if workload == "W3":
        return rng.integers(0, VOCABULARY, (samples, 100), dtype=np.int32), one_hot(rng.integers(0, 2, (samples, 100)), 2)
    if workload == "W2":
        return rng.standard_normal((samples, 28, 28), dtype=np.float32), one_hot(rng.integers(0, 10, (samples, 28)), 10)
    return rng.standard_normal((samples, 28, 28, 1), dtype=np.float32), one_hot(rng.integers(0, 10, samples), 10)


def training_data(args):
    """(x, y, source) for a training workload: source is 'fashion-mnist' or 'synthetic'."""
    real = args.workload == "W1" and not args.synthetic and os.path.exists(os.path.join(FASHION_MNIST, "train-images-idx3-ubyte.gz"))
    if real:
        return (*fashion_mnist(args.samples), "fashion-mnist")
    samples = args.samples or (60000 if args.workload == "W1" else args.batch * 16)
    return (*synthetic(args.workload, samples), "synthetic")


def batch_indices(samples, batch):
    """Endless sample indices per step: a fresh seeded permutation each epoch, full batches only."""
    rng = np.random.default_rng(1)
    while True:
        order = rng.permutation(samples)
        for start in range(0, samples - batch + 1, batch):
            yield order[start:start + batch]


def training_summary(step_ms, batch):
    """As bench/workloads.ts trainingSummary: the median-step rate, and total samples over total time
    for the whole run, its first 200 steps, its steady state and each 250-step block."""
    def rate(window):
        return len(window) * batch * 1e3 / sum(window)

    steady = step_ms[STEADY_FROM:]
    median_ms = float(np.median(step_ms))
    return {
        "steps": len(step_ms),
        "batch": batch,
        "samplesPerSec": batch * 1e3 / median_ms,
        "meanSamplesPerSec": rate(step_ms),
        "medianMsPerStep": median_ms,
        "msPerStep": sum(step_ms) / len(step_ms),
        "first200SamplesPerSec": rate(step_ms[:FIRST_STEPS]),
        "steadySamplesPerSec": rate(steady) if len(steady) >= MIN_STEADY_STEPS else None,
        "blockMsPerStep": [sum(block) / len(block) for block in
                           (step_ms[i:i + BLOCK_STEPS] for i in range(0, len(step_ms), BLOCK_STEPS))],
    }


class StepTimer:
    """Times training steps from the end of one to the end of the next (the batch gather included, as
    bench/blasnet-worker.ts is timed): `warmup` untimed steps, then `steps` timed ones.

    Call step_done() at the end of every step; it returns True when timing is complete. The max_seconds
    clock starts after the first step (for Keras, the one that compiles). On a machine too busy to
    finish in max_seconds the warm-up ends after half of it, and timing stops after max_seconds once 3
    steps are timed, as bench/blasnet-worker.ts does.
    """

    def __init__(self, steps, warmup, max_seconds):
        self.steps, self.warmup, self.max_seconds = steps, max(1, warmup), max_seconds
        self.step_ms = []
        self.count = 0
        self.last = time.perf_counter()

    def step_done(self):
        end = time.perf_counter()
        if self.count == 0:
            self.warm_deadline = end + self.max_seconds / 2
            self.deadline = end + self.max_seconds
        elif self.count >= self.warmup or end > self.warm_deadline:
            self.step_ms.append((end - self.last) * 1e3)
        self.count += 1
        self.last = end
        return len(self.step_ms) >= self.steps or (end > self.deadline and len(self.step_ms) >= 3)


def time_inference(single, large, calls, max_seconds):
    """W4's figures: batch-1 latency over `calls` calls of single() after as many untimed ones (at most
    2 s, as bench/blasnet-worker.ts warms up), then batch-256 throughput of large(); each timed loop
    stops after max_seconds. Both functions must return only when their result is computed."""
    deadline = time.perf_counter() + 2
    for _ in range(calls):
        single()
        if time.perf_counter() > deadline:
            break
    latencies_us = []
    deadline = time.perf_counter() + max_seconds
    for _ in range(calls):
        start = time.perf_counter_ns()
        single()
        latencies_us.append((time.perf_counter_ns() - start) / 1e3)
        if time.perf_counter() > deadline:
            break
    for _ in range(3):
        large()
    large_calls = 0
    start = time.perf_counter()
    deadline = start + max_seconds
    while large_calls < max(5, calls // 100) and time.perf_counter() < deadline:
        large()
        large_calls += 1
    large_seconds = time.perf_counter() - start
    latencies_us.sort()
    return {
        "calls": len(latencies_us),
        "medianUs": latencies_us[len(latencies_us) // 2],
        "p99Us": latencies_us[min(len(latencies_us) - 1, int(len(latencies_us) * 0.99))],
        "batch256SamplesPerSec": large_calls * 256 / large_seconds,
    }


def emit(result, **fields):
    """Prints the one JSON line bench/index.ts reads, with the process's peak RSS."""
    print(json.dumps({**result, **fields, "peakRssMb": peak_rss_mb()}))
