"""
Export a checkpoint to the release contract (docs/onnx-contract.md):

  model/release/encoder.onnx, predictor.onnx, calibration.json, manifest.json, config.json, golden/

  /usr/bin/python3 model/export.py --ckpt model/runs/default/ckpt.pt --calibration model/runs/default/calibration.json
  /usr/bin/python3 model/export.py --placeholder          # random weights, same shapes and names

Checks run here (no Python ONNX Runtime exists on this machine): onnx.checker, shape inference with the
symbolic batch axis, torch eager vs torch.jit.trace at another batch size. The Java embedder's contract test
runs ONNX Runtime on golden/ and prints the max abs difference.
"""
from __future__ import annotations

import os

# Must precede the first torch import: torch runs its own 2 OpenMP threads and calls OpenBLAS inside them;
# a threaded OpenBLAS on top made batched matmuls (attention) 12x slower on the 2-core machines.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Under CPU contention (shared 2-core machines) spinning OpenMP workers burned 6x the CPU per step.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import datetime
import hashlib
import json
import os
import sys
from dataclasses import asdict, dataclass

import numpy as np
import torch

from .model import (LN_EPS, Encoder, EncoderConfig, Predictor, PredictorConfig, pooled_embedding,  # noqa: E402
                   positions_for, size_factory, token_surprise)
from .prep import PREP_VERSION, PrepConfig  # noqa: E402

OPSET = 17
MODEL_NAME = "echostream-echojepa-tiny"


@dataclass
class ExportConfig:
    ckpt: str = ""
    out: str = "model/release"
    calibration: str = ""
    placeholder: bool = False
    version: str = "0.2.0"
    golden_seed: int = 424242
    tolerance: float = 1e-4


class EncoderExport(torch.nn.Module):
    def __init__(self, enc):
        super().__init__()
        self.enc = enc

    def forward(self, clip):                         # (B, 1, T, H, W) -> (B, N, D)
        return self.enc(clip)


class PredictorExport(torch.nn.Module):
    def __init__(self, pred):
        super().__init__()
        self.pred = pred

    def forward(self, context_tokens, context_positions, target_positions, condition):
        return self.pred(context_tokens, context_positions, target_positions, condition)


class PredictorExportNoCondition(torch.nn.Module):
    """For predictors without a condition input (e.g. converted V-JEPA 2)."""

    def __init__(self, pred):
        super().__init__()
        self.pred = pred

    def forward(self, context_tokens, context_positions, target_positions):
        return self.pred(context_tokens, context_positions, target_positions, None)


def predictor_module(pred):
    return PredictorExport(pred) if len(pred.cfg.condition) else PredictorExportNoCondition(pred)


def predictor_args(pred, ctx, cpos, tpos, cond):
    return (ctx, cpos, tpos, cond) if len(pred.cfg.condition) else (ctx, cpos, tpos)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def export_onnx(enc: Encoder, pred: Predictor, out_dir: str, opset: int = OPSET):
    """Writes encoder.onnx and predictor.onnx; returns the example inputs used."""
    import onnx
    ecfg = enc.cfg
    enc.eval(), pred.eval()
    clip = torch.rand(2, 1, ecfg.frames, ecfg.size, ecfg.size)
    torch.onnx.export(EncoderExport(enc), (clip,), os.path.join(out_dir, "encoder.onnx"), opset_version=opset,
                      input_names=["clip"], output_names=["tokens"],
                      dynamic_axes={"clip": {0: "B"}, "tokens": {0: "B"}}, do_constant_folding=True)
    n = ecfg.num_tokens
    tg = ecfg.grid[0]
    ctx = torch.randn(2, n, ecfg.dim)
    cpos, tpos = positions_for(ecfg, 0, 2), positions_for(ecfg, tg, 2)
    cond = torch.full((2, len(pred.cfg.condition)), 0.8)
    names = ["context_tokens", "context_positions", "target_positions"] + (["condition"] if len(pred.cfg.condition) else [])
    axes = {"context_tokens": {0: "B", 1: "Nc"}, "context_positions": {0: "B", 1: "Nc"},
            "target_positions": {0: "B", 1: "Nt"}, "predicted_tokens": {0: "B", 1: "Nt"}}
    if len(pred.cfg.condition):
        axes["condition"] = {0: "B"}
    torch.onnx.export(predictor_module(pred), predictor_args(pred, ctx, cpos, tpos, cond), os.path.join(out_dir, "predictor.onnx"),
                      opset_version=opset, input_names=names, output_names=["predicted_tokens"],
                      dynamic_axes=axes, do_constant_folding=True)
    for name in ("encoder.onnx", "predictor.onnx"):
        m = onnx.load(os.path.join(out_dir, name))
        onnx.checker.check_model(m)
        onnx.shape_inference.infer_shapes(m, strict_mode=True)


def onnx_io(path):
    """[(name, elem_type, dims)] of inputs and outputs, dims as ints or symbolic names."""
    import onnx
    m = onnx.load(path)

    def desc(v):
        t = v.type.tensor_type
        return (v.name, onnx.TensorProto.DataType.Name(t.elem_type),
                [d.dim_param if d.dim_param else d.dim_value for d in t.shape.dim])
    return [desc(v) for v in m.graph.input], [desc(v) for v in m.graph.output], [o.version for o in m.opset_import]


def trace_check(enc: Encoder, pred: Predictor, batch: int = 3) -> dict:
    """torch eager vs torch.jit.trace (traced at B=2, run at B=batch): max abs diffs."""
    ecfg = enc.cfg
    tg = ecfg.grid[0]
    with torch.no_grad():
        te = torch.jit.trace(EncoderExport(enc), (torch.rand(2, 1, ecfg.frames, ecfg.size, ecfg.size),))
        clip = torch.rand(batch, 1, ecfg.frames, ecfg.size, ecfg.size)
        d_enc = (te(clip) - enc(clip)).abs().max().item()
        tok = enc(clip)
        cpos, tpos = positions_for(ecfg, 0, 2), positions_for(ecfg, tg, 2)
        cond2 = torch.full((2, len(pred.cfg.condition)), 0.8)
        tp = torch.jit.trace(predictor_module(pred), predictor_args(pred, tok[:2], cpos, tpos, cond2))
        cond = torch.rand(batch, len(pred.cfg.condition)) * 0.6 + 0.5
        a = tp(*predictor_args(pred, tok, positions_for(ecfg, 0, batch), positions_for(ecfg, tg, batch), cond))
        b = pred(tok, positions_for(ecfg, 0, batch), positions_for(ecfg, tg, batch), cond)
        d_pred = (a - b).abs().max().item()
    return {"encoder_eager_vs_traced_max_abs": d_enc, "predictor_eager_vs_traced_max_abs": d_pred}


def golden_inputs(ecfg: EncoderConfig, seed: int):
    """Two normal simulated loops -> clips k=0 and k+1, and their RR (s)."""
    from .data import make_loop
    clips, nexts, rrs = [], [], []
    for s in (seed, seed + 1):
        frames, meta = make_loop(s, "normal", PrepConfig(size=ecfg.size, frames=ecfg.frames))
        clips.append(frames[:ecfg.frames])
        nexts.append(frames[ecfg.frames:2 * ecfg.frames])
        rrs.append(60.0 / meta["hr_bpm"])
    c = torch.from_numpy(np.stack(clips)[:, None].astype(np.float32) / 255.0)
    nx = torch.from_numpy(np.stack(nexts)[:, None].astype(np.float32) / 255.0)
    return c, nx, torch.tensor(rrs, dtype=torch.float32)[:, None]


def write_golden(enc: Encoder, pred: Predictor, out_dir: str, seed: int, tol: float) -> dict:
    ecfg = enc.cfg
    tg = ecfg.grid[0]
    gdir = os.path.join(out_dir, "golden")
    os.makedirs(gdir, exist_ok=True)
    clip, nxt, cond = golden_inputs(ecfg, seed)
    if len(pred.cfg.condition) == 0:
        cond = cond[:, :0]
    with torch.no_grad():
        tokens = enc(clip)
        next_tokens = enc(nxt)
        cpos, tpos = positions_for(ecfg, 0, 2), positions_for(ecfg, tg, 2)
        predicted = pred(tokens, cpos, tpos, cond)
        surprise_tok = token_surprise(predicted, next_tokens)
        pooled = pooled_embedding(tokens)
    arrays = {"clip.f32": clip, "next_clip.f32": nxt, "tokens.f32": tokens, "next_tokens.f32": next_tokens,
              "context_positions.i64": cpos, "target_positions.i64": tpos,
              "predicted.f32": predicted, "surprise_tokens.f32": surprise_tok,
              "surprise_clip.f32": surprise_tok.mean(dim=1), "pooled.f32": pooled}
    if cond.shape[1]:
        arrays["condition.f32"] = cond
    files = {}
    for name, t in arrays.items():
        a = t.numpy()
        dt = "<i8" if name.endswith(".i64") else "<f4"
        a.astype(dt).tofile(os.path.join(gdir, name))
        files[name] = {"shape": list(a.shape), "dtype": "int64" if dt == "<i8" else "float32"}
    meta = {"description": "Reference inputs/outputs for the ONNX Runtime parity test (raw little-endian, C order).",
            "batch": 2, "files": files, "tolerance_max_abs": tol,
            "encoder": {"inputs": {"clip": "clip.f32"}, "outputs": {"tokens": "tokens.f32"},
                        "also": {"next_clip.f32": "next_tokens.f32"}},
            "predictor": {"inputs": {"context_tokens": "tokens.f32", "context_positions": "context_positions.i64",
                                     "target_positions": "target_positions.i64", **({"condition": "condition.f32"} if cond.shape[1] else {})},
                          "outputs": {"predicted_tokens": "predicted.f32"}},
            "surprise": {"formula": "mean_d |LN(predicted)_d - LN(next_tokens)_d|, LN without affine, eps 1e-5",
                         "tokens": "surprise_tokens.f32", "clip": "surprise_clip.f32"},
            "pooled": {"formula": "mean over tokens of LN(tokens)", "file": "pooled.f32"}}
    with open(os.path.join(gdir, "golden.json"), "w") as f:
        json.dump(meta, f, indent=2)
    return meta


GOLDEN_SERIES = (("normal", 500_001), ("nuisance-shadow", 500_002), ("reduced-ef", 500_003))


def write_series_golden(enc: Encoder, pred: Predictor, calib: dict, out_dir: str) -> dict:
    """A few simulated series (one loop each, K clips): observed tokens [L, K, N, D], predictions for clips 1..K-1
    [L, K-1, N, D], and what scoring.py computes from them with this calibration (per-clip measures, component
    aggregates, series score), for the anomaly service's parity test."""
    from . import scoring
    from .data import make_loop
    from .evaluate import loop_tokens
    ecfg = enc.cfg
    prep = PrepConfig(size=ecfg.size, frames=ecfg.frames, fps=pred.cfg.fps)
    loops = [make_loop(seed, kind, prep) for kind, seed in GOLDEN_SERIES]
    n = min(len(f) for f, _ in loops)
    tok, pr = loop_tokens(enc, pred, np.stack([f[:n] for f, _ in loops]), [m for _, m in loops], prep)
    rule = scoring.rule_from_json(calib["series"])
    nm = scoring.normative_from_json(calib["normative"]) if "normative" in calib else None
    ms = scoring.motion_from_json(calib["motion"]) if "motion" in calib else None
    fractions = tuple(c.measure.fraction for c in rule.components if c.measure.name == "surprise_top")
    meas = scoring.clip_measures(tok, pr, ecfg.grid, nm, "pooled+motion", fractions=fractions, ms=ms)
    score, z = rule.score(meas), rule.z(meas)
    gdir = os.path.join(out_dir, "golden")
    tok.numpy().astype("<f4").tofile(os.path.join(gdir, "series_tokens.f32"))
    pr.numpy().astype("<f4").tofile(os.path.join(gdir, "series_predicted.f32"))
    series = {"description": "Series-rule parity: score every series from its tokens with calibration.json and compare.",
              "tokens": {"file": "series_tokens.f32", "shape": list(tok.shape), "dtype": "float32"},
              "predicted": {"file": "series_predicted.f32", "shape": list(pr.shape), "dtype": "float32",
                            "pairs": "predicted[l, k] is the prediction for clip k+1 of loop l, made from clip k"},
              "rule": rule.describe(), "tolerance_max_abs": 1e-3,
              "series": [{"kind": kind, "seed": seed,
                          "measures": {k: [float(x) for x in v[i]] for k, v in meas.items() if not k.startswith("_")},
                          "components": {c.name: float(c.series_value(meas)[i]) for c in rule.components},
                          "z": [float(x) for x in z[i]], "score": float(score[i]), "flagged": bool(score[i] > rule.threshold)}
                         for i, (kind, seed) in enumerate(GOLDEN_SERIES)]}
    with open(os.path.join(gdir, "series.json"), "w") as f:
        json.dump(series, f, indent=1)
    return series


def build_models(ckpt: str, placeholder: bool):
    if placeholder:
        torch.manual_seed(0)
        ecfg, pcfg = size_factory("tiny")
        return Encoder(ecfg), Predictor(pcfg, ecfg), {"placeholder": True}
    sd = torch.load(ckpt, map_location="cpu")
    ecfg, pcfg = EncoderConfig(**sd["encoder_cfg"]), PredictorConfig(**sd["predictor_cfg"])
    pcfg.condition = tuple(pcfg.condition)
    pcfg.aligned_copy = sd["predictor_cfg"].get("aligned_copy", False)   # checkpoints from before the aligned path
    enc, pred = Encoder(ecfg), Predictor(pcfg, ecfg)
    enc.load_state_dict(sd["target_encoder"])
    pred.load_state_dict(sd["predictor"])
    return enc, pred, sd.get("summary", {})


def placeholder_calibration() -> dict:
    q = {k: None for k in ("0.5", "0.9", "0.95", "0.99", "0.995", "0.999")}
    return {"placeholder": True, "note": "random-weight placeholder: numbers meaningless, keys final",
            "surprise": {"ln_eps": LN_EPS, "per_clip": {"quantiles": q, "mean": None, "std": None},
                         "per_token": {"quantiles": q, "mean": None, "std": None}},
            "series": {"score": "combined", "threshold": None}}


def write_manifest(out_dir: str, enc: Encoder, pred: Predictor, cfg: ExportConfig, summary: dict, calib: dict,
                   prep: PrepConfig) -> dict:
    ecfg, pcfg = enc.cfg, pred.cfg
    tg, hg, wg = ecfg.grid
    files = {}
    for name in ("encoder.onnx", "predictor.onnx", "calibration.json"):
        p = os.path.join(out_dir, name)
        files[name] = {"sha256": sha256(p), "bytes": os.path.getsize(p)}
    enc_in, enc_out, _ = onnx_io(os.path.join(out_dir, "encoder.onnx"))
    pr_in, pr_out, _ = onnx_io(os.path.join(out_dir, "predictor.onnx"))
    manifest = {
        "model": MODEL_NAME,
        "version": "0.0.1-placeholder" if cfg.placeholder else cfg.version,
        "placeholder": bool(cfg.placeholder),
        "created": datetime.date.today().isoformat(),
        "preprocessingVersion": PREP_VERSION,
        "clip": {"frames": ecfg.frames, "height": ecfg.size, "width": ecfg.size, "channels": 1, "fps": prep.fps,
                 "horizonFrames": prep.frames, "strideFrames": prep.frames, "valueRange": [0.0, 1.0],
                 "value": "uint8 pixel / 255, zeros outside the sector"},
        "tokens": {"grid": [tg, hg, wg], "tubelet": [ecfg.tubelet, ecfg.patch, ecfg.patch], "dim": ecfg.dim,
                   "count": ecfg.num_tokens, "order": "time-row-column",
                   "flatIndex": "t*(Hg*Wg) + row*Wg + col"},
        "predictor": {"contextSlots": [0, tg - 1], "targetSlots": [tg, 2 * tg - 1], "maxTimeSlots": pcfg.max_time_slots,
                      "slotSeconds": ecfg.tubelet / prep.fps,
                      "condition": list(pcfg.condition),
                      "conditionDoc": {"rr_s": "RR interval in seconds = 60 / heart rate (DICOM Heart Rate (0018,1088); "
                                               "if absent, ingest's periodicity estimate)"}},
        "surprise": {"token": "mean_d |LN(predicted)_d - LN(observed)_d|", "lnEps": LN_EPS, "lnAffine": False,
                     "clip": calib.get("surprise", {}).get("clip_rule", "mean over tokens")},
        "pooled": "mean over tokens of LN(tokens), LN without affine, eps 1e-5",
        "io": {"encoder": {"inputs": enc_in, "outputs": enc_out}, "predictor": {"inputs": pr_in, "outputs": pr_out}},
        "files": files,
        "opset": OPSET,
        "exportedWith": {"torch": torch.__version__},
        "training": summary,
    }
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    return manifest


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", default="")
    ap.add_argument("--out", default=ExportConfig.out)
    ap.add_argument("--calibration", default="")
    ap.add_argument("--placeholder", action="store_true")
    ap.add_argument("--version", default=ExportConfig.version)
    a = ap.parse_args(argv)
    cfg = ExportConfig(ckpt=a.ckpt, out=a.out, calibration=a.calibration, placeholder=a.placeholder, version=a.version)
    assert cfg.placeholder or cfg.ckpt, "give --ckpt PATH (or --placeholder)"
    torch.set_num_threads(2)
    os.makedirs(cfg.out, exist_ok=True)
    enc, pred, summary = build_models(cfg.ckpt, cfg.placeholder)
    enc.eval(), pred.eval()
    export_onnx(enc, pred, cfg.out)
    checks = trace_check(enc, pred)
    print("torch eager vs traced:", checks)
    assert max(checks.values()) < 1e-4, f"trace mismatch {checks}"
    if cfg.calibration:
        with open(cfg.calibration) as f:
            calib = json.load(f)
    else:
        assert cfg.placeholder, "a trained export needs --calibration (written by eval)"
        calib = placeholder_calibration()
    with open(os.path.join(cfg.out, "calibration.json"), "w") as f:
        json.dump(calib, f, indent=1)
    write_golden(enc, pred, cfg.out, cfg.golden_seed, cfg.tolerance)
    if "components" in calib.get("series", {}):
        gs = write_series_golden(enc, pred, calib, cfg.out)
        print("series golden:", ", ".join(f"{s['kind']} {s['score']:.3f}" for s in gs["series"]))
    summary = dict(summary)
    summary["checks"] = checks
    prep = PrepConfig(size=enc.cfg.size, frames=enc.cfg.frames, fps=pred.cfg.fps)
    with open(os.path.join(cfg.out, "config.json"), "w") as f:
        json.dump({"encoder": asdict(enc.cfg), "predictor": asdict(pred.cfg), "prep": asdict(prep),
                   "export": asdict(cfg)}, f, indent=2)
    m = write_manifest(cfg.out, enc, pred, cfg, summary, calib, prep)
    total = sum(os.path.getsize(os.path.join(dp, fn)) for dp, _, fns in os.walk(cfg.out) for fn in fns)
    print(f"release {cfg.out}: version {m['version']}, {total / 1e6:.2f} MB")
    for k, v in m["files"].items():
        print(f"  {k}: {v['bytes']} bytes sha256 {v['sha256'][:16]}...")


if __name__ == "__main__":
    main()
