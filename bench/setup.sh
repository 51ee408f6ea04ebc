#!/bin/sh
# `npm run bench:setup`: the virtual environment .bench-venv/ that `npm run bench` takes PyTorch 2.x and
# Keras 3 on JAX from (Debian's PyTorch 1.13 comes from /usr/bin/python3). Extra arguments go to pip,
# e.g. `npm run bench:setup -- --extra-index-url URL` with PyTorch's CPU-only wheel index, so that pip
# does not pull the CUDA wheels. pip gets no retries and a 2 s timeout, so that without a network this ends quickly:
# then it says so and exits 0, and the bench skips the peers it cannot import, with a note.
set -u
cd "$(dirname "$0")/.."
VENV=.bench-venv

if ! python3 -m venv "$VENV"; then
  echo "bench:setup: python3 -m venv $VENV failed (on Debian: apt-get install python3-venv);" \
    "npm run bench will skip PyTorch 2.x and Keras/JAX." >&2
  exit 0
fi
if ! "$VENV/bin/pip" install --retries 0 --timeout 2 "$@" torch keras jax numpy; then
  echo "bench:setup: pip could not install torch, keras, jax and numpy into $VENV (no network?);" \
    "npm run bench will skip the peers it cannot import, with a note." >&2
  exit 0
fi
KERAS_BACKEND=jax "$VENV/bin/python" -c 'import jax, keras, torch
print(f"PyTorch {torch.__version__}, Keras {keras.__version__}, JAX {jax.__version__}")' | sed "s|^|bench:setup: $VENV ready: |"
