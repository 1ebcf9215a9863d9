"""
Training/eval data: simulated loops through the same prep-1 path as ingest, cached as uint8 arrays,
plus the context-side nuisance augmentations (applied on model-resolution clips in [0, 1]).
"""
from __future__ import annotations

import os

# Must precede the first torch import: torch runs its own 2 OpenMP threads and calls OpenBLAS inside them;
# a threaded OpenBLAS on top made batched matmuls (attention) 12x slower on the 2-core machines.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Under CPU contention (shared 2-core machines) spinning OpenMP workers burned 6x the CPU per step.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import os
import sys
import time
from dataclasses import dataclass
from multiprocessing import Pool

import numpy as np
import torch

from .prep import PrepConfig, preprocess_frames, resample_indices  # noqa: E402
from .sim import NUISANCE_KINDS, EchoSimulator, SimConfig, make_params, without_nuisance  # noqa: E402

DATA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")


def make_loop(seed: int, kind: str, prep: PrepConfig = PrepConfig(), sim_cfg: SimConfig = SimConfig(), twin: bool = False):
    """One simulated loop -> (frames uint8 [F', S, S] at prep.fps, meta). Renders only the source frames
    that prep-1's temporal resampling selects, so the result equals DICOM -> prep-1 (see tests).
    twin=True: also the same loop without its nuisance (meta["clean"], None for kinds without one)."""
    p = make_params(seed, kind, sim_cfg)
    idx = resample_indices(np.arange(p.n_frames) / p.fps, prep.fps)

    def render(params):
        sim = EchoSimulator(params, sim_cfg)
        return preprocess_frames(sim.render(idx), None, sim.region, prep, already_resampled=True)

    frames = render(p)
    onset = -1 if p.onset_s < 0 else int(round(p.onset_s * prep.fps))
    meta = {"seed": seed, "kind": kind, "hr_bpm": p.hr_bpm, "ef": p.ef, "onset_frame": onset, "fps": p.fps,
            "true_rr": float(np.mean(np.diff(p.beat_times)))}
    if twin:
        meta["clean"] = render(without_nuisance(p)) if kind in NUISANCE_KINDS else None
    return frames, meta


def _work(args):
    seed, kind, prep, twin = args
    return make_loop(seed, kind, prep, twin=twin)


def set_path(name: str, kinds, per_kind: int, seed0: int, prep: PrepConfig) -> str:
    """Cache file of a set; its size and first seed are in the name, so a changed definition never reads a stale file."""
    return os.path.join(DATA_DIR, f"{name}_{len(kinds)}x{per_kind}_s{seed0}_{prep.size}_{int(prep.fps)}.npz")


def build_set(name: str, kinds, per_kind: int, seed0: int, prep: PrepConfig = PrepConfig(), workers: int = 2,
              cache: bool = True, twins: bool = False):
    """Loops for each kind (seeds seed0..seed0+per_kind-1) -> dict(frames [L, F', S, S] uint8, metas), and with
    twins=True clean [L, F', S, S]: the nuisance-free twin of each loop (= frames for kinds without a nuisance)."""
    path = set_path(name, kinds, per_kind, seed0, prep)
    if cache and os.path.exists(path):
        z = np.load(path, allow_pickle=True)
        out = {"frames": z["frames"], "metas": list(z["metas"])}
        if twins:
            assert "clean" in z, f"{path} was built without clean twins; delete it to rebuild"
            out["clean"] = z["clean"]
        return out
    jobs = [(seed0 + i, k, prep, twins) for k in kinds for i in range(per_kind)]
    t0 = time.time()
    if workers > 1:
        with Pool(workers) as pool:
            res = pool.map(_work, jobs, chunksize=2)
    else:
        res = [_work(j) for j in jobs]
    n = min(len(f) for f, _ in res)
    frames = np.stack([f[:n] for f, _ in res])
    metas = [m for _, m in res]
    extra = {}
    if twins:
        extra["clean"] = np.stack([(f if m["clean"] is None else m.pop("clean"))[:n] for f, m in res])
        for m in metas:
            m.pop("clean", None)
    print(f"built {name}: {len(jobs)} loops x {n} frames in {time.time() - t0:.0f}s", flush=True)
    if cache:
        os.makedirs(DATA_DIR, exist_ok=True)
        np.savez(path, frames=frames, metas=np.array(metas, dtype=object), **extra)
    return {"frames": frames, "metas": metas, **extra}


# ---------------- augmentations (acquisition nuisances) on (B, 1, T, H, W) in [0, 1] ----------------
@dataclass
class AugConfig:
    p_ctx: float = 0.35         # probability that a context clip gets a synthetic nuisance (on top of the simulated ones)
    p_tgt: float = 0.0          # for the target clip: off, targets are clean twins (lesson 2: target-side noise hurt)
    p_step: float = 0.5         # nuisance switches on mid-clip instead of all along
    gain: float = 0.14          # max |offset| (~8 dB at 55 dB dynamic range)
    atten: float = 0.25         # max extra darkening at full depth
    shadow: tuple = (0.2, 0.45)
    shift_px: int = 2


def _onset(T, g, cfg):
    if g.random() < cfg.p_step:
        j = int(g.integers(1, T))
        w = torch.zeros(T)
        w[j:] = 1.0
        return w
    return torch.ones(T)


def augment(x: torch.Tensor, cfg: AugConfig, p: float, g: np.random.Generator) -> torch.Tensor:
    """Random acquisition nuisances, per sample with probability p. Keeps zeros outside the sector."""
    B, _, T, H, W = x.shape
    out = x.clone()
    mask = (x.amax(dim=2, keepdim=True) > 0).float()                         # (B, 1, 1, H, W)
    rows = mask.amax(dim=-1)[:, 0, 0]                                        # (B, H)
    for b in range(B):
        if g.random() >= p:
            continue
        kind = int(g.integers(4))
        w = _onset(T, g, cfg)[:, None, None]                                 # (T, 1, 1)
        xb = out[b, 0]
        if kind == 0:
            xb = xb + w * float(g.uniform(-cfg.gain, cfg.gain))
        elif kind == 1:
            r = rows[b].nonzero()
            top, bot = (int(r.min()), int(r.max())) if len(r) else (0, H - 1)
            depth = ((torch.arange(H).float() - top) / max(1, bot - top)).clamp(0, 1)[:, None]
            xb = xb - w * float(g.uniform(0.05, cfg.atten)) * depth
        elif kind == 2:
            r = rows[b].nonzero()
            top = int(r.min()) if len(r) else 0
            yy, xx = torch.meshgrid(torch.arange(H).float(), torch.arange(W).float(), indexing="ij")
            ang = torch.atan2(xx + 0.5 - W / 2, yy + 0.5 - top)
            ac, hw = float(g.uniform(-0.4, 0.4)), float(np.deg2rad(g.uniform(3, 7)))
            d0 = float(g.uniform(0.1, 0.3)) * H
            wedge = ((1 - (ang - ac).abs() / hw).clamp(0, 1) ** 0.5) * ((yy - top) > d0).float()
            xb = xb - w * float(g.uniform(*cfg.shadow)) * wedge
        else:
            dy, dx = [int(v) for v in g.integers(-cfg.shift_px, cfg.shift_px + 1, size=2)]
            shifted = torch.roll(xb, shifts=(dy, dx), dims=(1, 2))
            xb = w * shifted + (1 - w) * xb
        out[b, 0] = xb
    out = out.clamp(1.0 / 255, 1.0) * mask
    return out


class ClipSampler:
    """Random (context clip, next clip, rr) pairs from a set of loops, at random start frames. With `clean`
    (the loops' nuisance-free twins, same shape as frames) `sample_pairs` also returns the clean twins of both clips."""

    def __init__(self, frames: np.ndarray, metas, clip_frames: int, seed: int, rr_noise: float = 0.03,
                 clean: np.ndarray | None = None):
        assert clean is None or clean.shape == frames.shape, f"clean twins {clean.shape} vs frames {frames.shape}"
        self.frames, self.metas, self.T, self.clean = frames, metas, clip_frames, clean
        self.g = np.random.default_rng(seed)
        self.rr = np.array([60.0 / m["hr_bpm"] for m in metas], np.float32)
        self.rr_noise = rr_noise

    def _draw(self, batch: int):
        L, F = self.frames.shape[:2]
        li = self.g.integers(L, size=batch)
        st = self.g.integers(0, F - 2 * self.T + 1, size=batch)
        rr = self.rr[li] * (1 + self.rr_noise * self.g.standard_normal(batch)).astype(np.float32)
        return li, st, torch.from_numpy(rr)[:, None]

    def _clips(self, arr, li, st):
        seg = np.stack([arr[l, s:s + 2 * self.T] for l, s in zip(li, st)])        # (B, 2T, S, S)
        x = torch.from_numpy(seg.astype(np.float32) / 255.0)[:, None]            # (B, 1, 2T, S, S)
        return x[:, :, :self.T], x[:, :, self.T:]

    def sample(self, batch: int):
        li, st, rr = self._draw(batch)
        ctx, nxt = self._clips(self.frames, li, st)
        return ctx, nxt, rr

    def sample_pairs(self, batch: int):
        """-> ctx, nxt (as acquired), ctx_clean, nxt_clean (their nuisance-free twins), rr."""
        li, st, rr = self._draw(batch)
        ctx, nxt = self._clips(self.frames, li, st)
        if self.clean is None:
            return ctx, nxt, ctx, nxt, rr
        ctx_c, nxt_c = self._clips(self.clean, li, st)
        return ctx, nxt, ctx_c, nxt_c, rr
