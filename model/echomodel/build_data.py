"""Build and cache the simulated sets (model/data/*.npz): training normals (+ nuisance-only normals with clean twins),
training validation, calibration normals, rule-selection validation (all kinds), held-out eval set (all kinds)."""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Under CPU contention (shared 2-core machines) spinning OpenMP workers burned 6x the CPU per step.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import sys  # noqa: E402

from .data import build_set  # noqa: E402
from .sim import ALL_KINDS, NUISANCE_KINDS  # noqa: E402

SETS = {
    # name: (kinds, loops per kind, first seed, clean twins). Seed ranges never overlap between sets.
    # training: normal hearts only; nuisance-only loops are normal hearts acquired differently, so they belong
    # to the normal training data (with their clean twins for the invariance term). No abnormal kind is trained on.
    "train_normal": (("normal",), 300, 0, False),
    "train_nuisance": (NUISANCE_KINDS, 60, 0, True),
    "val_normal": (("normal",), 24, 50_000, False),             # training-time validation (predictor vs copy)
    # thresholds and z-statistics of the series components: normal + nuisance-only normal loops
    "calib": (("normal",) + NUISANCE_KINDS, 40, 200_000, False),
    # choice of the series rule (all kinds; never the eval split)
    "val": (ALL_KINDS, 30, 400_000, False),
    # held-out report: the same 30 loops per kind as 0.1.0's eval set (before/after on identical loops)
    "eval": (ALL_KINDS, 30, 100_000, False),
}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("sets", nargs="*", default=list(SETS))
    a = ap.parse_args(argv)
    for name in a.sets:
        kinds, n, s0, twins = SETS[name]
        build_set(name, kinds, n, s0, twins=twins)


if __name__ == "__main__":
    main()
