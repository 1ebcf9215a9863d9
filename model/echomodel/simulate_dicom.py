"""
Write simulated echo loops as DICOM Ultrasound Multi-frame Part 10 files, plus a labels file.

  /usr/bin/python3 model/simulate_dicom.py --out model/data/demo --per-kind 1 --kinds normal,rwma-akinetic
  /usr/bin/python3 model/simulate_dicom.py --out model/data/eval --per-kind 12 --seed 1000

One study, one series, one SOP instance per loop. Uncompressed Explicit VR Little Endian.
Deterministic per (seed, index, kind): same bytes every run.
Labels: <out>/labels.csv with file, StudyInstanceUID, SeriesInstanceUID, SOPInstanceUID, kind,
onset_frame (source frame index of an abnormal or nuisance onset, empty if none), ef, hr_bpm, fps,
frames, seed.
"""
from __future__ import annotations

import argparse
import csv
import datetime
import hashlib
import os
import sys
import time
from dataclasses import dataclass

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian

from .sim import ALL_KINDS, EchoSimulator, SimConfig, make_params  # noqa: E402

US_MULTIFRAME = "1.2.840.10008.5.1.4.1.1.3.1"
IMPL_UID = "2.25.311378906540452203171862154622116233310"


@dataclass
class DicomConfig:
    out: str = "model/data/demo"
    per_kind: int = 1
    kinds: tuple = ALL_KINDS
    seed: int = 7000
    rgb: bool = False
    duration_s: float = 6.0


def uid_for(*parts) -> str:
    h = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()
    return "2.25." + str(int(h[:30], 16))


def build_dataset(p, sim: EchoSimulator, frames: np.ndarray, index: int, rgb: bool) -> FileDataset:
    study_uid, series_uid, sop_uid = (uid_for("study", p.seed, p.kind), uid_for("series", p.seed, p.kind),
                                      uid_for("sop", p.seed, p.kind))
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = US_MULTIFRAME
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = IMPL_UID
    ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.is_little_endian, ds.is_implicit_VR = True, False
    date = (datetime.date(2024, 1, 1) + datetime.timedelta(days=index % 365)).strftime("%Y%m%d")
    ds.SOPClassUID, ds.SOPInstanceUID = US_MULTIFRAME, sop_uid
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, series_uid
    ds.PatientName = f"SYNTHETIC^ECHO{p.seed:06d}"
    ds.PatientID = f"SIM-{p.seed:06d}"
    ds.PatientBirthDate, ds.PatientSex = "", "O"
    ds.StudyDate = ds.SeriesDate = ds.ContentDate = date
    ds.StudyTime = ds.SeriesTime = ds.ContentTime = "120000"
    ds.AccessionNumber, ds.StudyID = f"SIM{p.seed:06d}", "1"
    ds.Modality, ds.Manufacturer = "US", "echostream simulator (synthetic, not a patient)"
    ds.SeriesNumber, ds.InstanceNumber = 1, 1
    ds.ImageType = ["ORIGINAL", "PRIMARY", "TTE", "0001"]     # US Image Type value 3/4: exam type, 2D tissue
    ds.ReferringPhysicianName = ""
    ds.Laterality = ""                # dciodvfy: empty is a warning, absent an error (2C it cannot evaluate)
    ds.PatientOrientation = ""
    ds.StudyDescription = "SYNTHETIC ECHO"
    ds.SeriesDescription = "A4C (simulated)"
    ds.BurnedInAnnotation = "YES"
    ds.SamplesPerPixel = 3 if rgb else 1
    ds.PhotometricInterpretation = "RGB" if rgb else "MONOCHROME2"
    if rgb:
        ds.PlanarConfiguration = 0
    ds.Rows, ds.Columns = p.height, p.width
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.NumberOfFrames = len(frames)
    ft = 1000.0 / p.fps
    ds.FrameTime = f"{ft:.4f}"
    ds.FrameIncrementPointer = pydicom.tag.Tag(0x0018, 0x1063)
    ds.CineRate = int(round(p.fps))
    ds.RecommendedDisplayFrameRate = int(round(p.fps))
    ds.HeartRate = int(round(p.hr_bpm))
    x0, y0, x1, y1 = sim.region
    tissue = Dataset()
    tissue.RegionSpatialFormat, tissue.RegionDataType, tissue.RegionFlags = 1, 1, 0
    tissue.RegionLocationMinX0, tissue.RegionLocationMinY0 = x0, y0
    tissue.RegionLocationMaxX1, tissue.RegionLocationMaxY1 = x1, y1
    tissue.PhysicalUnitsXDirection, tissue.PhysicalUnitsYDirection = 3, 3            # cm
    tissue.PhysicalDeltaX = tissue.PhysicalDeltaY = float(sim.cm_per_px)
    tissue.ReferencePixelX0 = int(round(sim.apex_px[0] - x0))
    tissue.ReferencePixelY0 = int(round(sim.apex_px[1] - y0))
    ecg = Dataset()
    ecg.RegionSpatialFormat, ecg.RegionDataType, ecg.RegionFlags = 4, 0x000A, 0       # waveform, ECG trace
    ecg.RegionLocationMinX0, ecg.RegionLocationMinY0 = 0, p.height - sim.cfg.bottom_band
    ecg.RegionLocationMaxX1, ecg.RegionLocationMaxY1 = p.width - 1, p.height - 1
    ecg.PhysicalUnitsXDirection, ecg.PhysicalUnitsYDirection = 4, 0                   # seconds, none
    ecg.PhysicalDeltaX, ecg.PhysicalDeltaY = 3.0 / (p.width - 8), 1.0
    ds.SequenceOfUltrasoundRegions = Sequence([tissue, ecg])
    if rgb:
        pix = np.repeat(frames[..., None], 3, axis=-1)
        band = np.zeros(frames.shape[1:], bool)
        band[p.height - sim.cfg.bottom_band:, :] = True            # ECG trace in green
        pix[:, band, 0] //= 4
        pix[:, band, 2] //= 4
    else:
        pix = frames
    ds.PixelData = np.ascontiguousarray(pix, np.uint8).tobytes()
    return ds


def write_study(out_dir: str, index: int, seed: int, kind: str, cfg: DicomConfig) -> dict:
    scfg = SimConfig(duration_s=cfg.duration_s)
    p = make_params(seed, kind, scfg)
    sim = EchoSimulator(p, scfg)
    frames = sim.render()
    ds = build_dataset(p, sim, frames, index, cfg.rgb)
    name = f"{index:04d}_{kind}.dcm"
    ds.save_as(os.path.join(out_dir, name), write_like_original=False)
    onset = "" if p.onset_s < 0 else str(int(round(p.onset_s * p.fps)))
    return {"file": name, "StudyInstanceUID": ds.StudyInstanceUID, "SeriesInstanceUID": ds.SeriesInstanceUID,
            "SOPInstanceUID": ds.SOPInstanceUID, "kind": kind, "onset_frame": onset, "ef": f"{p.ef:.4f}",
            "hr_bpm": int(round(p.hr_bpm)), "fps": p.fps, "frames": len(frames), "seed": seed}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=DicomConfig.out)
    ap.add_argument("--per-kind", type=int, default=DicomConfig.per_kind)
    ap.add_argument("--kinds", default=",".join(ALL_KINDS))
    ap.add_argument("--seed", type=int, default=DicomConfig.seed)
    ap.add_argument("--rgb", action="store_true")
    ap.add_argument("--duration", type=float, default=DicomConfig.duration_s)
    a = ap.parse_args(argv)
    kinds = tuple(k for k in a.kinds.split(",") if k)
    for k in kinds:
        assert k in ALL_KINDS, f"unknown kind {k!r}; known: {', '.join(ALL_KINDS)}"
    cfg = DicomConfig(out=a.out, per_kind=a.per_kind, kinds=kinds, seed=a.seed, rgb=a.rgb, duration_s=a.duration)
    os.makedirs(cfg.out, exist_ok=True)
    rows, t0, index = [], time.time(), 0
    for i in range(cfg.per_kind):
        for kind in cfg.kinds:
            rows.append(write_study(cfg.out, index, cfg.seed + i, kind, cfg))
            index += 1
    with open(os.path.join(cfg.out, "labels.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {len(rows)} studies to {cfg.out} in {time.time() - t0:.1f}s (labels.csv)")


if __name__ == "__main__":
    main()
