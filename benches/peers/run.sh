#!/usr/bin/env bash
# Side-by-side encoder speed on the same human-written chat messages, in one run:
#   jaga replay (end to end: normalise, tokenise, encode, window, score, policy)
#   PyTorch fp32 + transformers BertModel        (encoder forward + pooling only)
#   ONNX Runtime fp32, and int8 dynamic quantisation (per-channel weights), same batches
# on the same dequantised multilingual-e5-small weights jaga converts into its cache.
#
# Usage: benches/peers/run.sh            (from the repository root; ../shared/realchat beside it)
# Env:   PEERS_VENV (default target/peers-venv), JAGA_BIN (default target/debug/jaga, built if
#        missing), PEERS_THREADS (default 2), JAGA_CACHE_DIR (as for jaga).
# Not part of `cargo test`: it downloads a few GB of Python wheels the first time.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${PEERS_VENV:-target/peers-venv}"
THREADS="${PEERS_THREADS:-2}"
JAGA_BIN="${JAGA_BIN:-target/debug/jaga}"

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
fi
"$VENV/bin/pip" install -q -r benches/peers/requirements.txt

if [ ! -x "$JAGA_BIN" ]; then
  cargo build --locked --quiet
fi
"$JAGA_BIN" model fetch >/dev/null

exec "$VENV/bin/python" benches/peers/peers.py --jaga "$JAGA_BIN" --threads "$THREADS" "$@"
