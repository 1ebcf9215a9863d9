import hashlib
import json
import os

import numpy as np
import onnx
import torch

from echomodel.export import export_onnx, onnx_io, trace_check, write_golden, write_manifest, ExportConfig, placeholder_calibration
from echomodel.model import Encoder, Predictor, size_factory
from echomodel.prep import PrepConfig

RELEASE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "release")


def check_release_dir(d, expect_condition=True):
    """The contract every release (own model or converted V-JEPA 2) must meet."""
    man = json.load(open(os.path.join(d, "manifest.json")))
    for key in ("model", "version", "preprocessingVersion", "clip", "tokens", "predictor", "files", "opset", "training"):
        assert key in man, f"manifest misses {key}"
    for name, f in man["files"].items():
        data = open(os.path.join(d, name), "rb").read()
        assert hashlib.sha256(data).hexdigest() == f["sha256"] and len(data) == f["bytes"], f"{name}: sha256/bytes mismatch"
    tg, hg, wg = man["tokens"]["grid"]
    n, dim = tg * hg * wg, man["tokens"]["dim"]
    c = man["clip"]
    ins, outs, opsets = onnx_io(os.path.join(d, "encoder.onnx"))
    assert [(i[0], i[1]) for i in ins] == [("clip", "FLOAT")]
    assert ins[0][2][1:] == [1, c["frames"], c["height"], c["width"]] and isinstance(ins[0][2][0], str), ins
    assert outs[0][0] == "tokens" and outs[0][1] == "FLOAT" and outs[0][2][2] in (dim, outs[0][2][2] if isinstance(outs[0][2][2], str) else dim)
    ins, outs, _ = onnx_io(os.path.join(d, "predictor.onnx"))
    names = [i[0] for i in ins]
    want = ["context_tokens", "context_positions", "target_positions"] + (["condition"] if expect_condition else [])
    assert names == want, names
    assert [i[1] for i in ins] == ["FLOAT", "INT64", "INT64"] + (["FLOAT"] if expect_condition else [])
    assert len(man["predictor"]["condition"]) == (ins[3][2][1] if expect_condition else 0)
    assert outs[0][0] == "predicted_tokens" and outs[0][1] == "FLOAT"
    for name in ("encoder.onnx", "predictor.onnx"):
        onnx.checker.check_model(onnx.load(os.path.join(d, name)))
    g = json.load(open(os.path.join(d, "golden", "golden.json")))
    for name, f in g["files"].items():
        size = os.path.getsize(os.path.join(d, "golden", name))
        assert size == int(np.prod(f["shape"])) * (8 if f["dtype"] == "int64" else 4), f"golden {name} size"
    assert g["files"]["tokens.f32"]["shape"] == [2, n, dim]
    assert g["files"]["predicted.f32"]["shape"] == [2, n, dim]
    cpos = np.fromfile(os.path.join(d, "golden", "context_positions.i64"), "<i8").reshape(2, n)
    tpos = np.fromfile(os.path.join(d, "golden", "target_positions.i64"), "<i8").reshape(2, n)
    assert (cpos[0] == np.arange(n)).all() and (tpos[0] == np.arange(n) + n).all()
    return man


def test_committed_release_meets_contract():
    man = check_release_dir(RELEASE)
    total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(RELEASE) for f in fs)
    assert total < 8e6, f"release is {total / 1e6:.1f} MB"
    cal = json.load(open(os.path.join(RELEASE, "calibration.json")))
    assert os.path.getsize(os.path.join(RELEASE, "calibration.json")) < 1e6
    if not man.get("placeholder"):
        for q in ("0.5", "0.9", "0.95", "0.99", "0.995", "0.999"):
            assert q in cal["surprise"]["per_clip"]["quantiles"] and q in cal["surprise"]["per_token"]["quantiles"]
        series = cal["series"]
        assert series["threshold"] is not None and series["combine"] in ("max", "sum") and series["components"]
        # golden series: the stored per-clip measures give the stored scores under the release's own rule
        import numpy as np
        from echomodel import scoring
        rule = scoring.rule_from_json(series)
        gold = json.load(open(os.path.join(RELEASE, "golden", "series.json")))
        assert gold["rule"] == rule.describe()
        for s in gold["series"]:
            meas = {k: np.array([v]) for k, v in s["measures"].items()}
            assert abs(rule.score(meas)[0] - s["score"]) < 1e-6, s["kind"]


def test_export_tiny_random_model_meets_contract(tmp_path):
    torch.manual_seed(0)
    e, p = size_factory("micro")
    enc, pred = Encoder(e).eval(), Predictor(p, e).eval()
    d = str(tmp_path)
    export_onnx(enc, pred, d)
    checks = trace_check(enc, pred)
    assert max(checks.values()) < 1e-4, checks
    json.dump(placeholder_calibration(), open(os.path.join(d, "calibration.json"), "w"))
    write_golden(enc, pred, d, 1, 1e-4)
    write_manifest(d, enc, pred, ExportConfig(out=d, placeholder=True), {}, {}, PrepConfig(size=e.size, frames=e.frames))
    check_release_dir(d)
