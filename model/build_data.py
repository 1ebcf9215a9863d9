"""Build and cache the simulated sets (model/data/*.npz): train/val normals, calibration normals, eval set."""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Under CPU contention (shared 2-core machines) spinning OpenMP workers burned 6x the CPU per step.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import build_set  # noqa: E402
from sim import ALL_KINDS, NUISANCE_KINDS  # noqa: E402

SETS = {
    # name: (kinds, loops per kind, first seed)
    "train_normal": (("normal",), 300, 0),
    "val_normal": (("normal",), 24, 50_000),
    "calib": (("normal",) + NUISANCE_KINDS, 16, 200_000),
    "eval": (ALL_KINDS, 30, 100_000),
}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("sets", nargs="*", default=list(SETS))
    a = ap.parse_args(argv)
    for name in a.sets:
        kinds, n, s0 = SETS[name]
        build_set(name, kinds, n, s0)


if __name__ == "__main__":
    main()
