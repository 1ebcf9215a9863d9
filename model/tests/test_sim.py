import csv
import os

import numpy as np

from echomodel import simulate_dicom
from echomodel.data import make_loop
from echomodel.prep import (PrepConfig, _area_matrix, estimate_rr_s, letterbox_geometry, preprocess_frames, read_dicom_loop,
                  resample_indices)
from echomodel.sim import ALL_KINDS, EchoSimulator, SimConfig, make_params, without_nuisance

SHORT = SimConfig(duration_s=2.0)


def test_simulator_is_deterministic_per_seed():
    a = EchoSimulator(make_params(3, "normal", SHORT), SHORT).render(range(0, 12, 4))
    b = EchoSimulator(make_params(3, "normal", SHORT), SHORT).render(range(0, 12, 4))
    c = EchoSimulator(make_params(4, "normal", SHORT), SHORT).render(range(0, 12, 4))
    assert a.dtype == np.uint8 and a.shape[0] == 3
    assert np.array_equal(a, b), "same seed must give identical frames"
    assert not np.array_equal(a, c), "different seeds must differ"


def test_every_kind_renders_and_abnormal_params_differ():
    for k in ALL_KINDS:
        p = make_params(11, k, SHORT)
        assert p.kind == k and p.n_frames > 0
    n, r = make_params(11, "normal", SHORT), make_params(11, "reduced-ef", SHORT)
    assert r.ef < 0.45 < n.ef, f"reduced-ef EF {r.ef:.2f} vs normal {n.ef:.2f}"
    assert make_params(5, "onset-midloop", SHORT).onset_s > 0


def test_dicom_writer_is_deterministic_and_matches_in_memory_prep(tmp_path):
    args = ["--per-kind", "1", "--kinds", "normal,arrhythmia-pvc", "--seed", "9", "--duration", "2.7"]
    simulate_dicom.main(["--out", str(tmp_path / "a")] + args)
    simulate_dicom.main(["--out", str(tmp_path / "b"), "--rgb"] + args)
    simulate_dicom.main(["--out", str(tmp_path / "c")] + args)
    rows = list(csv.DictReader(open(tmp_path / "a" / "labels.csv")))
    assert [r["kind"] for r in rows] == ["normal", "arrhythmia-pvc"]
    for r in rows:
        fa, fc = (open(tmp_path / d / r["file"], "rb").read() for d in ("a", "c"))
        assert fa == fc, "same seed must give byte-identical DICOM"
        for d in ("a", "b"):   # MONOCHROME2 and RGB give the same prep-1 clips
            frames, times, region, hr = read_dicom_loop(str(tmp_path / d / r["file"]))
            assert hr and 30 <= hr <= 200
            got = preprocess_frames(frames, times, region)
            mem, meta = make_loop(int(r["seed"]), r["kind"], PrepConfig(), SimConfig(duration_s=2.7))
            assert np.array_equal(got, mem), f"{d}/{r['file']}: DICOM -> prep-1 differs from the in-memory path"
            if r["kind"] == "normal" and d == "a":   # ingest's fallback when Heart Rate is absent
                x0, y0, x1, y1 = region
                rr = estimate_rr_s(frames[:, y0:y1 + 1, x0:x1 + 1], times)
                assert abs(rr - 60.0 / hr) < 0.1 * 60.0 / hr, f"RR estimate {rr:.3f} s vs tag {60.0 / hr:.3f} s"


def test_prep_rules():
    m = _area_matrix(230, 64)
    assert np.allclose(m.sum(1), 1.0) and (m > 0).sum() == 230
    assert letterbox_geometry(165, 230, 64) == (46, 64, 9, 0)
    t = np.arange(10) / 30.0
    idx = resample_indices(t, 12.0)
    assert list(idx) == [0, 2, 5, 7], idx       # 1/12 s = 2.5 source frames: ties go to the earlier frame


def test_clean_twin_is_the_same_heart_without_the_nuisance():
    prep = PrepConfig(size=32)
    for k in ("nuisance-gain", "nuisance-shadow"):
        f, meta = make_loop(21, k, prep, SHORT, twin=True)
        clean = meta["clean"]
        assert clean.shape == f.shape and not np.array_equal(clean, f), f"{k}: the twin must lack the nuisance"
        p = make_params(21, k, SHORT)
        assert without_nuisance(p).hr_bpm == p.hr_bpm and without_nuisance(p).ef == p.ef
        # before a mid-loop nuisance switches on, the twin equals the loop frame for frame
        if not p.nz_from_start and p.onset_s > 0.5:
            n0 = int(p.onset_s * prep.fps) - 1
            assert np.array_equal(clean[:n0], f[:n0]), f"{k}: twin differs before the nuisance starts"
    _, meta = make_loop(21, "normal", prep, SHORT, twin=True)
    assert meta["clean"] is None
