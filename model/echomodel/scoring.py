"""
Series scoring: per-clip measures, the normative model and the series rule. This file is the reference the
anomaly service (Java, anomaly/.../scoring/) evaluates; docs/onnx-contract.md ("Series decision") states the
same definitions, and release/golden/ holds values of them for the parity test.

Per-clip measures (MEASURES), from the tokens the embedder publishes:
  surprise_mean   per scored clip pair (clip k+1 against the prediction made from clip k): mean_n s_n
  surprise_top    per scored clip pair: mean of the k = max(1, floor(fraction * N + 0.5)) largest s_n
  normative       per clip (every clip, clip 0 too): normative distance of its observed tokens
  motion_deficit_regional  per clip: max over the Hg*Wg locations c of (mu_c - m_c) / sd_c
  motion_deficit_global    per clip: (mu_g - mean_c m_c) / sd_g
with m the clip's latent motion map (normative_features, "motion"), the mu/sd from normal training loops
(clean + nuisance-only; calibration.json -> motion), and s_n = mean_d |LN(predicted)[n, d] - LN(observed)[n, d]| (model.token_surprise).

Series rule: components = (measure, aggregate over the series' values: "mean" | "max"); each is standardised
by its mean and std over the calibration normal series (clean + nuisance-only normal loops),
z_i = (aggregate_i - mean_i) / std_i, and combined as max_i(w_i z_i) ("max": an OR of detectors) or
sum_i(w_i z_i) ("sum"). Alarm: score > threshold (a quantile of the calibration normals' scores).
"""
from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from .model import ln

MEASURES = {
    "surprise_mean": "per scored clip pair: mean over the N tokens of s_n",
    "surprise_top": "per scored clip pair: mean of the k = max(1, floor(fraction*N + 0.5)) largest s_n",
    "normative": "per clip: normative distance sqrt(d2/F) of its observed tokens (calibration.json -> normative)",
    "motion_deficit_regional": "per clip: max_c (motion.cell_mean[c] - m[c]) / motion.cell_std[c] (a region that moves less than normal)",
    "motion_deficit_global": "per clip: (motion.global_mean - mean_c m[c]) / motion.global_std (the whole heart moves less than normal)",
}
PAIR_MEASURES = ("surprise_mean", "surprise_top")


# ---------------- per-clip quantities ----------------
def token_surprise_np(pred: torch.Tensor, obs: torch.Tensor) -> np.ndarray:
    """(..., N, D) x2 -> (..., N) s_n = mean_d |LN(pred) - LN(obs)|."""
    return (ln(pred) - ln(obs)).abs().mean(-1).numpy()


def top_k(n_tokens: int, fraction: float) -> int:
    """How many tokens surprise_top averages: max(1, floor(fraction * N + 0.5)) (round half up, as Java's Math.round)."""
    return max(1, int(math.floor(fraction * n_tokens + 0.5)))


def top_mean(s: np.ndarray, fraction: float) -> np.ndarray:
    """(..., N) -> (...): mean of the top_k(N, fraction) largest values."""
    k = top_k(s.shape[-1], fraction)
    return np.sort(s, axis=-1)[..., -k:].mean(-1)


def normative_features(tok: torch.Tensor, grid, layout: str = "pooled+motion") -> torch.Tensor:
    """tok [..., N, D] -> features [..., F].
    pooled+motion: concat(e, m), F = D + Hg*Wg; motion: m, F = Hg*Wg; pooled: e, F = D; with
    e[d] = mean_n LN(tok)[n, d] (pooled embedding) and m[r*Wg+c] = mean_d std_t LN(tok)[t, r, c, d] (latent motion map,
    population std over the Tg time slots)."""
    tg, hg, wg = grid
    z = ln(tok)
    pooled = z.mean(dim=-2)
    zz = z.reshape(*z.shape[:-2], tg, hg * wg, z.shape[-1])
    motion = zz.std(dim=-3, unbiased=False).mean(dim=-1)                           # [..., Hg*Wg]
    if layout == "pooled":
        return pooled
    if layout == "motion":
        return motion
    assert layout == "pooled+motion", f"unknown normative feature layout {layout!r}"
    return torch.cat([pooled, motion], dim=-1)


def fit_normative(feats: np.ndarray, k: int) -> dict:
    """Low-rank Gaussian (probabilistic PCA): mean, top-k principal directions and variances, mean residual variance."""
    mu = feats.mean(0)
    c = feats - mu
    cov = c.T @ c / (len(c) - 1)
    ev, evec = np.linalg.eigh(cov)
    order = ev.argsort()[::-1]
    ev, evec = ev[order], evec[:, order]
    lam_res = float(max(ev[k:].mean(), 1e-8))
    return {"mean": mu, "components": evec[:, :k].T, "eigenvalues": ev[:k], "residual_eigenvalue": lam_res}


def normative_distance(feats: np.ndarray, nm: dict) -> np.ndarray:
    """sqrt(d2 / F) with d2 = sum_i p_i^2/lambda_i + (|c|^2 - sum_i p_i^2)/lambda_res, p = V c, c = f - mean."""
    c = feats - nm["mean"]
    p = c @ nm["components"].T
    d2 = (p ** 2 / nm["eigenvalues"]).sum(-1) + ((c ** 2).sum(-1) - (p ** 2).sum(-1)) / nm["residual_eigenvalue"]
    return np.sqrt(np.maximum(d2, 0) / feats.shape[-1])


def fit_motion(motion: np.ndarray) -> dict:
    """motion maps [M, Hg*Wg] of normal clips -> per-location and global mean/std (population std)."""
    g = motion.mean(-1)
    return {"cell_mean": motion.mean(0), "cell_std": motion.std(0) + 1e-6, "global_mean": float(g.mean()),
            "global_std": float(g.std() + 1e-6)}


def motion_deficits(motion: np.ndarray, ms: dict) -> tuple:
    """motion [..., Hg*Wg] -> (regional [...], global [...])."""
    regional = ((ms["cell_mean"] - motion) / ms["cell_std"]).max(-1)
    glob = (ms["global_mean"] - motion.mean(-1)) / ms["global_std"]
    return regional, glob


def clip_measures(tok: torch.Tensor, pred: torch.Tensor, grid, nm: dict | None, layout: str,
                  fractions=(0.05, 0.1, 0.2), ms: dict | None = None) -> dict:
    """Per loop: tok [L, K, N, D] observed tokens of every clip, pred [L, K-1, N, D] predictions for clips 1..K-1.
    -> {measure key: (L, K-1) per scored pair or (L, K) per clip}; measure keys as in Measure.key."""
    s = token_surprise_np(pred, tok[:, 1:])                                         # (L, K-1, N)
    out = {"surprise_mean": s.mean(-1)}
    for f in fractions:
        out[Measure("surprise_top", f).key] = top_mean(s, f)
    if nm is not None:
        out["normative"] = normative_distance(normative_features(tok, grid, layout).numpy(), nm)
    if ms is not None:
        out["motion_deficit_regional"], out["motion_deficit_global"] = motion_deficits(
            normative_features(tok, grid, "motion").numpy(), ms)
    out["_tok"] = s
    return out


# ---------------- the series rule ----------------
@dataclass(frozen=True)
class Measure:
    name: str                       # one of MEASURES
    fraction: float = 0.0           # surprise_top only

    @property
    def key(self) -> str:
        return f"{self.name}{int(round(self.fraction * 100))}" if self.name == "surprise_top" else self.name


@dataclass
class Component:
    measure: Measure
    aggregate: str                  # "mean" | "max" over the series' values
    mean: float = 0.0
    std: float = 1.0
    weight: float = 1.0

    @property
    def name(self) -> str:
        return f"{self.measure.key}_{self.aggregate}"

    def series_value(self, per_clip: dict) -> np.ndarray:
        v = per_clip[self.measure.key]                                              # (L, n)
        return v.mean(1) if self.aggregate == "mean" else v.max(1)


@dataclass
class SeriesRule:
    components: list
    combine: str = "max"            # "max" | "sum"
    threshold: float = float("nan")

    def z(self, per_clip: dict) -> np.ndarray:
        """(L, C) weighted z-scores of the components."""
        return np.stack([c.weight * (c.series_value(per_clip) - c.mean) / c.std for c in self.components], axis=1)

    def score(self, per_clip: dict) -> np.ndarray:
        z = self.z(per_clip)
        return z.max(1) if self.combine == "max" else z.sum(1)

    def calibrate(self, calib: dict, false_alarm: float) -> "SeriesRule":
        """Means/stds of every component over the calibration normal series, then the threshold at the
        (1 - false_alarm) quantile of the rule's score there."""
        for c in self.components:
            v = c.series_value(calib)
            c.mean, c.std = float(v.mean()), float(v.std() + 1e-9)
        self.threshold = float(np.quantile(self.score(calib), 1 - false_alarm))
        return self

    def describe(self) -> str:
        terms = [f"{'' if c.weight == 1 else f'{c.weight:g}*'}z({c.name})" for c in self.components]
        return terms[0] if len(terms) == 1 else f"{self.combine}(" + ", ".join(terms) + ")"

    def to_json(self) -> dict:
        return {"components": [{"name": c.name, "measure": c.measure.name,
                                **({"fraction": c.measure.fraction} if c.measure.name == "surprise_top" else {}),
                                "aggregate": c.aggregate, "mean": c.mean, "std": c.std} for c in self.components],
                "combine": self.combine, "weights": [c.weight for c in self.components], "threshold": self.threshold,
                "rule": self.describe(), "alarm": "score > threshold"}


def candidate_components(keys) -> list:
    """Every (measure, aggregate) the per-clip measures allow."""
    out = []
    for k in keys:
        if k.startswith("_"):
            continue
        m = Measure("surprise_top", int(k[len("surprise_top"):]) / 100) if k.startswith("surprise_top") else Measure(k)
        for agg in ("mean", "max"):
            out.append(Component(m, agg))
    return out


def candidate_rules(keys, max_terms: int = 3) -> list:
    """Rules of 1..max_terms distinct components (at most one surprise_top fraction per rule), combined by max or sum."""
    comps = candidate_components(keys)
    rules = []
    for n in range(1, max_terms + 1):
        for combo in itertools.combinations(range(len(comps)), n):
            cs = [comps[i] for i in combo]
            if len({c.measure.key for c in cs}) < n or sum(c.measure.name == "surprise_top" for c in cs) > 1:
                continue                                            # one aggregate per measure, one top fraction
            for comb in (("max", "sum") if n > 1 else ("max",)):
                rules.append(SeriesRule([Component(c.measure, c.aggregate) for c in cs], comb))
    return rules


def select_rule(calib: dict, val: dict, val_kinds, abnormal, normal, false_alarm: float, max_terms: int = 3):
    """Every candidate rule, calibrated on the calibration normals, ranked by series AUROC (abnormal vs normal +
    nuisance-only normal) on the validation split. -> (best rule, [(auroc, rule), ...] best first)."""
    from .metrics import auroc
    pos, neg = np.isin(val_kinds, abnormal), np.isin(val_kinds, normal)
    ranked = []
    keys = [k for k in calib if k in MEASURES or k.startswith("surprise_top")]
    for r in candidate_rules(keys, max_terms):
        r.calibrate(calib, false_alarm)
        v = r.score(val)
        ranked.append((float(auroc(v[pos], v[neg])), r))
    # ties go to the simpler rule (fewer terms), then to the order of candidate_rules
    ranked.sort(key=lambda t: (-round(t[0], 4), len(t[1].components)))
    return ranked[0][1], ranked


# ---------------- reading a calibration.json back (golden files, tests) ----------------
def rule_from_json(series: dict) -> SeriesRule:
    comps = []
    for c, w in zip(series["components"], series.get("weights", [1.0] * len(series["components"]))):
        m = Measure(c["measure"], c.get("fraction", 0.0))
        comps.append(Component(m, c["aggregate"], c["mean"], c["std"], w))
    return SeriesRule(comps, series["combine"], series["threshold"])


def normative_from_json(n: dict) -> dict:
    return {"mean": np.array(n["mean"]), "components": np.array(n["components"]), "eigenvalues": np.array(n["eigenvalues"]),
            "residual_eigenvalue": float(n["residual_eigenvalue"])}


def motion_from_json(m: dict) -> dict:
    return {"cell_mean": np.array(m["cell_mean"]), "cell_std": np.array(m["cell_std"]),
            "global_mean": float(m["global_mean"]), "global_std": float(m["global_std"])}
