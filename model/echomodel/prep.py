"""
Preprocessing "prep-1": DICOM display frames -> model clips. The Java ingest service implements the
same steps (docs/onnx-contract.md, section "prep-1"); this file is the reference implementation and
the training data path, so the model sees what ingest produces.

  1. temporal resample to FPS by nearest source frame (source times from Frame Time Vector,
     else Frame Time, else Cine Rate); ties go to the earlier frame
  2. grayscale: MONOCHROME2 as is; RGB -> round(0.299 R + 0.587 G + 0.114 B)
  3. crop to the tissue region's bounding box (first Ultrasound Region with spatial format 1 and
     data type 1; RegionLocationMinX0..MaxX1, MinY0..MaxY1 inclusive)
  4. sector mask: a pixel is inside when it is > 0 in any resampled frame; outside pixels are set to 0
  5. resize with aspect kept to fit SIZE x SIZE by area averaging (output pixel i covers source
     [i*s, (i+1)*s); it averages the source pixels whose centres fall inside, or takes the nearest
     source pixel when none does), round half up, letterbox centred (offsets floor((SIZE-n)/2)), zeros around
  6. clips of FRAMES consecutive resampled frames, stride FRAMES (= the predictor's horizon)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PREP_VERSION = "prep-1"


@dataclass(frozen=True)
class PrepConfig:
    size: int = 64          # output height = width (pixels)
    fps: float = 12.0       # output frame rate
    frames: int = 16        # clip length = horizon = stride (frames)


def resample_indices(frame_times_s: np.ndarray, fps: float) -> np.ndarray:
    """Nearest source frame for output times j / fps, j = 0.. while j / fps <= last source time."""
    t = np.asarray(frame_times_s, np.float64)
    n_out = int(np.floor(t[-1] * fps + 1e-9)) + 1
    out_t = np.arange(n_out) / fps
    idx = np.searchsorted(t, out_t, side="left")
    idx = np.clip(idx, 0, len(t) - 1)
    prev = np.clip(idx - 1, 0, len(t) - 1)
    take_prev = np.abs(t[prev] - out_t) <= np.abs(t[idx] - out_t)   # ties -> earlier frame
    return np.where(take_prev, prev, idx)


def frame_times(n_frames: int, frame_time_ms: float | None = None, frame_time_vector_ms=None,
                cine_rate: float | None = None) -> np.ndarray:
    """Source frame times (s). Frame Time Vector wins (its first entry is 0 by the standard)."""
    if frame_time_vector_ms is not None and len(frame_time_vector_ms) == n_frames:
        return np.cumsum(np.asarray(frame_time_vector_ms, np.float64)) / 1000.0 - float(frame_time_vector_ms[0]) / 1000.0
    if frame_time_ms:
        return np.arange(n_frames) * float(frame_time_ms) / 1000.0
    assert cine_rate, "no Frame Time Vector, Frame Time or Cine Rate: cannot time the frames"
    return np.arange(n_frames) / float(cine_rate)


def to_gray(frames: np.ndarray) -> np.ndarray:
    if frames.ndim == 4:
        assert frames.shape[-1] == 3, f"expected RGB last axis, got {frames.shape}"
        f = frames.astype(np.float64)
        return np.floor(0.299 * f[..., 0] + 0.587 * f[..., 1] + 0.114 * f[..., 2] + 0.5).clip(0, 255).astype(np.uint8)
    return frames


def _area_matrix(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) averaging weights of the area rule described above."""
    m = np.zeros((n_out, n_in), np.float64)
    scale = n_in / n_out
    centres = np.arange(n_in) + 0.5
    owner = np.floor(centres / scale).astype(int).clip(0, n_out - 1)
    m[owner, np.arange(n_in)] = 1.0
    for i in range(n_out):
        if m[i].sum() == 0:
            m[i, min(n_in - 1, int(np.floor((i + 0.5) * scale)))] = 1.0
    return m / m.sum(axis=1, keepdims=True)


def letterbox_geometry(h: int, w: int, size: int):
    s = min(size / h, size / w)
    nh, nw = max(1, int(np.floor(h * s + 0.5))), max(1, int(np.floor(w * s + 0.5)))
    return nh, nw, (size - nh) // 2, (size - nw) // 2


def preprocess_frames(frames: np.ndarray, times_s: np.ndarray, region, cfg: PrepConfig = PrepConfig(),
                      already_resampled: bool = False) -> np.ndarray:
    """Display frames [F, H, W] or [F, H, W, 3] uint8 -> resampled model frames [F', SIZE, SIZE] uint8."""
    if not already_resampled:
        frames = frames[resample_indices(times_s, cfg.fps)]
    g = to_gray(frames)
    x0, y0, x1, y1 = region
    assert 0 <= x0 < x1 < g.shape[2] and 0 <= y0 < y1 < g.shape[1], f"region {region} outside frame {g.shape}"
    crop = g[:, y0:y1 + 1, x0:x1 + 1].astype(np.float64)                  # (F, h, w)
    mask = crop.max(axis=0) > 0
    crop *= mask
    h, w = crop.shape[1:]
    nh, nw, oy, ox = letterbox_geometry(h, w, cfg.size)
    ry, rx = _area_matrix(h, nh), _area_matrix(w, nw)
    small = np.matmul(np.matmul(ry, crop), rx.T)                           # (F, nh, nw): rows, then columns
    out = np.zeros((len(g), cfg.size, cfg.size), np.uint8)
    out[:, oy:oy + nh, ox:ox + nw] = np.floor(small + 0.5).clip(0, 255).astype(np.uint8)
    return out


def clips_from_frames(frames: np.ndarray, cfg: PrepConfig = PrepConfig()) -> np.ndarray:
    """[F', S, S] -> [K, FRAMES, S, S] non-overlapping clips (stride = FRAMES); the tail is dropped."""
    k = len(frames) // cfg.frames
    return frames[:k * cfg.frames].reshape(k, cfg.frames, cfg.size, cfg.size)


def estimate_rr_s(frames: np.ndarray, times_s: np.ndarray, lo_s: float = 0.4, hi_s: float = 1.6) -> float:
    """Fallback RR (s) when the Heart Rate tag is absent: the loop's own periodicity.
    Signal: mean absolute frame-to-frame difference of the (gray, cropped) frames, resampled to 50 Hz;
    RR = lag of the highest autocorrelation peak in [lo_s, hi_s], refined by a parabola."""
    g = frames.astype(np.float32)
    sig = np.abs(np.diff(g, axis=0)).mean(axis=(1, 2))
    ts = np.asarray(times_s)[1:]
    grid = np.arange(ts[0], ts[-1], 0.02)
    s = np.interp(grid, ts, sig)
    s = s - s.mean()
    ac = np.correlate(s, s, mode="full")[len(s) - 1:]
    ac = ac / (ac[0] + 1e-9)
    lo, hi = int(lo_s / 0.02), min(int(hi_s / 0.02), len(ac) - 2)
    seg = ac[lo:hi + 1]
    peaks = [i for i in range(1, len(seg) - 1) if seg[i] >= seg[i - 1] and seg[i] >= seg[i + 1]]
    best = max(seg[i] for i in peaks) if peaks else seg.max()
    # first peak close to the best one: avoids picking a multiple of the RR interval
    k = lo + (next(i for i in peaks if seg[i] >= 0.8 * best) if peaks else int(np.argmax(seg)))
    a, b, c = ac[k - 1], ac[k], ac[k + 1]
    den = a - 2 * b + c
    off = 0.5 * (a - c) / den if abs(den) > 1e-9 else 0.0
    return float((k + np.clip(off, -0.5, 0.5)) * 0.02)


def read_dicom_loop(path: str):
    """(frames uint8 [F,H,W] or [F,H,W,3], source times (s), tissue region (x0,y0,x1,y1), heart rate or None)."""
    import pydicom
    ds = pydicom.dcmread(path)
    arr = ds.pixel_array
    n = int(getattr(ds, "NumberOfFrames", 1))
    if n == 1:
        arr = arr[None]
    ftv = getattr(ds, "FrameTimeVector", None)
    times = frame_times(n, float(ds.FrameTime) if "FrameTime" in ds else None,
                        [float(v) for v in ftv] if ftv is not None else None,
                        float(ds.CineRate) if "CineRate" in ds else None)
    region = None
    for r in getattr(ds, "SequenceOfUltrasoundRegions", []):
        if int(r.RegionSpatialFormat) == 1 and int(r.RegionDataType) == 1:
            region = (int(r.RegionLocationMinX0), int(r.RegionLocationMinY0),
                      int(r.RegionLocationMaxX1), int(r.RegionLocationMaxY1))
            break
    assert region is not None, f"{path}: no tissue region (spatial format 1, data type 1) in Sequence of Ultrasound Regions"
    hr = float(ds.HeartRate) if "HeartRate" in ds and ds.HeartRate else None
    return arr, times, region, hr
