"""
Simulated sets for model 0.3 (prep-2): domain-randomised training normals with speckle-redrawn, nuisance-free
twins; calibration normals; evaluation loops of 2-3 s at 25-80 fps on the training renderer and on the
renderer variant. Every loop goes through prep-2 exactly as a DICOM file would (only the source frames
the 24 fps resampler keeps are rendered). Cached as .npz under model/data/.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from multiprocessing import Pool

import numpy as np

from .prep import resample_indices
from .prep2 import Prep2Config, phase_from_periodicity, phase_from_rwaves, preprocess2
from .sim import (ABNORMAL_KINDS, NUISANCE_KINDS, EchoSimulator, SimConfig, make_params, speckle_twin)
from .data import DATA_DIR

TRAIN_CFG = SimConfig(randomise=True, fps_range=(25.0, 80.0), duration_s=4.0)
CAL_CFG = SimConfig(randomise=True, fps_range=(25.0, 80.0), duration_s=3.0)
EVAL_CFG = SimConfig(randomise=True, fps_range=(25.0, 80.0), duration_s=2.5)
VARIANT_CFG = SimConfig(variant=True, fps_range=(25.0, 80.0), duration_s=2.5)


@dataclass(frozen=True)
class SetSpec:
    name: str
    kinds: tuple
    per_kind: int
    seed0: int
    cfg: SimConfig
    twins: bool = False


def sets(scale: float = 1.0):
    n = lambda k: max(2, int(round(k * scale)))
    return {
        "train": SetSpec("train", ("normal",) * 3 + NUISANCE_KINDS, n(40), 500_000, TRAIN_CFG, twins=True),
        "cal": SetSpec("cal", ("normal",) * 2 + NUISANCE_KINDS, n(10), 600_000, CAL_CFG),
        "eval": SetSpec("eval", ("normal",) + NUISANCE_KINDS + ABNORMAL_KINDS, n(20), 700_000, EVAL_CFG),
        "variant": SetSpec("variant", ("normal",) + NUISANCE_KINDS + ABNORMAL_KINDS, n(20), 800_000, VARIANT_CFG),
    }


def sim_labels(sim: EchoSimulator, t: np.ndarray):
    """Per-frame simulator truth (diagnosis only: probes and figures, never training targets)."""
    p = sim.p
    f = np.zeros(len(t), np.float32)
    seg = np.zeros((len(t), 6), np.float32)
    for i, ti in enumerate(t):
        fi, k, _ = sim.state(float(ti))
        f[i] = fi
        seg[i] = np.asarray(k) * fi
    area = (1 - seg.mean(axis=1)) ** 2 * (1 - p.long_short * f) * p.lv_len * p.lv_halfw
    phase, rr = phase_from_rwaves(t, np.asarray(p.beat_times))
    return {"f": f, "seg": seg, "area": area.astype(np.float32), "phase": phase.astype(np.float32),
            "rr": rr.astype(np.float32)}


def kept_frames(p, prep: Prep2Config = Prep2Config()) -> np.ndarray:
    """The source frames prep-2's 24 fps resampler keeps (only those are rendered)."""
    return resample_indices(np.arange(p.n_frames) / p.fps, prep.fps)


def render_prep2(p, cfg: SimConfig, idx: np.ndarray, prep: Prep2Config = Prep2Config()):
    """Render study p at source frames idx and run prep-2 on it, as a DICOM file of it would be: (x, mask, sim)."""
    sim = EchoSimulator(p, cfg)
    x, mask, _ = preprocess2(sim.render(idx), None, sim.region, prep, already_resampled=True)
    return x, mask, sim


def make_loop2(seed: int, kind: str, cfg: SimConfig, twins: bool = False, prep: Prep2Config = Prep2Config()):
    p = make_params(seed, kind, cfg)
    idx = kept_frames(p, prep)
    x, mask, sim = render_prep2(p, cfg, idx, prep)
    t = np.arange(len(x)) / prep.fps
    # the Heart Rate tag a scanner writes (and simulate_dicom does): the estimator's minimum beat gap, and the RR
    # of a loop too short to show two beat starts
    ph, rr, starts = phase_from_periodicity(x, mask, prep.fps, rr_hint_s=60.0 / p.hr_bpm)
    out = {"x": x.astype(np.float16), "mask": mask, "phase_est": ph, "rr_est": rr, "phase_version": PHASE_VERSION,
           "hr_tag": p.hr_bpm,
           "kind": kind, "seed": seed, "onset_s": p.onset_s, "src_fps": p.fps, "ef": p.ef,
           "abn_segments": [i for i in range(6) if abs(p.k_seg_after[i] - p.k_seg[i]) > 1e-6 or p.k_seg[i] < 0.15]}
    out.update({"y_" + k: v for k, v in sim_labels(sim, idx / p.fps).items()})
    if twins:
        q = speckle_twin(p)
        xt, _, _ = render_prep2(q, cfg, idx, prep)
        out["twin"] = xt.astype(np.float16)
    return out


def _work(a):
    return make_loop2(*a)


def build(spec: SetSpec, workers: int = 2, force: bool = False):
    path = os.path.join(DATA_DIR, f"p2-{spec.name}-{spec.per_kind}-{spec.seed0}.npz")
    if os.path.exists(path) and not force:
        return load(path, spec.cfg)
    jobs = []
    for ki, kind in enumerate(spec.kinds):
        for j in range(spec.per_kind):
            jobs.append((spec.seed0 + 1000 * ki + j, kind, spec.cfg, spec.twins))
    with Pool(workers) as pool:
        loops = []
        for i, lp in enumerate(pool.imap(_work, jobs, chunksize=2)):
            loops.append(lp)
            if (i + 1) % 20 == 0 or i + 1 == len(jobs):
                print(f"[data] {spec.name}: {i + 1}/{len(jobs)} loops", flush=True)
    os.makedirs(DATA_DIR, exist_ok=True)
    np.savez(path, loops=np.array(loops, dtype=object))
    return loops


# Bumped when prep-2's phase estimator changes: cached sets then get their phase recomputed from their frames
# (cheap) instead of being rendered again. 2: the most periodic of 3 detrended components; missed beats filled.
PHASE_VERSION = 2


def refresh_phase(lp, cfg: SimConfig) -> bool:
    """Recompute a cached loop's estimated phase and RR with the current estimator; False when already current."""
    if lp.get("phase_version") == PHASE_VERSION:
        return False
    if "hr_tag" not in lp:
        lp["hr_tag"] = make_params(int(lp["seed"]), lp["kind"], cfg).hr_bpm
    ph, rr, _ = phase_from_periodicity(np.asarray(lp["x"], np.float32), lp["mask"], Prep2Config().fps,
                                       rr_hint_s=60.0 / lp["hr_tag"])
    lp["phase_est"], lp["rr_est"], lp["phase_version"] = ph, rr, PHASE_VERSION
    return True


def load(path, cfg: SimConfig):
    loops = list(np.load(path, allow_pickle=True)["loops"])
    if sum([refresh_phase(lp, cfg) for lp in loops]):
        np.savez(path, loops=np.array(loops, dtype=object))
        print(f"[data] {os.path.basename(path)}: phase re-estimated (phase version {PHASE_VERSION})", flush=True)
    return loops


def main():
    import argparse
    ap = argparse.ArgumentParser(description="build the prep-2 simulated sets (model/data/p2-*.npz)")
    ap.add_argument("--scale", type=float, default=1.0, help="loops per kind x scale")
    ap.add_argument("--sets", default="train,cal,eval,variant")
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    s = sets(a.scale)
    for name in a.sets.split(","):
        build(s[name], workers=a.workers)
