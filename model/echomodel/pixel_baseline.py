"""
Pixel-space next-clip predictor baseline (the "blurry" baseline), same encoder/predictor sizes as the JEPA
model but the predictor outputs the next clip's normalised pixels per tubelet (tt*P*P values per token).

  /usr/bin/python3 model/pixel_baseline.py --out model/runs/pixel              # fixed step budget, seeds fixed

Series score = mean over clip pairs of mean |predicted - observed| normalised pixels (same normalisation as the
encoder's input: sector mask, per-frame-row mean removal, per-clip scale). Same training data as JEPA (normal +
nuisance-only normal loops, clean twins as targets) and the same context augmentation.
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Under CPU contention (shared 2-core machines) spinning OpenMP workers burned 6x the CPU per step.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import asdict, dataclass, field  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from .data import AugConfig, ClipSampler, augment  # noqa: E402
from .model import Encoder, EncoderConfig, Predictor, PredictorConfig, normalize_clip, positions_for, size_factory  # noqa: E402
from .prep import PrepConfig, clips_from_frames  # noqa: E402


@dataclass
class PixelConfig:
    size: str = "tiny"
    out: str = "model/runs/pixel"
    steps: int = 2500                 # the budget (~25 min on a quiet 2-core machine)
    batch: int = 16
    lr: float = 6e-4
    min_lr: float = 2e-5
    warmup: int = 60
    weight_decay: float = 0.05
    nuisance_loops: int = 60
    seed: int = 0
    threads: int = 2
    aug: AugConfig = field(default_factory=AugConfig)


class PixelModel(torch.nn.Module):
    def __init__(self, ecfg: EncoderConfig, pcfg: PredictorConfig):
        super().__init__()
        pcfg.out_dim = ecfg.tubelet * ecfg.patch * ecfg.patch
        self.enc, self.pred = Encoder(ecfg), Predictor(pcfg, ecfg)

    def target(self, clip):                                           # (B,1,T,S,S) -> (B, N, tt*P*P)
        return self.enc.patchify(normalize_clip(clip, self.enc.cfg.norm_mode))

    def forward(self, ctx, rr):
        e = self.enc.cfg
        B = ctx.shape[0]
        return self.pred(self.enc(ctx), positions_for(e, 0, B), positions_for(e, e.grid[0], B), rr)


def train_pixel(cfg: PixelConfig):
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    g = np.random.default_rng(cfg.seed)
    ecfg, pcfg = size_factory(cfg.size)
    prep = PrepConfig(size=ecfg.size, frames=ecfg.frames, fps=pcfg.fps)
    from .train import TrainConfig, training_set
    data = training_set(TrainConfig(nuisance_loops=cfg.nuisance_loops), prep)
    sampler = ClipSampler(data["frames"], data["metas"], ecfg.frames, cfg.seed, clean=data.get("clean"))
    model = PixelModel(ecfg, pcfg)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay, betas=(0.9, 0.95))
    os.makedirs(cfg.out, exist_ok=True)
    t0, hist, step = time.time(), [], 0
    for step in range(cfg.steps):
        prog = step / max(1, cfg.steps - 1)                                  # schedules follow steps only
        lr = cfg.lr * min(1.0, (step + 1) / cfg.warmup)
        if step >= cfg.warmup:
            lr = cfg.min_lr + 0.5 * (cfg.lr - cfg.min_lr) * (1 + math.cos(math.pi * min(1.0, prog)))
        for gr in opt.param_groups:
            gr["lr"] = lr
        ctx, _, ctx_clean, nxt_clean, rr = sampler.sample_pairs(cfg.batch)
        ctx_aug = augment(ctx, cfg.aug, cfg.aug.p_ctx, g)
        with torch.no_grad():
            tgt, cp = model.target(nxt_clean), model.target(ctx_clean)
        loss = (model(ctx_aug, rr) - tgt).abs().mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        hist.append((loss.item(), (cp - tgt).abs().mean().item()))
        if step % 25 == 0:
            w = np.array(hist[-25:])
            print(f"pixel step {step} loss {w[:, 0].mean():.4f} copy {w[:, 1].mean():.4f} {(time.time() - t0) / 60:.1f}min", flush=True)
    summary = {"steps": step + 1, "batch": cfg.batch, "seed": cfg.seed, "minutes": round((time.time() - t0) / 60, 1), "final_loss": float(np.mean([h[0] for h in hist[-50:]])),
               "final_copy": float(np.mean([h[1] for h in hist[-50:]]))}
    torch.save({"model": model.state_dict(), "encoder_cfg": asdict(ecfg), "predictor_cfg": asdict(pcfg), "cfg": asdict(cfg),
                "summary": summary}, os.path.join(cfg.out, "ckpt.pt"))
    print(json.dumps(summary))


@torch.no_grad()
def pixel_series_scores(ckpt: str, sets: dict, prep: PrepConfig) -> dict:
    sd = torch.load(ckpt, map_location="cpu")
    ecfg, pcfg = EncoderConfig(**sd["encoder_cfg"]), PredictorConfig(**sd["predictor_cfg"])
    pcfg.condition = tuple(pcfg.condition)
    pcfg.aligned_copy = sd["predictor_cfg"].get("aligned_copy", False)
    model = PixelModel(ecfg, pcfg)
    model.load_state_dict(sd["model"])
    model.eval()
    out = {"summary": sd.get("summary", {})}
    for name in ("calib", "eval"):
        s = sets[name]
        clips = np.stack([clips_from_frames(f, prep) for f in s["frames"]])             # (L, K, T, S, S)
        L, K = clips.shape[:2]
        x = torch.from_numpy(clips.reshape(L * K, 1, *clips.shape[2:]).astype(np.float32) / 255.0)
        tgt = torch.cat([model.target(x[i:i + 64]) for i in range(0, len(x), 64)]).reshape(L, K, ecfg.num_tokens, -1)
        rr = torch.tensor([60.0 / m["hr_bpm"] for m in s["metas"]], dtype=torch.float32)
        xin = x.reshape(L, K, *x.shape[1:])[:, :-1].reshape(L * (K - 1), *x.shape[1:])
        rrp = rr[:, None].expand(L, K - 1).reshape(-1, 1)
        pred = torch.cat([model(xin[i:i + 64], rrp[i:i + 64]) for i in range(0, len(xin), 64)]).reshape(L, K - 1, ecfg.num_tokens, -1)
        pair = (pred - tgt[:, 1:]).abs().mean((-1, -2)).numpy()
        copy = (tgt[:, :-1] - tgt[:, 1:]).abs().mean((-1, -2)).numpy()
        # analytic pixel baseline: phase-aligned copy of the context's normalised pixel tubelets (kappa = 3)
        al = Predictor(PredictorConfig(**{**asdict(pcfg), "out_dim": 0, "aligned_copy": True}), ecfg)
        ctx_px = tgt[:, :-1].reshape(L * (K - 1), ecfg.num_tokens, -1)
        n = len(ctx_px)
        aligned = al.aligned_copy(ctx_px, positions_for(ecfg, 0, n), positions_for(ecfg, ecfg.grid[0], n), rrp)
        apair = (aligned.reshape(L, K - 1, ecfg.num_tokens, -1) - tgt[:, 1:]).abs().mean((-1, -2)).numpy()
        out[name] = {"pixel_mean": pair.mean(1), "pixel_maxpair": pair.max(1), "pixel_copy": copy.mean(1),
                     "pixel_aligned": apair.mean(1), "_pair": pair, "_copy": copy, "_aligned": apair}
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=PixelConfig.out)
    ap.add_argument("--steps", type=int, default=PixelConfig.steps)
    a = ap.parse_args(argv)
    train_pixel(PixelConfig(out=a.out, steps=a.steps))


if __name__ == "__main__":
    main()
