"""
Train the encoder + next-clip predictor on simulated NORMAL loops (V-JEPA style, EMA target encoder).

  /usr/bin/python3 model/train.py                       # default: tiny, fixed step budget (~1 h on a quiet 2-core machine)
  /usr/bin/python3 model/train.py --steps 200 --out model/runs/quick

Reproducible: schedules (LR, EMA) follow the step count only, every random draw comes from --seed, so the
result does not depend on how loaded the machine is (the 2-core build machines are shared).

Data: normal loops and nuisance-only normal loops (gain, attenuation/TGC, shadow, shift; present from the
start or switching on mid-loop), the latter with their clean twins (the same heart and speckle acquired
without the nuisance; sim.without_nuisance). Normal hearts only: no abnormal kind is ever trained on.

Each step: a pair (clip k, clip k+1) at a random start frame of a random loop, RR interval as condition.
  context   = student(augment(clip k as acquired)), optionally with V-JEPA multi-block (tube) masking
  targets   = LN(EMA(clean twin of clip k+1)) at all next-clip positions (future time slots)
            + LN(EMA(clean twin of clip k)) at the masked context positions
  loss      = L1(LN(pred), targets)                                  (= the surprise the system computes)
            + inv_w * L1(LN(student visible tokens), LN(EMA(clean twin of clip k)) at the same positions)  (nuisance invariance)
            + VICReg variance / covariance hinge on student tokens    (collapse guard)
The predictor is never asked to predict a nuisance (its targets are clean): the encoder has to drop it.
Logged: predictor L1 vs copy L1 ("next latent = this latent"), per-dim std, RankMe, mean pairwise cosine.
"""
from __future__ import annotations

import os

# Must precede the first torch import: torch runs its own 2 OpenMP threads and calls OpenBLAS inside them;
# a threaded OpenBLAS on top made batched matmuls (attention) 12x slower on the 2-core machines.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Under CPU contention (shared 2-core machines) spinning OpenMP workers burned 6x the CPU per step.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import copy
import json
import math
import os
import sys
import time
from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from .data import AugConfig, ClipSampler, augment, build_set  # noqa: E402
from .metrics import collapse_stats  # noqa: E402
from .model import Encoder, Predictor, ln, pooled_embedding, positions_for, size_factory  # noqa: E402
from .prep import PrepConfig  # noqa: E402
from .sim import NUISANCE_KINDS  # noqa: E402


@dataclass
class TrainConfig:
    size: str = "tiny"
    out: str = "model/runs/default"
    steps: int = 7000                 # the budget: ~1 h on a quiet 2-core machine (see docs/benchmarks.md)
    batch: int = 8
    lr: float = 5e-4
    min_lr: float = 2e-5
    warmup: int = 200
    weight_decay: float = 0.05
    ema: tuple = (0.99, 0.9995)
    p_mask: float = 0.5               # share of steps with multi-block masking of the context clip
    mask_blocks: tuple = (2, 4)
    mask_scale: tuple = (0.12, 0.28)  # spatial area of one block (fraction of Hg*Wg); tubes over all time
    inv_w: float = 0.25
    var_w: float = 0.5
    cov_w: float = 0.04
    train_loops: int = 300
    train_seed0: int = 0
    nuisance_loops: int = 60          # per nuisance kind (with clean twins); 0 = normal loops only
    val_loops: int = 24
    val_seed0: int = 50_000
    log_every: int = 25
    val_every: int = 100
    threads: int = 2
    seed: int = 0
    aug: AugConfig = field(default_factory=AugConfig)


def multiblock_mask(grid, cfg: TrainConfig, g: np.random.Generator):
    """V-JEPA-style tube mask: a union of spatial blocks masked at every time slot -> (keep idx, masked idx)."""
    tg, hg, wg = grid
    m = np.zeros((hg, wg), bool)
    for _ in range(int(g.integers(cfg.mask_blocks[0], cfg.mask_blocks[1] + 1))):
        area = g.uniform(*cfg.mask_scale) * hg * wg
        ar = math.exp(g.uniform(math.log(0.5), math.log(2.0)))
        h = int(np.clip(round(math.sqrt(area * ar)), 1, hg - 1))
        w = int(np.clip(round(math.sqrt(area / ar)), 1, wg - 1))
        r, c = int(g.integers(0, hg - h + 1)), int(g.integers(0, wg - w + 1))
        m[r:r + h, c:c + w] = True
    if m.all():
        m[0, 0] = False
    full = np.broadcast_to(m, (tg, hg, wg)).reshape(-1)
    return torch.from_numpy(np.nonzero(~full)[0]), torch.from_numpy(np.nonzero(full)[0])


def vicreg_terms(z: torch.Tensor, g: torch.Generator, n: int = 512):
    """z (B, N, D): variance hinge and off-diagonal covariance on a random sample of tokens."""
    flat = z.reshape(-1, z.shape[-1])
    idx = torch.randint(0, flat.shape[0], (min(n, flat.shape[0]),), generator=g)
    s = flat[idx]
    s = s - s.mean(0)
    std = torch.sqrt(s.var(0) + 1e-4)
    var = torch.relu(1.0 - std).mean()
    cov = (s.T @ s) / (s.shape[0] - 1)
    off = cov - torch.diag(torch.diag(cov))
    return var, (off ** 2).sum() / s.shape[1]


@torch.no_grad()
def validate(enc, pred, val_ctx, val_nxt, val_rr, ecfg):
    """Deployment configuration: the same (EMA) encoder for context and next clip, full context."""
    enc.eval(), pred.eval()
    tg = ecfg.grid[0]
    B = val_ctx.shape[0]
    zc, zn = enc(val_ctx), enc(val_nxt)
    p = pred(zc, positions_for(ecfg, 0, B), positions_for(ecfg, tg, B), val_rr)
    pred_l1 = (ln(p) - ln(zn)).abs().mean().item()
    copy_l1 = (ln(zc) - ln(zn)).abs().mean().item()
    st = collapse_stats(pooled_embedding(zc))
    tok = collapse_stats(ln(zc).reshape(-1, zc.shape[-1])[::7])
    pred.train()
    return {"val_pred_l1": pred_l1, "val_copy_l1": copy_l1, "val_ratio": pred_l1 / max(copy_l1, 1e-9),
            "rankme_pooled": st["rankme"], "rankme_tokens": tok["rankme"], "cos_pooled": st["mean_cos"],
            "std_pooled_min": st["std_min"], "std_pooled_mean": st["std_mean"]}


def training_set(cfg: TrainConfig, prep: PrepConfig) -> dict:
    """Normal loops (clean = frames) + nuisance-only normal loops with their clean twins -> frames, clean, metas."""
    normal = build_set("train_normal", ["normal"], cfg.train_loops, cfg.train_seed0, prep)
    if not cfg.nuisance_loops:
        return normal
    nuis = build_set("train_nuisance", NUISANCE_KINDS, cfg.nuisance_loops, cfg.train_seed0, prep, twins=True)
    n = min(normal["frames"].shape[1], nuis["frames"].shape[1])
    return {"frames": np.concatenate([normal["frames"][:, :n], nuis["frames"][:, :n]]),
            "clean": np.concatenate([normal["frames"][:, :n], nuis["clean"][:, :n]]),
            "metas": list(normal["metas"]) + list(nuis["metas"])}


def train(cfg: TrainConfig, data=None, verbose: bool = True):
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    g = np.random.default_rng(cfg.seed)
    tg_gen = torch.Generator().manual_seed(cfg.seed)
    ecfg, pcfg = size_factory(cfg.size)
    prep = PrepConfig(size=ecfg.size, frames=ecfg.frames, fps=pcfg.fps)
    if data is None:
        data = training_set(cfg, prep)
        val = build_set("val_normal", ["normal"], cfg.val_loops, cfg.val_seed0, prep)
    else:
        data, val = data
    sampler = ClipSampler(data["frames"], data["metas"], ecfg.frames, cfg.seed, clean=data.get("clean"))
    vs = ClipSampler(val["frames"], val["metas"], ecfg.frames, cfg.seed + 1, rr_noise=0.0)
    val_ctx, val_nxt, val_rr = vs.sample(max(8, min(48, 2 * len(val["metas"]))))

    student = Encoder(ecfg)
    target = copy.deepcopy(student)
    for p_ in target.parameters():
        p_.requires_grad_(False)
    pred = Predictor(pcfg, ecfg)
    params = [p_ for p_ in list(student.parameters()) + list(pred.parameters())]
    decay = [p_ for p_ in params if p_.ndim >= 2]
    no_decay = [p_ for p_ in params if p_.ndim < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": cfg.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=cfg.lr, betas=(0.9, 0.95))
    os.makedirs(cfg.out, exist_ok=True)
    log_f = open(os.path.join(cfg.out, "train_log.jsonl"), "w")
    with open(os.path.join(cfg.out, "train_config.json"), "w") as f:
        json.dump({"train": asdict(cfg), "encoder": asdict(ecfg), "predictor": asdict(pcfg), "prep": asdict(prep)}, f, indent=2)
    tgs, hw = ecfg.grid[0], ecfg.grid[1] * ecfg.grid[2]
    n_tok = ecfg.num_tokens
    t0 = time.time()
    hist = []
    last_val = {}
    step = 0
    for step in range(cfg.steps):
        prog = step / max(1, cfg.steps - 1)                                      # schedules follow steps only
        lr = cfg.lr * min(1.0, (step + 1) / cfg.warmup)
        if step >= cfg.warmup:
            q = min(1.0, prog)
            lr = cfg.min_lr + 0.5 * (cfg.lr - cfg.min_lr) * (1 + math.cos(math.pi * q))
        for gr in opt.param_groups:
            gr["lr"] = lr
        m = cfg.ema[0] + (cfg.ema[1] - cfg.ema[0]) * min(1.0, prog)

        ctx, nxt, ctx_clean, nxt_clean, rr = sampler.sample_pairs(cfg.batch)     # (B,1,T,S,S) x4, (B,1)
        B = ctx.shape[0]
        ctx_aug = augment(ctx, cfg.aug, cfg.aug.p_ctx, g)                         # more nuisances, context side
        nxt_aug = augment(nxt_clean, cfg.aug, cfg.aug.p_tgt, g) if cfg.aug.p_tgt > 0 else nxt_clean
        with torch.no_grad():
            t_next = ln(target(nxt_aug))                                          # (B, N, D) clean next clip
            t_ctx = ln(target(ctx_clean))                                         # (B, N, D) clean context
        if g.random() < cfg.p_mask:
            keep, masked = multiblock_mask(ecfg.grid, cfg, g)
        else:
            keep, masked = torch.arange(n_tok), torch.arange(0)
        z = student(ctx_aug, keep)                                                # (B, Nk, D)
        cpos = keep[None].expand(B, -1)
        tpos = torch.cat([masked, torch.arange(n_tok) + tgs * hw])[None].expand(B, -1)
        p = pred(z, cpos, tpos, rr)                                               # (B, Nm+N, D)
        err = (ln(p) - torch.cat([t_ctx[:, masked], t_next], dim=1)).abs()        # (B, Nm+N, D)
        loss_next = err[:, len(masked):].mean()
        loss_pred = err.mean()
        loss_inv = (ln(z) - t_ctx[:, keep]).abs().mean()
        var, cov = vicreg_terms(ln(z), tg_gen)
        loss = loss_pred + cfg.inv_w * loss_inv + cfg.var_w * var + cfg.cov_w * cov
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        with torch.no_grad():
            for pt, ps in zip(target.parameters(), student.parameters()):
                pt.mul_(m).add_(ps.detach(), alpha=1 - m)
            copy_l1 = (t_ctx - t_next).abs().mean().item()
        rec = {"step": step, "loss": loss.item(), "next_l1": loss_next.item(), "copy_l1": copy_l1,
               "inv": loss_inv.item(), "var": var.item(), "cov": cov.item(), "lr": lr, "ema": m,
               "masked": int(len(masked)), "min": (time.time() - t0) / 60}
        hist.append(rec)
        if (step + 1) % cfg.val_every == 0 or step == cfg.steps - 1:
            last_val = validate(target, pred, val_ctx, val_nxt, val_rr, ecfg)
            rec.update(last_val)
        log_f.write(json.dumps(rec) + "\n")
        log_f.flush()
        if verbose and (step % cfg.log_every == 0 or "val_pred_l1" in rec):
            w = hist[-cfg.log_every:]
            msg = (f"step {step:5d} loss {np.mean([h['loss'] for h in w]):.4f} next {np.mean([h['next_l1'] for h in w]):.4f} "
                   f"copy {np.mean([h['copy_l1'] for h in w]):.4f} inv {np.mean([h['inv'] for h in w]):.3f} "
                   f"var {np.mean([h['var'] for h in w]):.3f} lr {lr:.2e} {rec['min']:.1f}min")
            if "val_pred_l1" in rec:
                msg += (f" | VAL pred {rec['val_pred_l1']:.4f} copy {rec['val_copy_l1']:.4f} ratio {rec['val_ratio']:.3f} "
                        f"rankme {rec['rankme_pooled']:.1f}/{rec['rankme_tokens']:.1f} cos {rec['cos_pooled']:.3f}")
            print(msg, flush=True)
    minutes = (time.time() - t0) / 60
    summary = {"steps": step + 1, "batch": cfg.batch, "minutes": round(minutes, 1), "train_loops": cfg.train_loops,
               "nuisance_loops": cfg.nuisance_loops * 4 if cfg.nuisance_loops else 0, "seed": cfg.seed,
               "threads": cfg.threads, "final_val": last_val, "size": cfg.size}
    torch.save({"student": student.state_dict(), "target_encoder": target.state_dict(), "predictor": pred.state_dict(),
                "encoder_cfg": asdict(ecfg), "predictor_cfg": asdict(pcfg), "train_cfg": asdict(cfg),
                "summary": summary}, os.path.join(cfg.out, "ckpt.pt"))
    log_f.close()
    return student, target, pred, hist, summary


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default=TrainConfig.size)
    ap.add_argument("--out", default=TrainConfig.out)
    ap.add_argument("--steps", type=int, default=TrainConfig.steps)
    ap.add_argument("--batch", type=int, default=TrainConfig.batch)
    ap.add_argument("--lr", type=float, default=TrainConfig.lr)
    ap.add_argument("--p-mask", type=float, default=TrainConfig.p_mask)
    ap.add_argument("--inv-w", type=float, default=TrainConfig.inv_w)
    ap.add_argument("--p-ctx-aug", type=float, default=AugConfig.p_ctx)
    ap.add_argument("--nuisance-loops", type=int, default=TrainConfig.nuisance_loops, help="per nuisance kind; 0 = none")
    ap.add_argument("--p-tgt-aug", type=float, default=AugConfig.p_tgt)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    cfg = TrainConfig(size=a.size, out=a.out, steps=a.steps, batch=a.batch, lr=a.lr, p_mask=a.p_mask, inv_w=a.inv_w,
                      nuisance_loops=a.nuisance_loops, seed=a.seed, aug=AugConfig(p_ctx=a.p_ctx_aug, p_tgt=a.p_tgt_aug))
    *_, summary = train(cfg)
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
