"""
PyTorch eager side of the embedder benchmark: the same architecture as the release (built from its config.json
with the model code), timed with the same threads and batch sizes as ONNX Runtime Java; matrix-product FLOPs per
clip counted from the modules; and this machine's matmul peak through torch (OpenBLAS).

    /usr/bin/python3 embedder/bench/torch_bench.py MODEL_CODE_DIR MODEL_DIR OUT_JSON [--threads 2] [--batches 1,2,4,8]

MODEL_CODE_DIR holds model.py (the repository's model/ folder). The release's weights are not needed: speed does
not depend on the values, so the modules keep their random initialisation.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # torch runs its own threads; nested OpenBLAS threads fight them

import torch  # noqa: E402


def percentile(values, q):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(q / 100 * (len(v) - 1))))]


def count_flops(enc, pred, m, clip, ctx_pos, tgt_pos, cond) -> tuple[int, int]:
    """2 x multiply-adds of every nn.Linear plus the two attention products (q k^T, att v) of every Attention."""
    counts = {"n": 0}

    def linear_hook(module, inputs, output):
        x = inputs[0]
        counts["n"] += 2 * x.numel() // x.shape[-1] * module.in_features * module.out_features

    def attention_hook(module, inputs, output):
        b, n, c = inputs[0].shape
        counts["n"] += 2 * 2 * b * n * n * c  # (B,h,N,hd)@(B,h,hd,N) and (B,h,N,N)@(B,h,N,hd)

    hooks = [mod.register_forward_hook(linear_hook) for mod in list(enc.modules()) + list(pred.modules())
             if isinstance(mod, torch.nn.Linear)]
    hooks += [mod.register_forward_hook(attention_hook) for mod in list(enc.modules()) + list(pred.modules())
              if isinstance(mod, m.Attention)]
    with torch.no_grad():
        tokens = enc(clip[:1])
        encoder = counts["n"]
        pred(tokens, ctx_pos[:1], tgt_pos[:1], cond[:1])
        predictor = counts["n"] - encoder
    for h in hooks:
        h.remove()
    return encoder, predictor


def matmul_peak(threads: int, n: int = 1024, seconds: float = 2.0) -> float:
    torch.set_num_threads(threads)
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(3):
        a @ b
    runs, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        a @ b
        runs += 1
    return 2 * n ** 3 * runs / (time.perf_counter() - start) / 1e9


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("code_dir")
    ap.add_argument("model_dir")
    ap.add_argument("out")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batches", default="1,2,4,8")
    ap.add_argument("--seconds", type=float, default=4.0, help="timing budget per batch size")
    args = ap.parse_args()
    sys.path.insert(0, args.code_dir)
    import model as m  # the repository's model code

    cfg = json.load(open(os.path.join(args.model_dir, "config.json")))
    ecfg = m.EncoderConfig(**cfg["encoder"])
    pcfg = m.PredictorConfig(**{**cfg["predictor"], "condition": tuple(cfg["predictor"]["condition"])})
    enc, pred = m.Encoder(ecfg).eval(), m.Predictor(pcfg, ecfg).eval()
    batches = [int(b) for b in args.batches.split(",")]
    bmax = max(batches)
    torch.manual_seed(0)
    clip = torch.randint(0, 256, (bmax, 1, ecfg.frames, ecfg.size, ecfg.size)).float() / 255.0
    tg, hg, wg = ecfg.grid
    n = tg * hg * wg
    ctx_pos = m.positions_for(ecfg, 0, bmax)
    tgt_pos = m.positions_for(ecfg, tg, bmax)
    cond = torch.full((bmax, len(pcfg.condition)), 0.8)
    enc_flops, pred_flops = count_flops(enc, pred, m, clip, ctx_pos, tgt_pos, cond)

    torch.set_num_threads(args.threads)
    results = []
    with torch.no_grad():
        for b in batches:
            for _ in range(2):
                pred(enc(clip[:b]), ctx_pos[:b], tgt_pos[:b], cond[:b])
            times, start = [], time.perf_counter()
            while time.perf_counter() - start < args.seconds or len(times) < 5:
                t0 = time.perf_counter()
                pred(enc(clip[:b]), ctx_pos[:b], tgt_pos[:b], cond[:b])
                times.append((time.perf_counter() - t0) * 1000)
            mean_ms = sum(times) / len(times)
            results.append({"batch": b, "runs": len(times), "p50_ms": percentile(times, 50), "p99_ms": percentile(times, 99),
                            "clips_per_s": b * 1000 / mean_ms})
            print(f"pytorch eager batch {b}: {b * 1000 / mean_ms:.1f} clips/s, p50 {percentile(times, 50):.1f} ms, "
                  f"p99 {percentile(times, 99):.1f} ms ({len(times)} runs)", flush=True)
    peak1, peak2 = matmul_peak(1), matmul_peak(2)
    out = {"torch": torch.__version__, "threads": args.threads, "tokens": n, "encoder_flops_per_clip": enc_flops,
           "predictor_flops_per_clip": pred_flops, "matmul_peak_gflops_1_thread": peak1, "matmul_peak_gflops_2_threads": peak2,
           "eager": results}
    json.dump(out, open(args.out, "w"), indent=2)
    print(f"flops per clip: encoder {enc_flops / 1e9:.3f} G, predictor {pred_flops / 1e9:.3f} G; "
          f"torch matmul peak {peak1:.0f} GFLOP/s (1 thread), {peak2:.0f} GFLOP/s (2 threads)")


if __name__ == "__main__":
    main()
