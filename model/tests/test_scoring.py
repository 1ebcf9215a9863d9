import numpy as np
import torch

from echomodel import scoring
from echomodel.scoring import Component, Measure, SeriesRule


def _measures(g, L=40):
    return {"surprise_mean": g.standard_normal((L, 3)) * 0.02 + 0.2, "surprise_top20": g.standard_normal((L, 3)) * 0.03 + 0.3,
            "normative": g.standard_normal((L, 4)) * 0.1 + 1.0, "motion_deficit_regional": g.standard_normal((L, 4)),
            "motion_deficit_global": g.standard_normal((L, 4))}


def test_rule_round_trips_through_calibration_json_and_thresholds_at_the_quantile():
    g = np.random.default_rng(0)
    calib, other = _measures(g), _measures(g)
    rule = SeriesRule([Component(Measure("surprise_top", 0.2), "mean"), Component(Measure("motion_deficit_regional"), "max")],
                      "sum").calibrate(calib, 0.05)
    assert abs((rule.score(calib) > rule.threshold).mean() - 0.05) <= 1 / 40
    back = scoring.rule_from_json(rule.to_json())
    assert np.allclose(back.score(other), rule.score(other)) and back.describe() == rule.describe()
    z = rule.z(calib)
    assert np.allclose(z.mean(0), 0, atol=1e-6) and np.allclose(z.std(0), 1, atol=1e-6)


def test_candidate_rules_use_one_aggregate_per_measure_and_one_top_fraction():
    rules = scoring.candidate_rules(["surprise_mean", "surprise_top10", "surprise_top20", "normative"], max_terms=3)
    for r in rules:
        keys = [c.measure.key for c in r.components]
        assert len(set(keys)) == len(keys)
        assert sum(k.startswith("surprise_top") for k in keys) <= 1
    assert any(r.combine == "max" for r in rules) and any(r.combine == "sum" for r in rules)


def test_select_rule_picks_the_separating_measure_on_validation():
    g = np.random.default_rng(1)
    calib = _measures(g)
    val = _measures(g, 60)
    kinds = np.array(["normal"] * 30 + ["reduced-ef"] * 30)
    val["motion_deficit_global"][30:] += 3.0                           # only this measure separates
    best, ranked = scoring.select_rule(calib, val, kinds, ("reduced-ef",), ("normal",), 0.05, max_terms=1)
    assert best.components[0].measure.name == "motion_deficit_global" and ranked[0][0] > 0.95


def test_top_k_rounds_half_up_and_motion_deficits_are_standardised():
    assert scoring.top_k(256, 0.1) == 26 and scoring.top_k(10, 0.25) == 3 and scoring.top_k(10, 0.01) == 1
    ms = {"cell_mean": np.array([0.5, 0.4]), "cell_std": np.array([0.1, 0.2]), "global_mean": 0.45, "global_std": 0.05}
    reg, glob = scoring.motion_deficits(np.array([[0.3, 0.4]]), ms)
    assert np.allclose(reg, 2.0) and np.allclose(glob, 2.0)
    tok = torch.randn(2, 3, 4 * 4, 8)
    m = scoring.normative_features(tok, (4, 2, 2), "motion")
    assert m.shape == (2, 3, 4)
