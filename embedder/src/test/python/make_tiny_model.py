"""
A tiny encoder/predictor pair with the release's ONNX input and output names, for the embedder's fast tests.

    /usr/bin/python3 embedder/src/test/python/make_tiny_model.py [OUT_DIR]
    (default OUT_DIR: embedder/src/test/resources/tiny-model; torch 1.13 + onnx 1.12)

Writes encoder.onnx, predictor.onnx, manifest.json (release layout, sha256 of every file) and golden/
(PyTorch inputs and outputs, raw little-endian, described by golden.json, same layout as the release's).
Fixed seed: a second run writes byte-identical ONNX files on the same torch version.

Shapes are the release's with small numbers: clip [B, 1, 4, 16, 16], tubelet 2x8x8, token grid [2, 2, 2]
(N = 8), dim 8; predictor conditioned on rr_s.

On purpose, the encoder standardises each clip WITHOUT an epsilon: a uniform clip (every pixel equal,
e.g. all zero) gives 0/0 = NaN tokens. The embedder's tests use that clip to check that non-finite output
goes to the dead-letter topic and never downstream. (The released model guards this with an epsilon.)
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import hashlib
import json
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

FRAMES, SIZE, TUBELET, PATCH, DIM = 4, 16, 2, 8, 8
GRID = (FRAMES // TUBELET, SIZE // PATCH, SIZE // PATCH)          # (Tg, Hg, Wg)
N = GRID[0] * GRID[1] * GRID[2]
MAX_TIME_SLOTS = 2 * GRID[0]
FPS = 12.0
SEED = 20261121


class TinyEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Linear(TUBELET * PATCH * PATCH, DIM)
        self.pos = nn.Parameter(torch.randn(1, N, DIM) * 0.1)
        self.mlp = nn.Sequential(nn.Linear(DIM, 2 * DIM), nn.GELU(), nn.Linear(2 * DIM, DIM))
        self.norm = nn.LayerNorm(DIM)

    def forward(self, clip):                                           # (B, 1, T, H, W)
        mean = clip.mean(dim=(1, 2, 3, 4), keepdim=True)
        std = torch.sqrt(((clip - mean) ** 2).mean(dim=(1, 2, 3, 4), keepdim=True))
        x = (clip - mean) / std                                        # no epsilon: uniform clip -> NaN
        tg, hg, wg = GRID
        x = x.reshape(-1, tg, TUBELET, hg, PATCH, wg, PATCH).permute(0, 1, 3, 5, 2, 4, 6)
        x = x.reshape(-1, N, TUBELET * PATCH * PATCH)                  # (B, N, tt*P*P), time-row-column
        x = self.embed(x) + self.pos                                   # (B, N, D)
        return self.norm(x + self.mlp(x))                              # (B, N, D)


class TinyPredictor(nn.Module):
    def __init__(self):
        super().__init__()
        self.pos = nn.Embedding(MAX_TIME_SLOTS * GRID[1] * GRID[2], DIM)
        self.cond = nn.Linear(1, DIM)
        self.out = nn.Linear(DIM, DIM)

    def forward(self, context_tokens, context_positions, target_positions, condition):
        ctx = context_tokens + self.pos(context_positions)            # (B, Nc, D)
        q = self.pos(target_positions) + self.cond(condition)[:, None, :]   # (B, Nt, D)
        att = torch.softmax(q @ ctx.transpose(1, 2) / DIM ** 0.5, dim=-1)   # (B, Nt, Nc)
        return self.out(att @ ctx)                                     # (B, Nt, D)


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def positions(batch: int, slot_offset: int) -> torch.Tensor:
    idx = torch.arange(N, dtype=torch.int64) + slot_offset * GRID[1] * GRID[2]
    return idx[None].expand(batch, -1).contiguous()                    # (B, N)


def main(out: str) -> None:
    torch.manual_seed(SEED)
    enc, pred = TinyEncoder().eval(), TinyPredictor().eval()
    os.makedirs(os.path.join(out, "golden"), exist_ok=True)
    b = 2
    clip = torch.randint(0, 256, (b, 1, FRAMES, SIZE, SIZE), dtype=torch.int32).float() / 255.0
    cpos, tpos = positions(b, 0), positions(b, GRID[0])
    cond = torch.tensor([[60.0 / 72.0], [60.0 / 55.0]], dtype=torch.float32)      # rr_s from 72 and 55 bpm
    with torch.no_grad():
        torch.onnx.export(enc, (clip,), os.path.join(out, "encoder.onnx"), opset_version=17,
                          input_names=["clip"], output_names=["tokens"],
                          dynamic_axes={"clip": {0: "B"}, "tokens": {0: "B"}})
        tokens = enc(clip)
        torch.onnx.export(pred, (tokens, cpos, tpos, cond), os.path.join(out, "predictor.onnx"), opset_version=17,
                          input_names=["context_tokens", "context_positions", "target_positions", "condition"],
                          output_names=["predicted_tokens"],
                          dynamic_axes={"context_tokens": {0: "B", 1: "Nc"}, "context_positions": {0: "B", 1: "Nc"},
                                        "target_positions": {0: "B", 1: "Nt"}, "condition": {0: "B"},
                                        "predicted_tokens": {0: "B", 1: "Nt"}})
        predicted = pred(tokens, cpos, tpos, cond)
        pooled = F.layer_norm(tokens, (DIM,), eps=1e-5).mean(dim=1)

    golden = {"clip.f32": clip, "tokens.f32": tokens, "context_positions.i64": cpos, "target_positions.i64": tpos,
              "condition.f32": cond, "predicted.f32": predicted, "pooled.f32": pooled}
    files = {}
    for name, t in golden.items():
        arr = t.numpy().astype("<i8" if name.endswith(".i64") else "<f4")
        arr.tofile(os.path.join(out, "golden", name))
        files[name] = {"shape": list(arr.shape), "dtype": "int64" if name.endswith(".i64") else "float32"}
    with open(os.path.join(out, "golden", "golden.json"), "w") as f:
        json.dump({"description": "tiny test model: PyTorch reference inputs/outputs (raw little-endian, C order)",
                   "batch": b, "files": files, "tolerance_max_abs": 1e-4,
                   "encoder": {"inputs": {"clip": "clip.f32"}, "outputs": {"tokens": "tokens.f32"}},
                   "predictor": {"inputs": {"context_tokens": "tokens.f32", "context_positions": "context_positions.i64",
                                            "target_positions": "target_positions.i64", "condition": "condition.f32"},
                                 "outputs": {"predicted_tokens": "predicted.f32"}},
                   "pooled": {"formula": "mean over tokens of LN(tokens)", "file": "pooled.f32"}}, f, indent=2)

    manifest = {
        "model": "echostream-tiny-test", "version": "0.0.1-test", "preprocessingVersion": "prep-test",
        "clip": {"frames": FRAMES, "height": SIZE, "width": SIZE, "channels": 1, "fps": FPS,
                 "horizonFrames": FRAMES, "strideFrames": FRAMES},
        "tokens": {"grid": list(GRID), "tubelet": [TUBELET, PATCH, PATCH], "dim": DIM, "count": N,
                   "order": "time-row-column"},
        "predictor": {"contextSlots": [0, GRID[0] - 1], "targetSlots": [GRID[0], 2 * GRID[0] - 1],
                      "maxTimeSlots": MAX_TIME_SLOTS, "condition": ["rr_s"]},
        "pooled": "mean over tokens of LN(tokens), LN without affine, eps 1e-5",
        "files": {name: {"sha256": sha256(os.path.join(out, name)), "bytes": os.path.getsize(os.path.join(out, name))}
                  for name in ("encoder.onnx", "predictor.onnx")},
        "generatedBy": "embedder/src/test/python/make_tiny_model.py",
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    print(f"tiny model written to {out}: encoder {manifest['files']['encoder.onnx']['bytes']} B, "
          f"predictor {manifest['files']['predictor.onnx']['bytes']} B")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "embedder/src/test/resources/tiny-model")
