"""pipeline_eval joins the service's summaries with the simulator's labels by Series Instance UID."""
import csv
import json

from echomodel import pipeline_eval


def write(tmp_path, rows, summaries):
    labels = tmp_path / "labels.csv"
    with open(labels, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["SeriesInstanceUID", "kind"])
        w.writeheader()
        w.writerows(rows)
    lines = tmp_path / "summaries.jsonl"
    lines.write_text("\n".join(json.dumps(s) for s in summaries) + "\n")
    return str(labels), str(lines)


def summary(uid, score, flagged=False, events=0):
    return {"seriesInstanceUid": uid, "anomalyScore": score, "flagged": flagged, "eventCount": events,
            "status": "CLOSED", "modelName": "m", "modelVersion": "1", "preprocessingVersion": "prep-1"}


def test_scores_separate_kinds_and_count_missing_series(tmp_path):
    rows, sums = [], []
    for i in range(6):
        rows.append({"SeriesInstanceUID": f"n{i}", "kind": "normal"})
        sums.append(summary(f"n{i}", 0.1 * i))
        rows.append({"SeriesInstanceUID": f"g{i}", "kind": "nuisance-gain"})
        sums.append(summary(f"g{i}", 0.1 * i + 0.05, flagged=(i == 5)))
        rows.append({"SeriesInstanceUID": f"a{i}", "kind": "arrhythmia-af"})
        sums.append(summary(f"a{i}", 5 + i, flagged=True, events=1))
        rows.append({"SeriesInstanceUID": f"r{i}", "kind": "reduced-ef"})
        if i < 5:  # one reduced-EF series never got a summary: it must show up as missing
            sums.append(summary(f"r{i}", 0.1 * i))
    result = pipeline_eval.evaluate(*pipeline_eval.load(*write(tmp_path, rows, sums)))

    assert result["auroc"]["arrhythmia-af"][0] == 1.0
    assert 0.3 < result["auroc"]["reduced-ef"][0] < 0.7
    assert result["missing"] == {"reduced-ef": 1}
    assert result["scored"]["reduced-ef"] == 5
    detection, _, _, n = result["detection_by_kind"]["arrhythmia-af"]
    assert (detection, n) == (1.0, 6)
    false_alarm, _, _, n = result["rates"]["false_alarm_nuisance"]
    assert n == 6 and abs(false_alarm - 1 / 6) < 1e-9
    assert "arrhythmia-af" in pipeline_eval.table(result)
