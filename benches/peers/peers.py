"""Encoder speed of jaga against PyTorch and ONNX Runtime on the same chat messages (see run.sh).

Every engine gets the same weights (jaga's converted multilingual-e5-small: the Q4_0 word table
dequantised here, every other tensor already f32), the same tokenizer and truncation (128 tokens,
"query: " prefix), and the same messages: the selection of benches/common/realchat.rs, read from
../shared/realchat in place. The peers run length-sorted batches of 32 with `threads` intra-op
threads and are timed on the forward pass and pooling only (tokenisation excluded, which favours
them); jaga is timed end to end by `jaga replay` (normalise, tokenise, encode, window, score,
policy, JSON out), model loading excluded. Each engine runs `--repeats` times; the best is kept.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

# Keep in step with benches/common/realchat.rs.
SELECTION = [
    ("topicalchat_valid.jsonl", 24),
    ("personachat_en_pool.jsonl", 24),
    ("xpersona_id_valid.jsonl", 24),
    ("emot_id_tweets.jsonl", 100),
    ("nusax_senti_id.jsonl", 50),
]
MAX_TOKENS = 128
PREFIX = "query: "
PAD_ID = 1
BATCH = 32


def selection_lines(realchat_dir):
    lines = []
    for name, n in SELECTION:
        with open(os.path.join(realchat_dir, name), encoding="utf-8") as f:
            taken = [l for l in f if l.strip()][:n]
        lines.extend(taken)
    return lines


def dequantize_q4_0(raw, rows, hidden):
    """Q4_0 blocks (f16 scale, then 16 bytes: low nibbles = elements 0..16, high = 16..32)."""
    blocks = raw.reshape(rows, hidden // 32, 18)
    d = blocks[:, :, :2].copy().view(np.float16).astype(np.float32)
    q = blocks[:, :, 2:]
    lo = (q & 0x0F).astype(np.int8) - 8
    hi = (q >> 4).astype(np.int8) - 8
    vals = np.concatenate([lo, hi], axis=2).astype(np.float32) * d
    return vals.reshape(rows, hidden)


def load_torch_model(model_dir):
    import torch
    from safetensors.numpy import load_file
    from transformers import BertConfig, BertModel

    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    config = BertConfig(**{k: v for k, v in cfg.items() if not k.startswith("jaga_")})
    tensors = load_file(os.path.join(model_dir, "model.safetensors"))
    q4 = tensors.pop("embeddings.word_embeddings.q4_0", None)
    if q4 is not None:
        tensors["embeddings.word_embeddings.weight"] = dequantize_q4_0(q4, config.vocab_size, config.hidden_size)
    model = BertModel(config, add_pooling_layer=False)
    state = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in tensors.items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [m for m in missing if "position_ids" not in m]
    if missing or unexpected:
        sys.exit(f"weights do not fit BertModel: missing {missing}, unexpected {unexpected}")
    model.eval()
    return model


def tokenize(model_dir, texts):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    rows = []
    for enc in tok.encode_batch([PREFIX + t for t in texts]):
        ids = enc.ids
        if len(ids) > MAX_TOKENS:
            ids = ids[: MAX_TOKENS - 1] + [ids[-1]]
        rows.append(ids)
    return rows


def batches(rows):
    order = sorted(range(len(rows)), key=lambda i: (len(rows[i]), i))
    for s in range(0, len(order), BATCH):
        idx = order[s : s + BATCH]
        width = max(len(rows[i]) for i in idx)
        ids = np.full((len(idx), width), PAD_ID, dtype=np.int64)
        mask = np.zeros((len(idx), width), dtype=np.int64)
        for r, i in enumerate(idx):
            ids[r, : len(rows[i])] = rows[i]
            mask[r, : len(rows[i])] = 1
        yield idx, ids, mask


def pool(hidden, mask):
    m = mask[:, :, None].astype(np.float32)
    v = (hidden * m).sum(1) / np.maximum(m.sum(1), 1.0)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def run_torch(model, rows, threads, repeats):
    import torch

    torch.set_num_threads(threads)
    out = np.zeros((len(rows), model.config.hidden_size), dtype=np.float32)
    best = float("inf")
    with torch.inference_mode():
        for _ in range(repeats):
            t = time.perf_counter()
            for idx, ids, mask in batches(rows):
                h = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask)).last_hidden_state
                out[idx] = pool(h.numpy(), mask)
            best = min(best, time.perf_counter() - t)
    return best, out


def export_onnx(model, path):
    import torch

    class Encoder(torch.nn.Module):
        """Plain (input_ids, attention_mask) -> last_hidden_state, for the tracer."""

        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask, use_cache=False).last_hidden_state

    ids = torch.ones((2, 8), dtype=torch.int64)
    mask = torch.ones((2, 8), dtype=torch.int64)
    torch.onnx.export(
        Encoder(model),
        (ids, mask),
        path,
        input_names=["input_ids", "attention_mask"],
        output_names=["last_hidden_state"],
        dynamic_axes={"input_ids": {0: "b", 1: "t"}, "attention_mask": {0: "b", 1: "t"}, "last_hidden_state": {0: "b", 1: "t"}},
        opset_version=17,
        dynamo=False,
    )


def run_ort(path, rows, threads, repeats, hidden):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    out = np.zeros((len(rows), hidden), dtype=np.float32)
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        for idx, ids, mask in batches(rows):
            (h,) = sess.run(["last_hidden_state"], {"input_ids": ids, "attention_mask": mask})
            out[idx] = pool(h, mask)
        best = min(best, time.perf_counter() - t)
    return best, out


def run_jaga(jaga, lines, repeats, cache_mb):
    """Best `jaga replay` rate (its summary line, model loading excluded) and the cache hit rate."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "stream.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(lines)
        cfg = os.path.join(tmp, "jaga.toml")
        with open(cfg, "w") as f:
            f.write(f"[model]\nembedding_cache_mb = {cache_mb}\n")
        best, hits = 0.0, None
        for _ in range(repeats):
            p = subprocess.run([jaga, "replay", path, "--config", cfg], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
            m = re.search(r"jaga replay: (\d+) messages.*\(([\d.]+) messages/s\)", p.stderr)
            if not m:
                sys.exit(f"cannot read jaga's summary line:\n{p.stderr}")
            best = max(best, float(m.group(2)))
            h = re.search(r"embedding cache ([\d.]+)% hits", p.stderr)
            hits = float(h.group(1)) if h else None
    return best, hits


def cos_stats(a, b):
    c = (a * b).sum(1)
    return float(c.mean()), float(c.min())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jaga", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--realchat", default=os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "realchat"))
    args = ap.parse_args()

    model_dir = subprocess.run([args.jaga, "model", "path"], capture_output=True, text=True, check=True).stdout.strip()
    lines = selection_lines(args.realchat)
    texts = [m["text"] for l in lines for m in json.loads(l)["messages"]]
    rows = tokenize(model_dir, texts)
    n, tokens = len(rows), sum(len(r) for r in rows)
    print(f"{n} messages, {tokens} tokens ({tokens / n:.1f} a message, \"{PREFIX}\" prefix and specials included), "
          f"{args.threads} threads, best of {args.repeats}", flush=True)

    import onnxruntime
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = load_torch_model(model_dir)
    hidden = model.config.hidden_size
    results = []
    t_torch, e_torch = run_torch(model, rows, args.threads, args.repeats)
    results.append((f"PyTorch {torch.__version__} fp32, encoder only", n / t_torch, None))
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = os.path.join(tmp, "e5.onnx")
        int8 = os.path.join(tmp, "e5.int8.onnx")
        export_onnx(model, fp32)
        quantize_dynamic(fp32, int8, per_channel=True, weight_type=QuantType.QInt8)
        t_fp32, e_fp32 = run_ort(fp32, rows, args.threads, args.repeats, hidden)
        results.append((f"ONNX Runtime {onnxruntime.__version__} fp32, encoder only", n / t_fp32, cos_stats(e_fp32, e_torch)))
        t_int8, e_int8 = run_ort(int8, rows, args.threads, args.repeats, hidden)
        results.append((f"ONNX Runtime {onnxruntime.__version__} int8 dynamic, encoder only", n / t_int8, cos_stats(e_int8, e_torch)))
    jaga_rate, _ = run_jaga(args.jaga, lines, args.repeats, 0)
    cached_rate, hits = run_jaga(args.jaga, lines, args.repeats, 32)
    results.insert(0, ("jaga replay, end to end, embedding cache off", jaga_rate, None))
    results.insert(1, (f"jaga replay, end to end, cache on ({hits}% hits)", cached_rate, None))

    print(f"{'engine':<58} {'messages/s':>10}   cosine to PyTorch fp32 (mean / min)")
    for name, rate, c in results:
        cs = f"{c[0]:.4f} / {c[1]:.4f}" if c else ""
        print(f"{name:<58} {rate:>10.0f}   {cs}")
    ort_int8 = results[-1][1]
    print(f"jaga / ONNX Runtime int8: {jaga_rate / ort_int8:.2f}x")


if __name__ == "__main__":
    main()
