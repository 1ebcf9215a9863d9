"""Score the whole pipeline's output against the simulator's labels.

The end-to-end figure echostream is judged by: simulated DICOM studies (labels.csv from
simulate_dicom.py) went through ingest -> embedder -> anomaly on a real broker, and the anomaly
service's latest SeriesSummary per series (anomaly/bin/series-summaries, JSON lines) is compared with
the label of that series. Run by `bin/echostream evaluate`; usable on its own:

  /usr/bin/python3 model/pipeline_eval.py --labels DIR/labels.csv --summaries summaries.jsonl --out results.json

AUROC of each abnormal kind against all normals (clean + nuisance-only), with 95% bootstrap CIs;
the nuisance rows compare nuisance-only loops with clean normals (0.5 = the nuisance adds no score);
detection and false-alarm rates use the service's own `flagged` (the calibrated operating threshold).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import sys

import numpy as np

from .metrics import auroc_ci, rate_ci  # noqa: E402
from .sim import ABNORMAL_KINDS, NUISANCE_KINDS  # noqa: E402


def load(labels_path: str, summaries_path: str):
    with open(labels_path, newline="") as f:
        labels = {row["SeriesInstanceUID"]: row for row in csv.DictReader(f)}
    summaries = {}
    with open(summaries_path) as f:
        for line in f:
            line = line.strip()
            if line:
                s = json.loads(line)
                summaries[s["seriesInstanceUid"]] = s
    return labels, summaries


def evaluate(labels: dict, summaries: dict) -> dict:
    """Per kind: series count, scored count, score arrays; then AUROCs and rates."""
    by_kind: dict[str, list[dict]] = {}
    missing: dict[str, int] = {}
    for uid, row in labels.items():
        s = summaries.get(uid)
        if s is None or s.get("anomalyScore") is None:
            missing[row["kind"]] = missing.get(row["kind"], 0) + 1
            continue
        by_kind.setdefault(row["kind"], []).append(s)

    def scores(kinds):
        return np.array([s["anomalyScore"] for k in kinds for s in by_kind.get(k, [])], float)

    def flags(kinds):
        return [bool(s["flagged"]) for k in kinds for s in by_kind.get(k, [])]

    def events(kinds):
        return [int(s.get("eventCount", 0)) > 0 for k in kinds for s in by_kind.get(k, [])]

    normals = ("normal",) + NUISANCE_KINDS
    neg = scores(normals)
    rows = {}
    abnormal_present = [k for k in ABNORMAL_KINDS if by_kind.get(k)]
    if abnormal_present and len(neg):
        rows["overall"] = auroc_ci(scores(abnormal_present), neg)
        rows["vs_clean_normal"] = auroc_ci(scores(abnormal_present), scores(("normal",)))
    for k in abnormal_present:
        rows[k] = auroc_ci(scores((k,)), neg)
    for k in NUISANCE_KINDS:
        if by_kind.get(k) and by_kind.get("normal"):
            rows[k] = auroc_ci(scores((k,)), scores(("normal",)))

    def rate(values):
        return rate_ci(sum(values), len(values)) + (len(values),) if values else None

    rates = {
        "detection_abnormal": rate(flags(abnormal_present)),
        "false_alarm_nuisance": rate(flags(NUISANCE_KINDS)),
        "false_alarm_clean_normal": rate(flags(("normal",))),
        "any_event_abnormal": rate(events(abnormal_present)),
        "any_event_normals": rate(events(normals)),
    }
    per_kind_detection = {k: rate(flags((k,))) for k in ABNORMAL_KINDS if by_kind.get(k)}
    counts = {k: len(v) for k, v in by_kind.items()}
    return {"auroc": rows, "rates": rates, "detection_by_kind": per_kind_detection, "scored": counts,
            "missing": missing, "model": sorted({(s.get("modelName"), s.get("modelVersion"), s.get("preprocessingVersion"))
                                                 for s in summaries.values()})}


def table(result: dict) -> str:
    out = []
    models = "; ".join(f"{n} {v} ({p})" for n, v, p in result.get("model") or [])
    out.append(f"whole pipeline (ingest -> embedder -> anomaly), model {models}")
    out.append("scored series per kind: " + ", ".join(f"{k} {n}" for k, n in sorted(result["scored"].items())))
    if result["missing"]:
        out.append("NOT SCORED (no summary): " + ", ".join(f"{k} {n}" for k, n in sorted(result["missing"].items())))
    out.append(f"{'AUROC (series anomalyScore)':34s} {'value':>6s}  95% CI")
    for k, v in result["auroc"].items():
        a, lo, hi = v
        out.append(f"  {k:32s} {a:6.2f}  [{lo:.2f}, {hi:.2f}]")
    out.append("  (nuisance rows: nuisance-only vs clean normal loops; 0.5 = no extra score)")
    out.append(f"{'rates at the service operating point':34s} {'value':>6s}  95% CI         n")
    for k, v in list(result["rates"].items()) + [(f"detection {k}", v) for k, v in result["detection_by_kind"].items()]:
        if v is None:
            continue
        r, lo, hi, n = v
        out.append(f"  {k:32s} {r:6.2f}  [{lo:.2f}, {hi:.2f}]  {n:4d}")
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--labels", required=True, help="labels.csv written by simulate_dicom.py")
    ap.add_argument("--summaries", required=True, help="JSON lines from anomaly/bin/series-summaries")
    ap.add_argument("--out", help="write the result as JSON here")
    a = ap.parse_args(argv)
    labels, summaries = load(a.labels, a.summaries)
    result = evaluate(labels, summaries)
    print(table(result))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(result, f, indent=1)
    return 0 if not result["missing"] else 1


if __name__ == "__main__":
    sys.exit(main())
