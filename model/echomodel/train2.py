"""
Train model 0.3 (encoder + phase-conditioned predictor) on the prep-2 training set.

  /usr/bin/python3 model/train2.py --out model/runs/w03 [--reg sigreg|ema] [--minutes 45]

Each step: pairs (context of <= 2 tubelets ending at phi0, target tubelet at phi0 + delta, delta 0.1-1.1 beat),
the context from the domain-randomised loop (nuisances included), the target encoded from its speckle-redrawn,
nuisance-free twin; an invariance term pulls the encoding of the loop itself towards the twin's; SIGReg or
VICReg (with an EMA target) keeps the tokens spread. The log prints predictor / copy each 50 steps (gate M2's
first number, on training pairs).
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import os
import time
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .data2 import build, sets
from .world import (GRID, SPATIAL_BLOCK, Encoder, PixelTokens, Predictor, TwinDecoder, WorldConfig, action, hide_block, ln,
                    sigreg, vicreg_terms)

FPS = 24.0


@dataclass
class Train2Config:
    out: str = "model/runs/w03"
    reg: str = "sigreg"          # sigreg | ema | none (none: only with encoder pixel)
    encoder: str = "conv"        # conv | pixel (gate M5: the same predictor on 8 x 8 x 2 pixel tokens)
    steps: int = 100000
    minutes: float = 45.0        # wall-clock budget (whichever ends first); 0: steps only, schedule by step (reproducible)
    batch: int = 24
    lr: float = 1.5e-3
    wd: float = 0.02
    sigreg_w: float = 0.1
    inv_w: float = 0.5
    recon_w: float = 1.0         # speckle-twin reconstruction from the online tokens (0: off, as in tries 1-2)
    recon_px: int = 48           # its resolution (24, 48 or 96)
    var_w: float = 1.0
    cov_w: float = 0.04
    ema: float = 0.996
    drop_ctx: float = 0.3        # probability of a one-tubelet context
    seed: int = 0
    threads: int = 2
    scale: float = 1.0
    ckpt_every: int = 500        # steps between intermediate checkpoints (ckpt-STEP.pt beside the final one)
    init: str = ""               # a checkpoint to start from (encoder, EMA target, predictor, decoder when saved)
    spatial_w: float = 0.0       # weight of the spatial (masked-block) head's loss; > 0 needs --spatial-width
    spatial_width: int = 0       # the spatial head's width (0: none, tries 1-4)


def tubelet_table(lp):
    """Per-tubelet time (end frame), phase, RR (estimated, as the product sees them)."""
    n = len(lp["x"]) // 2
    end = 2 * np.arange(n) + 1
    return {"n": n, "t": end / FPS, "phase": lp["phase_est"][end], "rr": lp["rr_est"][end]}


def token_mask(mask: np.ndarray) -> np.ndarray:
    """Fan mask [96, 96] -> [12, 12] tokens at least half inside the fan."""
    k = mask.shape[0] // GRID
    return mask.reshape(GRID, k, GRID, k).mean(axis=(1, 3)) > 0.5


def target_tubelet(tab, c: int, delta: float, rr_for: float | None = None):
    """The tubelet nearest to delta beats (of RR rr_for, default the beat at c) after context end c:
    (j, the delta that tubelet really is, rr), or None when it is not after c inside the loop."""
    rr = float(tab["rr"][c] if rr_for is None else rr_for)
    t1 = tab["t"][c] + delta * rr
    j = int(round((t1 * FPS - 1) / 2))
    if j <= c or j >= tab["n"]:
        return None
    return j, (tab["t"][j] - tab["t"][c]) / rr, rr


class PairSampler:
    def __init__(self, loops, seed: int, drop_ctx: float, with_twin: bool = True):
        self.loops = loops
        self.tabs = [tubelet_table(lp) for lp in loops]
        self.g = np.random.default_rng(seed)
        self.drop = drop_ctx
        self.twin = with_twin

    def pair(self, li, c, delta, rr_for=None):
        return target_tubelet(self.tabs[li], c, delta, rr_for)

    def sample(self, B: int):
        ctx, tgt, twin, twin_c, pres, act, tm = [], [], [], [], [], [], []
        while len(ctx) < B:
            li = int(self.g.integers(len(self.loops)))
            tab, lp = self.tabs[li], self.loops[li]
            c = int(self.g.integers(1, tab["n"] - 1))
            r = self.pair(li, c, float(self.g.uniform(0.1, 1.1)))
            if r is None:
                continue
            j, d, rr = r
            x = lp["x"]
            ctx.append(np.stack([x[2 * c - 2:2 * c], x[2 * c:2 * c + 2]]))
            tgt.append(x[2 * j:2 * j + 2])
            twin.append(lp["twin"][2 * j:2 * j + 2] if self.twin else x[2 * j:2 * j + 2])
            twin_c.append(lp["twin"][2 * c:2 * c + 2] if self.twin else x[2 * c:2 * c + 2])
            pres.append([0.0 if self.g.random() < self.drop else 1.0, 1.0])
            act.append([tab["phase"][c], tab["phase"][j], d, rr])
            tm.append(np.broadcast_to(lp["mask"], (96, 96)))
        f = lambda a: torch.from_numpy(np.asarray(a, np.float32))
        a = f(act)
        return (f(ctx), f(tgt), f(twin), f(twin_c), f(pres), action(a[:, 0], a[:, 1], a[:, 2], a[:, 3]), f(tm)[:, None])


def spatial_blocks(tmask, gen):
    """A hidden block per sample that contains a random fan token (at a random place in the block)."""
    r0, c0 = [], []
    hi = GRID - SPATIAL_BLOCK
    for fan in tmask:
        idx = torch.nonzero(fan)
        r, c = idx[int(torch.randint(len(idx), (1,), generator=gen))].tolist() if len(idx) else (GRID // 2, GRID // 2)
        u = torch.randint(SPATIAL_BLOCK, (2,), generator=gen).tolist()
        r0.append(min(max(r - u[0], 0), hi)), c0.append(min(max(c - u[1], 0), hi))
    return torch.tensor(r0), torch.tensor(c0)


def masked_l1(p, t, tmask):
    e = F.smooth_l1_loss(p, t, reduction="none", beta=0.5).mean(1)   # [B, 12, 12]
    return (e * tmask).sum() / tmask.sum().clamp(min=1)


def train(cfg: Train2Config, loops=None, wcfg: WorldConfig = WorldConfig(), log=print, on_checkpoint=None):
    """on_checkpoint(step, encoder, predictor, history): called every cfg.ckpt_every steps (a long run on a shared
    machine can then be evaluated, or stopped, before its end)."""
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    if loops is None:
        loops = build(sets(cfg.scale)["train"])
    sampler = PairSampler(loops, cfg.seed, cfg.drop_ctx, with_twin="twin" in loops[0])
    pixel = cfg.encoder == "pixel"
    assert cfg.spatial_w == 0 or wcfg.spatial_width > 0, "--spatial-w needs a spatial head (--spatial-width)"
    assert not pixel or cfg.reg == "none", "the pixel baseline has no encoder to regularise: --reg none"
    enc = PixelTokens() if pixel else Encoder(wcfg)
    pred = Predictor(wcfg, in_dim=PixelTokens.dim if pixel else None)
    dec = TwinDecoder(wcfg) if cfg.recon_w > 0 and wcfg.recon_px and not pixel else None
    if cfg.init:
        ck = torch.load(cfg.init, map_location="cpu")
        enc.load_state_dict(ck["encoder"])
        missing, unexpected = pred.load_state_dict(ck["predictor"], strict=False)
        # a checkpoint without a spatial head may start one: only its weights may be missing
        assert not unexpected and all(k.startswith("spatial.") for k in missing), (missing, unexpected)
        if dec is not None and "decoder" in ck and ck["world"].get("recon_px") == wcfg.recon_px:
            dec.load_state_dict(ck["decoder"])
    tgt_enc = copy.deepcopy(enc).requires_grad_(False) if cfg.reg == "ema" else None
    params = list(enc.parameters()) + list(pred.parameters()) + (list(dec.parameters()) if dec is not None else [])
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.wd)
    gen = torch.Generator().manual_seed(cfg.seed + 1)
    t0 = time.time()
    hist = []
    warm = 200
    step = 0
    while step < cfg.steps and (cfg.minutes <= 0 or (time.time() - t0) < cfg.minutes * 60):
        frac = step / cfg.steps if cfg.minutes <= 0 else min(1.0, (time.time() - t0) / (cfg.minutes * 60))
        lr = cfg.lr * min(1.0, (step + 1) / warm) * (0.5 * (1 + math.cos(math.pi * frac)) * 0.95 + 0.05)
        for gr in opt.param_groups:
            gr["lr"] = lr
        ctx, tgt, twin, twin_c, pres, act, m = sampler.sample(cfg.batch)
        B = ctx.shape[0]
        tmask = F.avg_pool2d(m, 8)[:, 0] > 0.5
        # online encoder: the two context tubelets and the target tubelet of the loop itself
        xin = torch.cat([ctx[:, 0], ctx[:, 1], tgt], 0)
        z = enc(xin, m.repeat(3, 1, 1, 1))
        zc = torch.stack([z[:B], z[B:2 * B]], 1)
        zt_self = z[2 * B:]
        if cfg.reg == "ema":
            with torch.no_grad():
                zt = ln(tgt_enc(twin, m))
        else:
            zt = ln(enc(twin, m))
        p = pred(zc, pres, act)
        l_pred = masked_l1(p, zt, tmask)
        l_inv, l_reg = torch.zeros(()), torch.zeros(())
        if not pixel:
            l_inv = masked_l1(ln(zt_self), zt, tmask)
            tok = z.permute(0, 2, 3, 1)[tmask.repeat(3, 1, 1)]                   # fan tokens [N, D]
            sel = tok[torch.randperm(len(tok), generator=gen)[:2048]]
            pooled = (z * tmask.repeat(3, 1, 1)[:, None]).sum((2, 3)) / tmask.repeat(3, 1, 1).sum((1, 2))[:, None]
            if cfg.reg == "ema":
                v1, c1 = vicreg_terms(sel)
                v2, c2 = vicreg_terms(pooled)
                l_reg = cfg.var_w * (v1 + v2) + cfg.cov_w * (c1 + c2)
            else:
                l_reg = cfg.sigreg_w * (sigreg(sel, gen=gen) + sigreg(pooled, gen=gen))
        if dec is not None:
            # the loop's own tubelets (nuisances included) -> their twins (other speckle, no nuisance)
            k = 96 // wcfg.recon_px
            rt = F.avg_pool2d(torch.cat([twin_c, twin], 0), k)
            rm = (F.avg_pool2d(m, k) > 0.5).float().repeat(2, 1, 1, 1)
            recon = dec(torch.cat([zc[:, 1], zt_self], 0))
            l_rec = (((recon - rt) ** 2) * rm).sum() / (rm.sum() * 2).clamp(min=1)
        else:
            l_rec = torch.zeros(())
        l_sp = torch.zeros(())
        if cfg.spatial_w > 0:
            # a segment-sized block of the target tubelet hidden in pixels, its tokens predicted from the rest
            # of the same instant; the target: the EMA encoding of the whole twin (zt)
            ok = tmask.float()
            r0, c0 = spatial_blocks(tmask, gen)
            xh, mh, hidden = hide_block(tgt, m, r0, c0)
            zh = enc(xh, mh)
            ps = pred.spatial(zh, hidden, act[:, [2, 3, 5]])
            hm = hidden[:, 0] * ok
            e = F.smooth_l1_loss(ps, zt, reduction="none", beta=0.5).mean(1)
            l_sp = (e * hm).sum() / hm.sum().clamp(min=1)
        loss = l_pred + cfg.inv_w * l_inv + l_reg + cfg.recon_w * l_rec + cfg.spatial_w * l_sp
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        if tgt_enc is not None:
            with torch.no_grad():
                for a, b in zip(tgt_enc.parameters(), enc.parameters()):
                    a.mul_(cfg.ema).add_(b.detach(), alpha=1 - cfg.ema)
        if step % 50 == 0:
            with torch.no_grad():
                copy_l = masked_l1(ln(zc[:, 1]), zt, tmask).item()
            rec = {"step": step, "min": round((time.time() - t0) / 60, 2), "loss": round(loss.item(), 4),
                   "pred": round(l_pred.item(), 4), "copy": round(copy_l, 4),
                   "pred_over_copy": round(l_pred.item() / max(copy_l, 1e-9), 3),
                   "inv": round(l_inv.item(), 4), "rec": round(l_rec.item(), 4), "spatial": round(l_sp.item(), 4), "reg": round(l_reg.item(), 4), "lr": round(lr, 6)}
            hist.append(rec)
            log(json.dumps(rec))
        step += 1
        if on_checkpoint is not None and cfg.ckpt_every > 0 and step % cfg.ckpt_every == 0 and step < cfg.steps:
            on_checkpoint(step, tgt_enc if tgt_enc is not None else enc, pred, hist)
    final_enc = tgt_enc if tgt_enc is not None else enc
    return final_enc, pred, hist


def save(path, enc, pred, wcfg, tcfg, hist, dec=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.save({"encoder_kind": tcfg.encoder, "encoder": enc.state_dict(), "predictor": pred.state_dict(), **({"decoder": dec.state_dict()} if dec is not None else {}), "world": asdict(wcfg),
                "train": asdict(tcfg), "history": hist}, path)


def load_ckpt(path):
    ck = torch.load(path, map_location="cpu")
    wcfg = WorldConfig(**ck["world"])
    pixel = ck.get("encoder_kind", "conv") == "pixel"
    enc = PixelTokens() if pixel else Encoder(wcfg)
    pred = Predictor(wcfg, in_dim=PixelTokens.dim if pixel else None)
    enc.load_state_dict(ck["encoder"]), pred.load_state_dict(ck["predictor"])
    return enc.eval(), pred.eval(), wcfg, ck


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for k, v in asdict(Train2Config()).items():
        ap.add_argument("--" + k.replace("_", "-"), type=type(v), default=v)
    a = ap.parse_args()
    cfg = Train2Config(**{k: getattr(a, k) for k in asdict(Train2Config())})
    os.makedirs(cfg.out, exist_ok=True)
    logf = open(os.path.join(cfg.out, "train.log"), "a")

    def log(s):
        print(s, flush=True)
        logf.write(s + "\n")
        logf.flush()

    log(json.dumps({"config": asdict(cfg)}))
    wcfg = WorldConfig(recon_px=cfg.recon_px, spatial_width=cfg.spatial_width)
    enc, pred, hist = train(cfg, wcfg=wcfg, log=log, on_checkpoint=lambda st, e, p, h: save(
        os.path.join(cfg.out, f"ckpt-{st}.pt"), e, p, wcfg, cfg, h))
    save(os.path.join(cfg.out, "ckpt.pt"), enc, pred, wcfg, cfg, hist)
    log(json.dumps({"saved": os.path.join(cfg.out, "ckpt.pt"), "steps": len(hist) * 50}))
