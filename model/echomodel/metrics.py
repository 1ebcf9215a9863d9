"""Collapse metrics, AUROC with bootstrap CIs, ridge probe: numpy/torch only (no sklearn here)."""
from __future__ import annotations

import numpy as np
import torch


def collapse_stats(z: torch.Tensor) -> dict:
    """z (n, D): RankMe (effective rank of singular values), per-dim std, mean pairwise cosine."""
    z = z.detach().double()
    s = torch.linalg.svdvals(z)
    p = s / s.sum() + 1e-12
    rankme = float(torch.exp(-(p * p.log()).sum()))
    std = z.std(0)
    zn = torch.nn.functional.normalize(z, dim=1)
    cos = zn @ zn.T
    n = z.shape[0]
    mean_cos = float((cos.sum() - n) / max(1, n * (n - 1)))
    centred = z - z.mean(0)
    sc = torch.linalg.svdvals(centred) ** 2
    top2 = float(sc[:2].sum() / sc.sum()) if sc.sum() > 0 else 1.0
    pc = sc.sqrt() / sc.sqrt().sum() + 1e-12
    rank_c = float(torch.exp(-(pc * pc.log()).sum()))
    return {"rankme": rankme, "rankme_centered": rank_c, "std_min": float(std.min()), "std_mean": float(std.mean()),
            "mean_cos": mean_cos, "top2_var_share": top2}


def auroc(pos: np.ndarray, neg: np.ndarray) -> float:
    """P(score_pos > score_neg) + 0.5 P(tie)."""
    pos, neg = np.asarray(pos, float), np.asarray(neg, float)
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    allv = np.concatenate([pos, neg])
    order = allv.argsort(kind="mergesort")
    ranks = np.empty(len(allv))
    ranks[order] = np.arange(1, len(allv) + 1)
    # average ranks for ties
    _, inv, cnt = np.unique(allv, return_inverse=True, return_counts=True)
    sums = np.zeros(len(cnt))
    np.add.at(sums, inv, ranks)
    ranks = sums[inv] / cnt[inv]
    rp = ranks[:len(pos)].sum()
    return float((rp - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def auroc_ci(pos, neg, n_boot: int = 1000, seed: int = 0):
    """AUROC and a 95% percentile bootstrap CI (resampling positives and negatives separately)."""
    pos, neg = np.asarray(pos, float), np.asarray(neg, float)
    a = auroc(pos, neg)
    g = np.random.default_rng(seed)
    bs = [auroc(g.choice(pos, len(pos)), g.choice(neg, len(neg))) for _ in range(n_boot)]
    lo, hi = np.percentile(bs, [2.5, 97.5])
    return a, float(lo), float(hi)


def rate_ci(k: int, n: int, seed: int = 0, n_boot: int = 2000):
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    g = np.random.default_rng(seed)
    x = np.zeros(n)
    x[:k] = 1
    bs = [g.choice(x, n).mean() for _ in range(n_boot)]
    lo, hi = np.percentile(bs, [2.5, 97.5])
    return k / n, float(lo), float(hi)


def ridge_cv_mae(X: np.ndarray, y: np.ndarray, lam: float = 1.0, folds: int = 5, seed: int = 0):
    """Linear probe (ridge on standardised features), k-fold CV; returns (MAE, MAE of predicting the mean)."""
    g = np.random.default_rng(seed)
    idx = g.permutation(len(y))
    parts = np.array_split(idx, folds)
    err, err0 = [], []
    for k in range(folds):
        te = parts[k]
        tr = np.concatenate([parts[j] for j in range(folds) if j != k])
        mu, sd = X[tr].mean(0), X[tr].std(0) + 1e-6
        A = (X[tr] - mu) / sd
        ym = y[tr].mean()
        w = np.linalg.solve(A.T @ A + lam * len(tr) * np.eye(A.shape[1]), A.T @ (y[tr] - ym))
        pred = ((X[te] - mu) / sd) @ w + ym
        err.append(np.abs(pred - y[te]))
        err0.append(np.abs(ym - y[te]))
    return float(np.concatenate(err).mean()), float(np.concatenate(err0).mean())
