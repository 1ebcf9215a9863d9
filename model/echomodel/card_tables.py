"""Markdown tables for docs/model-card.md from an eval's metrics.json:  /usr/bin/python3 model/card_tables.py runs/default/metrics.json"""
from __future__ import annotations

import json
import sys

from .sim import ABNORMAL_KINDS, NUISANCE_KINDS


def f(ci):
    return f"{ci[0]:.2f} [{ci[1]:.2f}, {ci[2]:.2f}]"


def main(path):
    m = json.load(open(path))
    a = m["auroc"]
    pb = m.get("pixel_baseline")
    cols = [("series_rule", "series rule (0.2.0)")] if "series_rule" in m["auroc"] else []
    cols += [("surprise_mean", "surprise (mean)"), ("surprise_maxpair", "surprise (max pair)"),
            ("surprise_top10", "surprise (top-10% tokens)"), ("normative", "normative"), ("combined", "combined"),
            ("copy_mean", "latent motion (copy L1)")]
    pcols = [("pixel_mean", "pixel predictor"), ("pixel_aligned", "pixel phase-aligned copy")] if pb else []
    n = m["n_eval"]
    print("| kind | n | " + " | ".join(c[1] for c in cols + pcols) + " |")
    print("|---|---|" + "---|" * (len(cols) + len(pcols)))
    rows = ["overall", "vs_clean_normal"] + list(ABNORMAL_KINDS) + list(NUISANCE_KINDS)
    for k in rows:
        cnt = n.get(k, sum(n[x] for x in ABNORMAL_KINDS) if k in ("overall", "vs_clean_normal") else 0)
        cells = [f(a[c][k]) for c, _ in cols] + [f(pb["auroc"][c][k]) for c, _ in pcols]
        print(f"| {k} | {cnt} | " + " | ".join(cells) + " |")
    print()
    print("| score | threshold | false alarms, nuisance-only normals | false alarms, clean normals | detection (all abnormal) |")
    print("|---|---|---|---|---|")
    for s, o in m["operating"].items():
        fa, fc = o["false_alarm_nuisance"], o["false_alarm_normal"]
        print(f"| {s} | {o['threshold']:.4f} | {fa[0]:.2f} [{fa[1]:.2f}, {fa[2]:.2f}] | {fc[0]:.2f} [{fc[1]:.2f}, {fc[2]:.2f}] | {o['detection_all']:.2f} |")
    if pb:
        fa = pb["false_alarm_nuisance"]
        print(f"| pixel predictor (mean) | {pb['threshold']:.4f} | {fa[0]:.2f} [{fa[1]:.2f}, {fa[2]:.2f}] | | |")
    if "series_rule" in m:
        r = m["series_rule"]
        print(f"\nSeries rule: `{r['rule']}`, chosen among {r['candidates']} candidates by validation AUROC {r['validation_auroc']:.3f}; runners-up:")
        for a, d in r["runners_up"][:5]:
            print(f"- {a:.3f} `{d}`")
    print()
    print("| kind | predictor L1 | copy L1 | ratio |")
    print("|---|---|---|---|")
    for k, v in m["predictor_vs_copy"].items():
        print(f"| {k} | {v['pred_l1']:.4f} | {v['copy_l1']:.4f} | {v['ratio']:.3f} |")
    print()
    c = m["collapse"]
    print(f"Collapse (pooled embeddings of clean normal eval clips): RankMe {c['rankme']:.1f} (centred {c['rankme_centered']:.1f} of 96), "
          f"top-2 PCs hold {c['top2_var_share']:.0%} of the centred variance, per-dim std min/mean {c['std_min']:.3f}/{c['std_mean']:.3f}, "
          f"mean pairwise cosine {c['mean_cos']:.3f}; normative features (160) centred RankMe {c['features']['rankme_centered']:.1f}.")
    e = m["ef_probe_mae"]
    print(f"EF linear probe (ridge, 5-fold CV, n={e['n']}, EF {e['ef_range'][0]:.0f}-{e['ef_range'][1]:.0f}%): MAE {e['pooled'][0]:.1f} EF points "
          f"from the pooled embedding, {e['pooled+motion'][0]:.1f} with the motion map; predicting the mean gives {e['pooled'][1]:.1f}.")
    p = m["phase_sensitivity"]
    print(f"Phase sensitivity: d(0.5 beat)/d(1 beat) = {p['latent_contrast_half_vs_one_beat']:.2f} in latent space "
          f"({p['pixel_contrast_half_vs_one_beat']:.2f} in normalised pixels).")
    print()
    print("| offset (beats) | " + " | ".join(f"{b:.2f}" for b in p["beats"]) + " |")
    print("|---|" + "---|" * len(p["beats"]))
    print("| latent distance | " + " | ".join(f"{v:.3f}" for v in p["latent"]) + " |")
    print("| pixel distance | " + " | ".join(f"{v:.3f}" for v in p["pixel"]) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
