#!/usr/bin/python3
"""PyTorch side of `npm run bench`: the seed workloads W1-W4 with Keras-equivalent models.

Runs under Debian's /usr/bin/python3 (python3-torch 1.13) and under a PyTorch 2.x virtual environment
(npm run bench:setup). The caller sets OPENBLAS_NUM_THREADS and OMP_NUM_THREADS in the environment;
--threads sets torch's intra-op threads. Prints one JSON line.

  torch_bench.py --workload W1 --steps 1875 --warmup 20 --batch 32 --threads 2 [--flush-denormal]
  torch_bench.py --workload W4 --calls 3000 --threads 1
  torch_bench.py --export-onnx /tmp/seed_cnn.onnx
  torch_bench.py --probe           (version and BLAS, for the runner to choose thread settings)

Models follow Keras's defaults so the work per step is the same as blasnet's: glorot-uniform kernels,
zero biases, orthogonal recurrent kernels, unit forget bias, uniform(-0.05, 0.05) embeddings, Adam with
lr 1e-3 and epsilon 1e-7, categorical cross-entropy (softmax fused into the loss, as Keras and blasnet
do). Data and batching: bench/peer_common.py.

--flush-denormal sets flush-to-zero and denormals-are-zero (torch.set_flush_denormal) before the intra-op
thread pool starts, so its threads inherit it (OpenBLAS's own threads, started as the library loads, do
not; the runner's best settings keep OpenBLAS at 1 thread or MKL on torch's pool). Without it, Adam's second moments of weights that see
little gradient decay into denormals after some 750 steps, and every operation on them slows down.
"""
import argparse
import json
import sys

import peer_common

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as err:  # the runner reports this and skips PyTorch
    print(json.dumps({"available": False, "reason": f"PyTorch not installed for {sys.executable} ({err})"}))
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


def make_model(workload):
    if workload in ("W1", "W4"):
        return SeedCNN()
    if workload == "W2":
        return SeedLSTM(28, 10)
    return SeedLSTM(64, 2, vocabulary=peer_common.VOCABULARY)


def train(args):
    torch.manual_seed(1)
    x, y, source = peer_common.training_data(args)
    x = torch.from_numpy(x)
    if args.workload == "W1":
        x = x.view(-1, 1, 28, 28)  # with one channel, NHWC [N, 28, 28, 1] holds the bytes of NCHW [N, 1, 28, 28]
    elif args.workload == "W3":
        x = x.long()  # nn.Embedding takes int64 ids
    y = torch.from_numpy(y)
    model = make_model(args.workload)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    timer = peer_common.StepTimer(args.steps, args.warmup, args.max_seconds)
    for index in peer_common.batch_indices(len(x), args.batch):
        index = torch.from_numpy(index)
        xb, yb = x[index], y[index]
        optimizer.zero_grad(set_to_none=True)
        loss = -(yb * F.log_softmax(model(xb), dim=-1)).sum(-1).mean()
        loss.backward()
        optimizer.step()
        if timer.step_done():
            break
    return {**peer_common.training_summary(timer.step_ms, args.batch), "data": source, "samples": len(x), "finalLoss": loss.item()}


def infer(args):
    torch.manual_seed(1)
    model = SeedCNN().eval()
    x, _ = peer_common.synthetic("W4", 257)
    x = torch.from_numpy(x).view(-1, 1, 28, 28)
    single, large = x[:1], x[1:]
    with torch.inference_mode():
        return peer_common.time_inference(lambda: model(single), lambda: model(large), args.calls, args.max_seconds)


def export_onnx(path):
    """Writes the seed CNN (input 'input' [N, 1, 28, 28], output 'logits' [N, 10]) for ONNX Runtime.

    With one channel, NCHW [N, 1, 28, 28] holds the same bytes as Keras's NHWC [N, 28, 28, 1].
    """
    torch.manual_seed(1)
    model = SeedCNN().eval()
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), path, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
    return {"exported": path}


def flush_denormal():
    """Turns on flush-to-zero; whether it took effect: denormal products, computed on every intra-op
    thread (the tensor is large enough to be split), must all come out as zero."""
    supported = torch.set_flush_denormal(True)
    return bool(supported) and (torch.full((1 << 18,), 1e-39) * 1.5).abs().max().item() == 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    peer_common.add_arguments(parser)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument("--flush-denormal", action="store_true", help="flush denormals to zero (torch.set_flush_denormal)")
    parser.add_argument("--export-onnx", metavar="PATH", help="export the seed CNN to ONNX and exit")
    parser.add_argument("--probe", action="store_true", help="report the version and BLAS and exit")
    args = parser.parse_args()
    runtime_rss_mb = peer_common.peak_rss_mb()  # the interpreter and torch alone, before any model or data

    torch.set_num_threads(args.threads)
    # Before any operation starts the intra-op thread pool, so that its threads inherit the FPU mode.
    flushed = flush_denormal() if args.flush_denormal else False
    if args.probe:
        result = {"blas": "mkl" if torch.backends.mkl.is_available() else "other"}
    elif args.export_onnx:
        try:
            result = export_onnx(args.export_onnx)
        except Exception as err:  # e.g. no onnx package: the runner skips ONNX Runtime with this note
            result = {"available": False, "reason": f"ONNX export failed: {type(err).__name__}: {err}"}
    elif args.workload is None:
        parser.error("give --workload, --export-onnx or --probe")
    else:
        result = infer(args) if args.workload == "W4" else train(args)
    peer_common.emit(result, framework="pytorch", version=torch.__version__, workload=args.workload, threads=args.threads,
                     flushDenormal=flushed, runtimeRssMb=runtime_rss_mb)


if __name__ == "__main__":
    main()
