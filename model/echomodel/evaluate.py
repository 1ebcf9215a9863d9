"""
Evaluate a checkpoint on held-out simulated loops and write the calibration file.

  /usr/bin/python3 model/evaluate.py --ckpt model/runs/default/ckpt.pt [--pixel-ckpt model/runs/pixel/ckpt.pt]

Sets (model/build_data.py): training normals, clean and nuisance-only (normative model and motion statistics),
calibration normals + nuisance-only normals (z-statistics and threshold of the series rule), validation split (all
kinds: the series rule is CHOSEN here, scoring.select_rule), eval split (all kinds, 30 loops each: REPORTED here,
never tuned on). Series = one loop = 4 clips = 3 (clip k, clip k+1) pairs.
Prints a table and writes <run>/metrics.json and <run>/calibration.json.
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Under CPU contention (shared 2-core machines) spinning OpenMP workers burned 6x the CPU per step.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import asdict, dataclass  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from .build_data import SETS  # noqa: E402
from .data import build_set  # noqa: E402
from .metrics import auroc_ci, collapse_stats, rate_ci, ridge_cv_mae  # noqa: E402
from .model import (LN_EPS, Encoder, EncoderConfig, Predictor, PredictorConfig, ln, pooled_embedding,  # noqa: E402
                   positions_for)
from .prep import PrepConfig, clips_from_frames  # noqa: E402
from . import scoring  # noqa: E402
from .sim import ABNORMAL_KINDS, NUISANCE_KINDS  # noqa: E402

QUANTILES = (0.5, 0.9, 0.95, 0.99, 0.995, 0.999)


@dataclass
class EvalConfig:
    ckpt: str = "model/runs/default/ckpt.pt"
    pixel_ckpt: str = ""
    out: str = ""
    normative_k: int = 16            # principal components kept by the normative score
    normative_train_loops: int = 150   # clean training normals; all training nuisance-only normals are added
    rule_max_terms: int = 3
    topk_frac: float = 0.1
    target_false_alarm: float = 0.05
    n_boot: int = 1000
    threads: int = 2
    phase_loops: int = 12
    smoke: int = 0                   # >0: keep this many loops per kind per set (pipeline check only)


def load_ckpt(path):
    sd = torch.load(path, map_location="cpu")
    ecfg, pcfg = EncoderConfig(**sd["encoder_cfg"]), PredictorConfig(**sd["predictor_cfg"])
    pcfg.condition = tuple(pcfg.condition)
    pcfg.aligned_copy = sd["predictor_cfg"].get("aligned_copy", False)   # checkpoints from before the aligned path
    enc, pred = Encoder(ecfg), Predictor(pcfg, ecfg)
    enc.load_state_dict(sd["target_encoder"])
    pred.load_state_dict(sd["predictor"])
    return enc.eval(), pred.eval(), sd


@torch.no_grad()
def encode_clips(enc, clips: np.ndarray, bs: int = 32) -> torch.Tensor:
    """clips uint8 [M, T, S, S] -> tokens [M, N, D]."""
    out = []
    for i in range(0, len(clips), bs):
        x = torch.from_numpy(clips[i:i + bs].astype(np.float32) / 255.0)[:, None]
        out.append(enc(x))
    return torch.cat(out)


@torch.no_grad()
def loop_tokens(enc, pred, frames: np.ndarray, metas, prep: PrepConfig):
    """Per loop: observed tokens of every clip [L, K, N, D] and predictions for clips 1..K-1 [L, K-1, N, D]."""
    ecfg = enc.cfg
    tg = ecfg.grid[0]
    clips = np.stack([clips_from_frames(f, prep) for f in frames])               # (L, K, T, S, S)
    L, K = clips.shape[:2]
    tok = encode_clips(enc, clips.reshape(L * K, *clips.shape[2:])).reshape(L, K, ecfg.num_tokens, ecfg.dim)
    rr = torch.tensor([60.0 / m["hr_bpm"] for m in metas], dtype=torch.float32)
    ctx = tok[:, :-1].reshape(L * (K - 1), ecfg.num_tokens, ecfg.dim)
    rr_pairs = rr[:, None].expand(L, K - 1).reshape(-1, 1)
    preds = []
    for i in range(0, len(ctx), 64):
        b = ctx[i:i + 64]
        preds.append(pred(b, positions_for(ecfg, 0, len(b)), positions_for(ecfg, tg, len(b)), rr_pairs[i:i + 64]))
    return tok, torch.cat(preds).reshape(L, K - 1, ecfg.num_tokens, -1)


def series_scores(tok, pred, grid, nm, topk_frac):
    """Per-loop scores. tok [L,K,N,D], pred [L,K-1,N,D]."""
    s_tok = (ln(pred) - ln(tok[:, 1:])).abs().mean(-1).numpy()                     # (L, K-1, N)
    c_tok = (ln(tok[:, :-1]) - ln(tok[:, 1:])).abs().mean(-1).numpy()               # copy baseline
    pair = s_tok.mean(-1)                                                          # (L, K-1)
    k = max(1, int(round(topk_frac * s_tok.shape[-1])))
    top = np.sort(s_tok, axis=-1)[..., -k:].mean(-1)
    feats = scoring.normative_features(tok, grid).numpy()                          # (L, K, F)
    norm = scoring.normative_distance(feats, nm)                                       # (L, K)
    return {"surprise_mean": pair.mean(1), "surprise_maxpair": pair.max(1), "surprise_top10": top.mean(1),
            "surprise_top10_max": top.max(1), "copy_mean": c_tok.mean((1, 2)),
            "normative": norm.mean(1), "normative_max": norm.max(1),
            "_pair": pair, "_tok": s_tok, "_copy_pair": c_tok.mean(-1), "_norm_clip": norm, "_feats": feats}


def quantiles(x):
    x = np.asarray(x, float).ravel()
    return {str(q): float(np.quantile(x, q)) for q in QUANTILES}


@torch.no_grad()
def phase_sensitivity(enc, frames, metas, prep, n_loops):
    """Latent distance between clips of the same normal loop vs their start offset in beats.
    Returns bins (0..2 beats, 0.1 wide) of mean token distance (mean_d |LN a - LN b|) and of pixel distance."""
    bins = np.arange(0, 2.01, 0.1)
    acc, cnt, pacc = np.zeros(len(bins) - 1), np.zeros(len(bins) - 1), np.zeros(len(bins) - 1)
    T = prep.frames
    for f, m in list(zip(frames, metas))[:n_loops]:
        starts = np.arange(0, len(f) - T + 1)
        clips = np.stack([f[s:s + T] for s in starts])
        z = ln(encode_clips(enc, clips))                                            # (S, N, D)
        x = torch.from_numpy(clips.astype(np.float32) / 255.0)
        rr = 60.0 / m["hr_bpm"]
        for i in range(0, len(starts), 3):
            d = (z[i:i + 1] - z[i:]).abs().mean((-1, -2)).numpy()
            pd = (x[i:i + 1] - x[i:]).abs().mean((-1, -2, -3)).numpy()
            beats = (starts[i:] - starts[i]) / prep.fps / rr
            b = np.digitize(beats, bins) - 1
            ok = (b >= 0) & (b < len(acc))
            np.add.at(acc, b[ok], d[ok])
            np.add.at(pacc, b[ok], pd[ok])
            np.add.at(cnt, b[ok], 1)
    lat, pix = acc / np.maximum(cnt, 1), pacc / np.maximum(cnt, 1)
    centre = (bins[:-1] + bins[1:]) / 2
    half = (centre > 0.35) & (centre < 0.65)
    one = (centre > 0.85) & (centre < 1.15)
    return {"beats": centre.round(2).tolist(), "latent": lat.round(5).tolist(), "pixel": pix.round(5).tolist(),
            "latent_contrast_half_vs_one_beat": float(lat[half].mean() / lat[one].mean()),
            "pixel_contrast_half_vs_one_beat": float(pix[half].mean() / pix[one].mean())}


def evaluate(cfg: EvalConfig):
    torch.set_num_threads(cfg.threads)
    t0 = time.time()
    enc, pred, sd = load_ckpt(cfg.ckpt)
    ecfg = enc.cfg
    grid = ecfg.grid
    prep = PrepConfig(size=ecfg.size, frames=ecfg.frames, fps=pred.cfg.fps)
    sets = {n: build_set(n, *SETS[n][:3], prep=prep) for n in ("train_normal", "train_nuisance", "calib", "val", "eval")}
    if cfg.smoke:
        for n, s in sets.items():
            keep, seen = [], {}
            for i, m in enumerate(s["metas"]):
                seen[m["kind"]] = seen.get(m["kind"], 0) + 1
                if seen[m["kind"]] <= cfg.smoke:
                    keep.append(i)
            sets[n] = {"frames": s["frames"][keep], "metas": [s["metas"][i] for i in keep]}
        cfg.n_boot, cfg.phase_loops, cfg.normative_k = 20, 2, 4
    # normative model and motion statistics from training normals: clean and nuisance-only (normal hearts acquired
    # differently, so that a gain step or a shadow is part of "normal" for these scores too)
    tr, tn = sets["train_normal"], sets["train_nuisance"]
    n_tr = min(cfg.normative_train_loops, len(tr["metas"]))
    tok_tr = torch.cat([loop_tokens(enc, pred, tr["frames"][:n_tr], tr["metas"][:n_tr], prep)[0],
                        loop_tokens(enc, pred, tn["frames"], tn["metas"], prep)[0]])
    feats_tr = scoring.normative_features(tok_tr, grid).reshape(-1, ecfg.dim + grid[1] * grid[2]).numpy()
    nm = scoring.fit_normative(feats_tr, cfg.normative_k)
    ms = scoring.fit_motion(scoring.normative_features(tok_tr, grid, "motion").reshape(-1, grid[1] * grid[2]).numpy())
    res, meas = {}, {}
    for name in ("calib", "val", "eval"):
        s = sets[name]
        tok, pr = loop_tokens(enc, pred, s["frames"], s["metas"], prep)
        sc = series_scores(tok, pr, grid, nm, cfg.topk_frac)
        meas[name] = scoring.clip_measures(tok, pr, grid, nm, "pooled+motion", ms=ms)
        sc["kind"] = np.array([m["kind"] for m in s["metas"]])
        sc["ef"] = np.array([m["ef"] for m in s["metas"]])
        sc["_pooled"] = pooled_embedding(tok.reshape(-1, *tok.shape[2:])).reshape(tok.shape[0], tok.shape[1], -1).numpy()
        res[name] = sc
    print(f"encoded sets in {time.time() - t0:.0f}s", flush=True)
    cal, ev = res["calib"], res["eval"]
    # the series rule: chosen on the validation split, calibrated on the calibration normals, reported on eval
    rule, ranked = scoring.select_rule(meas["calib"], meas["val"], res["val"]["kind"], ABNORMAL_KINDS,
                                       ("normal",) + NUISANCE_KINDS, cfg.target_false_alarm, cfg.rule_max_terms)
    print(f"series rule (validation AUROC {ranked[0][0]:.3f} of {len(ranked)} candidates): {rule.describe()}", flush=True)
    for sc, name in ((cal, "calib"), (ev, "eval")):
        sc["series_rule"] = rule.score(meas[name])
        for c in rule.components:
            sc[c.name] = c.series_value(meas[name])
    # combination: z-scores against the calibration normals (normal + nuisance-only)
    zstats = {k: (float(cal[k].mean()), float(cal[k].std() + 1e-9)) for k in ("surprise_mean", "normative", "surprise_maxpair")}
    for sc in (cal, ev):
        z = lambda k: (sc[k] - zstats[k][0]) / zstats[k][1]
        sc["combined"] = z("surprise_mean") + z("normative")
        sc["combined_max"] = np.maximum(z("surprise_maxpair"), z("normative"))
    thr = {k: float(np.quantile(cal[k], 1 - cfg.target_false_alarm)) for k in
           ("surprise_mean", "surprise_maxpair", "normative", "combined", "combined_max")}
    thr["series_rule"] = rule.threshold

    score_names = (["series_rule", "surprise_mean", "surprise_maxpair", "surprise_top10", "normative", "combined", "combined_max",
                    "copy_mean"] + [c.name for c in rule.components if c.name not in ("surprise_mean",)])
    kinds = ev["kind"]
    neg = np.isin(kinds, ("normal",) + NUISANCE_KINDS)
    pos = np.isin(kinds, ABNORMAL_KINDS)
    table = {}
    for s in score_names:
        row = {"overall": auroc_ci(ev[s][pos], ev[s][neg], cfg.n_boot),
               "vs_clean_normal": auroc_ci(ev[s][pos], ev[s][kinds == "normal"], cfg.n_boot)}
        for k in ABNORMAL_KINDS:
            row[k] = auroc_ci(ev[s][kinds == k], ev[s][neg], cfg.n_boot)
        for k in NUISANCE_KINDS:   # nuisance vs clean normal: 0.5 is the goal (no extra surprise)
            row[k] = auroc_ci(ev[s][kinds == k], ev[s][kinds == "normal"], cfg.n_boot)
        table[s] = row
    # false alarms and detections at the calibrated operating thresholds
    op = {}
    for s, t in thr.items():
        fa_n = int((ev[s][np.isin(kinds, NUISANCE_KINDS)] > t).sum())
        n_n = int(np.isin(kinds, NUISANCE_KINDS).sum())
        fa_c = int((ev[s][kinds == "normal"] > t).sum())
        op[s] = {"threshold": t, "false_alarm_nuisance": rate_ci(fa_n, n_n), "false_alarm_normal": rate_ci(fa_c, int((kinds == "normal").sum())),
                 "detection": {k: float((ev[s][kinds == k] > t).mean()) for k in ABNORMAL_KINDS},
                 "detection_all": float((ev[s][pos] > t).mean())}
    # predictor vs copy on clean normal eval loops (and per kind)
    pvc = {k: {"pred_l1": float(ev["_pair"][kinds == k].mean()), "copy_l1": float(ev["_copy_pair"][kinds == k].mean())}
           for k in np.unique(kinds)}
    for v in pvc.values():
        v["ratio"] = v["pred_l1"] / v["copy_l1"]
    # collapse on clean normal eval clips
    pooled = torch.from_numpy(ev["_pooled"][kinds == "normal"].reshape(-1, ecfg.dim))
    coll = collapse_stats(pooled)
    coll["features"] = collapse_stats(torch.from_numpy(ev["_feats"][kinds == "normal"].reshape(len(pooled), -1)))
    # EF linear probe on loops with a range of EF (normal, reduced-EF, RWMA), 5-fold CV
    efk = np.isin(kinds, ("normal", "reduced-ef", "rwma-hypokinetic", "rwma-akinetic", "rwma-dyskinetic"))
    X1 = ev["_pooled"][efk].mean(1)
    X2 = ev["_feats"][efk].mean(1)
    y = ev["ef"][efk] * 100
    ef_probe = {"pooled": ridge_cv_mae(X1, y, lam=0.1), "pooled+motion": ridge_cv_mae(X2, y, lam=0.1),
                "n": int(efk.sum()), "ef_range": [float(y.min()), float(y.max())]}
    ph = phase_sensitivity(enc, sets["eval"]["frames"][kinds == "normal"], [m for m, k in zip(sets["eval"]["metas"], kinds) if k == "normal"],
                           prep, cfg.phase_loops)
    metrics = {"ckpt": cfg.ckpt, "auroc": table, "operating": op, "predictor_vs_copy": pvc, "collapse": coll,
               "ef_probe_mae": ef_probe, "phase_sensitivity": ph, "n_eval": {k: int((kinds == k).sum()) for k in np.unique(kinds)},
               "training": sd.get("summary", {}),
               "series_rule": {"rule": rule.describe(), "validation_auroc": ranked[0][0], "candidates": len(ranked),
                               "runners_up": [[round(a, 4), r.describe()] for a, r in ranked[1:11]],
                               "validation_loops": {k: int((res["val"]["kind"] == k).sum()) for k in np.unique(res["val"]["kind"])}}}
    if cfg.pixel_ckpt:
        from .pixel_baseline import pixel_series_scores
        pix = pixel_series_scores(cfg.pixel_ckpt, sets, prep)
        pev, pcal = pix["eval"], pix["calib"]
        prow = {}
        for s in ("pixel_mean", "pixel_maxpair", "pixel_copy", "pixel_aligned"):
            r = {"overall": auroc_ci(pev[s][pos], pev[s][neg], cfg.n_boot),
                 "vs_clean_normal": auroc_ci(pev[s][pos], pev[s][kinds == "normal"], cfg.n_boot)}
            for k in ABNORMAL_KINDS:
                r[k] = auroc_ci(pev[s][kinds == k], pev[s][neg], cfg.n_boot)
            for k in NUISANCE_KINDS:
                r[k] = auroc_ci(pev[s][kinds == k], pev[s][kinds == "normal"], cfg.n_boot)
            prow[s] = r
        t = float(np.quantile(pcal["pixel_mean"], 1 - cfg.target_false_alarm))
        nn_ = np.isin(kinds, NUISANCE_KINDS)
        metrics["pixel_baseline"] = {"auroc": prow, "threshold": t,
                                     "false_alarm_nuisance": rate_ci(int((pev["pixel_mean"][nn_] > t).sum()), int(nn_.sum())),
                                     "pred_vs_copy_normal": {"pred_l1": float(pev["_pair"][kinds == "normal"].mean()),
                                                             "copy_l1": float(pev["_copy"][kinds == "normal"].mean()),
                                                             "aligned_l1": float(pev["_aligned"][kinds == "normal"].mean())},
                                     "training": pix.get("summary", {})}
    calib = make_calibration(cal, nm, ms, rule, cfg, ecfg, n_fit=int(tok_tr.shape[0]), n_candidates=len(ranked))
    out = cfg.out or os.path.dirname(cfg.ckpt)
    with open(os.path.join(out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
    with open(os.path.join(out, "calibration.json"), "w") as f:
        json.dump(calib, f, indent=1)
    print_table(metrics)
    print(f"eval done in {time.time() - t0:.0f}s -> {out}/metrics.json, calibration.json")
    return metrics, calib


def make_calibration(cal, nm, ms, rule, cfg, ecfg, n_fit: int, n_candidates: int) -> dict:
    tg, hg, wg = ecfg.grid
    r = lambda a: [round(float(v), 6) for v in np.asarray(a).ravel()]
    series = rule.to_json()
    series.update({"quantiles": quantiles(cal["series_rule"]),
                   "chosen_for": f"{cfg.target_false_alarm:.0%} false alarms on the calibration normals (clean + nuisance-only), series level",
                   "chosen_on": "series AUROC on the validation split (all kinds; never the eval split), "
                                f"among {n_candidates} "
                                "candidate rules (scoring.candidate_rules)",
                   "measures": scoring.MEASURES})
    return {
        "calibrationSet": "held-out simulated normal loops + nuisance-only normal loops (gain, attenuation, shadow, shift)",
        "loops": int(len(cal["kind"])), "kinds": {k: int((cal["kind"] == k).sum()) for k in np.unique(cal["kind"])},
        "surprise": {
            "token_formula": "s_n = mean_d |LN(predicted)[n,d] - LN(observed)[n,d]|",
            "ln_eps": LN_EPS, "clip_rule": "S_k = mean over the tokens of clip pair k",
            "per_token": {"quantiles": quantiles(cal["_tok"]), "mean": float(cal["_tok"].mean()), "std": float(cal["_tok"].std())},
            "per_clip": {"quantiles": quantiles(cal["_pair"]), "mean": float(cal["_pair"].mean()), "std": float(cal["_pair"].std())},
        },
        "normative": {
            "features": f"f = concat(e, m): e = pooled embedding (mean over tokens of LN(tokens), {ecfg.dim} floats); "
                        f"m[r*{wg}+c] = mean_d std_t LN(tokens)[t,r,c,d] (population std over the {tg} time slots; token n = t*{hg * wg}+r*{wg}+c), {hg * wg} floats",
            "score": "c = f - mean; p = components @ c; d2 = sum_i p_i^2/eigenvalues_i + (|c|^2 - sum_i p_i^2)/residual_eigenvalue; "
                     "score = sqrt(d2 / len(f)) per clip",
            "fitted_on": f"{n_fit} training normal loops (clean + nuisance-only), all their clips",
            "mean": r(nm["mean"]), "components": [r(v) for v in nm["components"]], "eigenvalues": r(nm["eigenvalues"]),
            "residual_eigenvalue": float(nm["residual_eigenvalue"]),
            "per_clip": {"quantiles": quantiles(cal["_norm_clip"]), "mean": float(cal["_norm_clip"].mean()), "std": float(cal["_norm_clip"].std())},
        },
        "motion": {
            "map": f"m[r*{wg}+c] = mean_d std_t LN(tokens)[t,r,c,d] (the normative features' motion map, {hg * wg} floats)",
            "fitted_on": f"{n_fit} training normal loops (clean + nuisance-only), all their clips",
            "cell_mean": r(ms["cell_mean"]), "cell_std": r(ms["cell_std"]),
            "global_mean": float(ms["global_mean"]), "global_std": float(ms["global_std"]),
        },
        "series": series,
    }


def fmt(ci):
    a, lo, hi = ci
    return f"{a:.2f} [{lo:.2f},{hi:.2f}]"


def print_table(m):
    t = m["auroc"]
    cols = ["series_rule", "surprise_mean", "surprise_top10", "normative", "combined", "copy_mean"]
    has_pix = "pixel_baseline" in m
    pcols = ["pixel_mean", "pixel_aligned"] if has_pix else []
    hdr = f"{'kind':22s}" + "".join(f"{c:>20s}" for c in cols + pcols)
    print(hdr)
    for k in ["overall", "vs_clean_normal"] + list(ABNORMAL_KINDS) + list(NUISANCE_KINDS):
        line = f"{k:22s}" + "".join(f"{fmt(t[c][k]):>20s}" for c in cols)
        for c in pcols:
            line += f"{fmt(m['pixel_baseline']['auroc'][c][k]):>20s}"
        print(line)
    print("(nuisance rows: AUROC of nuisance-only vs clean normal; 0.5 = no extra score)")
    print(f"series_rule = {m['series_rule']['rule']} (validation AUROC {m['series_rule']['validation_auroc']:.3f})")
    for s, o in m["operating"].items():
        fa = o["false_alarm_nuisance"]
        print(f"operating {s:16s} thr {o['threshold']:.4f}  false alarm nuisance {fa[0]:.2f} [{fa[1]:.2f},{fa[2]:.2f}]  "
              f"normal {o['false_alarm_normal'][0]:.2f}  detection {o['detection_all']:.2f}")
    if has_pix:
        pb = m["pixel_baseline"]
        pv = pb["pred_vs_copy_normal"]
        print(f"pixel baseline: false alarm nuisance {pb['false_alarm_nuisance'][0]:.2f}; L1 on clean normals: learned "
              f"{pv['pred_l1']:.4f}, copy {pv['copy_l1']:.4f}, phase-aligned copy {pv['aligned_l1']:.4f}")
    for k, v in m["predictor_vs_copy"].items():
        print(f"pred vs copy {k:22s} pred {v['pred_l1']:.4f} copy {v['copy_l1']:.4f} ratio {v['ratio']:.3f}")
    c = m["collapse"]
    print(f"collapse (pooled, clean normals): RankMe {c['rankme']:.1f} (centred {c['rankme_centered']:.1f}; normative features "
          f"centred {c['features']['rankme_centered']:.1f}) top-2 PC share {c['top2_var_share']:.2f} "
          f"std min/mean {c['std_min']:.3f}/{c['std_mean']:.3f} mean cos {c['mean_cos']:.3f}")
    e = m["ef_probe_mae"]
    print(f"EF probe MAE (EF points, n={e['n']}): pooled {e['pooled'][0]:.2f} (mean-baseline {e['pooled'][1]:.2f}); "
          f"pooled+motion {e['pooled+motion'][0]:.2f}")
    p = m["phase_sensitivity"]
    print(f"phase sensitivity: latent contrast d(0.5 beat)/d(1 beat) {p['latent_contrast_half_vs_one_beat']:.2f} "
          f"(pixel {p['pixel_contrast_half_vs_one_beat']:.2f})")
    print("  beats  " + " ".join(f"{b:5.2f}" for b in p["beats"]))
    print("  latent " + " ".join(f"{v:5.3f}" for v in p["latent"]))
    print("  pixel  " + " ".join(f"{v:5.3f}" for v in p["pixel"]))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", default=EvalConfig.ckpt)
    ap.add_argument("--pixel-ckpt", default="")
    ap.add_argument("--out", default="")
    ap.add_argument("--smoke", type=int, default=0, help="loops per kind per set (pipeline check)")
    a = ap.parse_args(argv)
    evaluate(EvalConfig(ckpt=a.ckpt, pixel_ckpt=a.pixel_ckpt, out=a.out, smoke=a.smoke))


if __name__ == "__main__":
    main()
