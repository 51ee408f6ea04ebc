#!/usr/bin/python3
"""PyTorch side of `npm run bench`: the seed workloads W1-W4 with Keras-equivalent models.

Run with Debian's /usr/bin/python3 (python3-torch). The caller sets OPENBLAS_NUM_THREADS and
OMP_NUM_THREADS in the environment; --threads sets torch's intra-op threads. Prints one JSON line.

  torch_bench.py --workload W1 --steps 200 --warmup 20 --batch 32 --threads 2
  torch_bench.py --workload W4 --calls 3000 --threads 1
  torch_bench.py --export-onnx /tmp/seed_cnn.onnx

Models follow Keras's defaults so the work per step is the same as blasnet's: glorot-uniform kernels,
zero biases, orthogonal recurrent kernels, unit forget bias, uniform(-0.05, 0.05) embeddings, Adam with
lr 1e-3 and epsilon 1e-7, categorical cross-entropy (softmax fused into the loss, as Keras and blasnet
do). Batches are gathered from a shuffled synthetic dataset each step, as a Keras fit does.
"""
import argparse
import json
import resource
import statistics
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as err:  # the runner reports this and skips PyTorch
    print(json.dumps({"available": False, "reason": f"PyTorch not installed ({err}); apt-get install python3-torch"}))
    sys.exit(0)


def glorot(module):
    nn.init.xavier_uniform_(module.weight)
    nn.init.zeros_(module.bias)
    return module


def keras_lstm(features, units):
    """nn.LSTM initialised as Keras: glorot kernel, orthogonal recurrent kernel, one bias with forget gate 1.

    PyTorch's gate order (i, f, g, o) is Keras's (i, f, c, o); it keeps two biases, so the second is zero.
    """
    lstm = nn.LSTM(features, units, batch_first=True)
    nn.init.xavier_uniform_(lstm.weight_ih_l0)
    nn.init.orthogonal_(lstm.weight_hh_l0)
    with torch.no_grad():
        lstm.bias_ih_l0.zero_()
        lstm.bias_ih_l0[units:2 * units] = 1.0
        lstm.bias_hh_l0.zero_()
    return lstm


class SeedCNN(nn.Module):
    """Conv2D(32, 3x3, relu) -> MaxPool 2 -> Flatten -> Dense(128, relu) -> Dense(10) logits."""

    def __init__(self):
        super().__init__()
        self.conv = glorot(nn.Conv2d(1, 32, 3))
        self.hidden = glorot(nn.Linear(13 * 13 * 32, 128))
        self.out = glorot(nn.Linear(128, 10))

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv(x)), 2)
        return self.out(F.relu(self.hidden(torch.flatten(x, 1))))


class SeedLSTM(nn.Module):
    """[Embedding ->] LSTM(128, return sequences) -> Dense(64, relu) -> Dense(classes) per timestep."""

    def __init__(self, features, classes, vocabulary=None):
        super().__init__()
        self.embedding = None
        if vocabulary:
            self.embedding = nn.Embedding(vocabulary, features)
            nn.init.uniform_(self.embedding.weight, -0.05, 0.05)
        self.lstm = keras_lstm(features, 128)
        self.hidden = glorot(nn.Linear(128, 64))
        self.out = glorot(nn.Linear(64, classes))

    def forward(self, x):
        if self.embedding is not None:
            x = self.embedding(x)
        h, _ = self.lstm(x)
        return self.out(F.relu(self.hidden(h)))


def make_workload(name, samples, generator):
    """Model and a synthetic dataset (inputs, one-hot targets) for a training workload."""
    def one_hot(shape, classes):
        labels = torch.randint(0, classes, shape, generator=generator)
        return F.one_hot(labels, classes).float()

    if name in ("W1", "W4"):
        return SeedCNN(), torch.randn(samples, 1, 28, 28, generator=generator), one_hot((samples,), 10)
    if name == "W2":
        return SeedLSTM(28, 10), torch.randn(samples, 28, 28, generator=generator), one_hot((samples, 28), 10)
    if name == "W3":
        ids = torch.randint(0, 10000, (samples, 100), generator=generator)
        return SeedLSTM(64, 2, vocabulary=10000), ids, one_hot((samples, 100), 2)
    raise SystemExit(f"unknown workload {name}")


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports KiB


def train(args):
    generator = torch.Generator().manual_seed(1)
    torch.manual_seed(1)
    total = args.warmup + args.steps
    samples = args.samples or args.batch * min(total, 16)
    model, x, y = make_workload(args.workload, samples, generator)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    batches_per_epoch = samples // args.batch
    step_ms = []
    # On a machine too busy to finish in max_seconds the warm-up ends after half of it, and timing
    # stops after max_seconds once 3 steps are timed (as bench/blasnet-worker.ts does).
    warm = args.warmup == 0
    warm_deadline = time.perf_counter() + args.max_seconds / 2
    deadline = time.perf_counter() + args.max_seconds
    step = 0
    last = time.perf_counter()
    while len(step_ms) < args.steps:
        # A step runs from the end of the previous one, shuffling included, as blasnet's fit is timed.
        position = step % batches_per_epoch
        if position == 0:
            order = torch.randperm(samples, generator=generator)
        index = order[position * args.batch:(position + 1) * args.batch]
        xb, yb = x[index], y[index]
        optimizer.zero_grad(set_to_none=True)
        logits = model(xb)
        loss = -(yb * F.log_softmax(logits, dim=-1)).sum(-1).mean()
        loss.backward()
        optimizer.step()
        end = time.perf_counter()
        if warm:
            step_ms.append((end - last) * 1e3)
        last = end
        step += 1
        warm = warm or step >= args.warmup or end > warm_deadline
        if end > deadline and len(step_ms) >= 3:
            break
    # As bench/workloads.ts trainingSummary: samplesPerSec from the median step, robust to other
    # processes on a shared machine; meanSamplesPerSec from the total time.
    total_ms = sum(step_ms)
    median_ms = statistics.median(step_ms)
    return {
        "steps": len(step_ms),
        "batch": args.batch,
        "samplesPerSec": args.batch * 1e3 / median_ms,
        "meanSamplesPerSec": len(step_ms) * args.batch * 1e3 / total_ms,
        "medianMsPerStep": median_ms,
        "msPerStep": total_ms / len(step_ms),
        "finalLoss": float(loss),
    }


def infer(args):
    torch.manual_seed(1)
    model = SeedCNN().eval()
    generator = torch.Generator().manual_seed(1)
    single = torch.randn(1, 1, 28, 28, generator=generator)
    large = torch.randn(256, 1, 28, 28, generator=generator)
    latencies_us = []
    with torch.inference_mode():
        deadline = time.perf_counter() + 2
        for _ in range(args.calls):  # warm-up as in bench/blasnet-worker.ts: as many calls as timed, at most 2 s
            model(single)
            if time.perf_counter() > deadline:
                break
        deadline = time.perf_counter() + args.max_seconds
        for _ in range(args.calls):
            start = time.perf_counter_ns()
            model(single)
            latencies_us.append((time.perf_counter_ns() - start) / 1e3)
            if time.perf_counter() > deadline:
                break
        for _ in range(3):
            model(large)
        large_calls = 0
        start = time.perf_counter()
        deadline = start + args.max_seconds
        while large_calls < max(5, args.calls // 100) and time.perf_counter() < deadline:
            model(large)
            large_calls += 1
        large_seconds = time.perf_counter() - start
    latencies_us.sort()
    return {
        "calls": len(latencies_us),
        "medianUs": latencies_us[len(latencies_us) // 2],
        "p99Us": latencies_us[min(len(latencies_us) - 1, int(len(latencies_us) * 0.99))],
        "batch256SamplesPerSec": large_calls * 256 / large_seconds,
    }


def export_onnx(path):
    """Writes the seed CNN (input 'input' [N, 1, 28, 28], output 'logits' [N, 10]) for ONNX Runtime.

    With one channel, NCHW [N, 1, 28, 28] holds the same bytes as Keras's NHWC [N, 28, 28, 1].
    """
    torch.manual_seed(1)
    model = SeedCNN().eval()
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), path, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
    return {"exported": path}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workload", choices=["W1", "W2", "W3", "W4"])
    parser.add_argument("--steps", type=int, default=200, help="timed training steps")
    parser.add_argument("--warmup", type=int, default=20, help="untimed training steps first")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--samples", type=int, default=0, help="dataset size (default: batch * min(steps, 16))")
    parser.add_argument("--calls", type=int, default=3000, help="W4: timed batch-1 calls")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument("--max-seconds", type=float, default=30.0, help="cap on a training run or on each inference loop")
    parser.add_argument("--export-onnx", metavar="PATH", help="export the seed CNN to ONNX and exit")
    args = parser.parse_args()
    runtime_rss_mb = peak_rss_mb()  # the interpreter and torch alone, before any model or data

    torch.set_num_threads(args.threads)
    if args.export_onnx:
        try:
            result = export_onnx(args.export_onnx)
        except Exception as err:  # e.g. no onnx package: the runner skips ONNX Runtime with this note
            result = {"available": False, "reason": f"ONNX export failed: {type(err).__name__}: {err}"}
    elif args.workload is None:
        parser.error("give --workload or --export-onnx")
    else:
        result = infer(args) if args.workload == "W4" else train(args)
    result.update({
        "framework": "pytorch",
        "version": torch.__version__,
        "workload": args.workload,
        "threads": args.threads,
        "peakRssMb": peak_rss_mb(),
        "runtimeRssMb": runtime_rss_mb,
    })
    print(json.dumps(result))


if __name__ == "__main__":
    main()
