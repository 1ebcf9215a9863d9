import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Under CPU contention (shared 2-core machines) spinning OpenMP workers burned 6x the CPU per step.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


import torch  # noqa: E402

torch.set_num_threads(2)
