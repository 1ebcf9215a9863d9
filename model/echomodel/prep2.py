"""
Preprocessing prep-2 (docs/onnx-contract.md is the spec; this file is its reference implementation).

Display frames [F, H, W] (uint8 gray or RGB) + frame times + the US region rectangle ->
  1. time: nearest source frame at t = j / 24 s (ties to the earlier frame), as prep-1 but at 24 fps;
  2. fan: inside the region rectangle, the pixels that change over the loop (temporal range > 0) opened by a
     5x5 minimum/maximum (thin burned-in glyph strokes and the ECG line vanish), then each row filled between
     its leftmost and rightmost fan pixel (a sector is convex along rows); pixels outside the fan are zeroed;
  3. space: crop to the fan's bounding box, letterbox to 96 x 96 by area averaging (prep-1's matrices);
  4. intensity: per frame, mean 0 / std 1 over the fan pixels (gain and dynamic-range steps normalise out),
     clipped to [-4, 4], 0 outside the fan; float32.
The model input is then tubelets of 2 consecutive frames (1/12 s).

Phase signal (the predictor's "action"): R-wave times when the file has them (R Wave Time Vector), else the
loop's own periodicity: the first principal component of the normalised frames at 24 x 24, oriented so that
its short excursion (systole, shorter than diastole at every heart rate) is positive, with one beat start at
each upward crossing of 30 % of its range. Phase in [0, 1) and RR (s) per frame, beat by beat (irregular
rhythms keep their own intervals).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .prep import _area_matrix, letterbox_geometry, resample_indices, to_gray

PREP2_VERSION = "prep-2"
LEVEL = 0.3                # beat start: upward crossing of this share of the signal range


@dataclass(frozen=True)
class Prep2Config:
    size: int = 96
    fps: float = 24.0
    tubelet: int = 2
    clip_sigma: float = 4.0


def _window(a: np.ndarray, k: int, op) -> np.ndarray:
    """k x k sliding min or max (edge padded), numpy only."""
    h = k // 2
    p = np.pad(a, h, mode="edge")
    out = p[0:a.shape[0], 0:a.shape[1]].copy()
    for dy in range(k):
        for dx in range(k):
            out = op(out, p[dy:dy + a.shape[0], dx:dx + a.shape[1]])
    return out


def fan_mask(crop: np.ndarray) -> np.ndarray:
    """[F, h, w] gray crop of the region rectangle -> bool [h, w] mask of the imaging fan."""
    rng = crop.max(axis=0).astype(np.int16) - crop.min(axis=0).astype(np.int16)
    m = rng > 0
    m = _window(_window(m, 5, np.minimum), 5, np.maximum)     # opening: text strokes and trace lines go
    out = np.zeros_like(m)
    for y in range(m.shape[0]):
        xs = np.nonzero(m[y])[0]
        if len(xs) >= 3:
            out[y, xs[0]:xs[-1] + 1] = True
    return out


def preprocess2(frames: np.ndarray, times_s, region, cfg: Prep2Config = Prep2Config(), already_resampled: bool = False):
    """-> (x float32 [F', S, S], mask bool [S, S], kept source indices or None)."""
    idx = None
    if not already_resampled:
        idx = resample_indices(np.asarray(times_s), cfg.fps)
        frames = frames[idx]
    g = to_gray(frames)
    x0, y0, x1, y1 = region
    assert 0 <= x0 < x1 < g.shape[2] and 0 <= y0 < y1 < g.shape[1], f"region {region} outside frame {g.shape}"
    crop = g[:, y0:y1 + 1, x0:x1 + 1]
    m = fan_mask(crop)
    ys, xs = np.nonzero(m)
    if len(ys) == 0:
        raise ValueError(f"no moving fan inside region {region}: the loop is static")
    crop = crop[:, ys.min():ys.max() + 1, xs.min():xs.max() + 1].astype(np.float64)
    m = m[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    crop *= m
    h, w = m.shape
    nh, nw, oy, ox = letterbox_geometry(h, w, cfg.size)
    ry, rx = _area_matrix(h, nh), _area_matrix(w, nw)
    small = np.matmul(np.matmul(ry, crop), rx.T)
    msmall = (ry @ m.astype(np.float64) @ rx.T) > 0.999               # only pixels wholly inside the fan
    mask = np.zeros((cfg.size, cfg.size), bool)
    mask[oy:oy + nh, ox:ox + nw] = msmall
    out = np.zeros((len(g), cfg.size, cfg.size), np.float32)
    out[:, oy:oy + nh, ox:ox + nw] = small
    v = out[:, mask]
    mu = v.mean(axis=1, keepdims=True)
    sd = v.std(axis=1, keepdims=True) + 1e-3
    out[:, mask] = np.clip((v - mu) / sd, -cfg.clip_sigma, cfg.clip_sigma)
    out[:, ~mask] = 0.0
    return out, mask, idx


def phase_from_rwaves(t: np.ndarray, r_times: np.ndarray):
    """Phase [0,1) and RR (s) per time from R-wave times (beats outside the list use the median RR)."""
    r = np.sort(np.asarray(r_times, np.float64))
    rr_med = float(np.median(np.diff(r))) if len(r) >= 2 else 0.8
    ext = np.concatenate([[r[0] - rr_med * k for k in range(8, 0, -1)], r, [r[-1] + rr_med * k for k in range(1, 9)]])
    i = np.clip(np.searchsorted(ext, t, side="right") - 1, 0, len(ext) - 2)
    rr = ext[i + 1] - ext[i]
    return ((t - ext[i]) / rr) % 1.0, rr


def periodicity_signal(x: np.ndarray, mask: np.ndarray, fps: float = 24.0) -> np.ndarray:
    """The most periodic of the first three principal components of the normalised frames at 1/4 resolution,
    after removing each pixel's one-second moving average (so a gain step, a shadow or a probe shift moving in
    mid-loop does not become the component); unit range, unoriented."""
    F, S, _ = x.shape
    k = 4
    sm = (x * mask).reshape(F, S // k, k, S // k, k).mean(axis=(2, 4)).reshape(F, -1)
    w = int(round(fps))
    if F >= 2 * w:
        c = np.cumsum(np.pad(sm, ((w // 2 + 1, w - w // 2 - 1), (0, 0)), mode="edge"), axis=0)
        sm = sm - (c[w:] - c[:-w]) / w
    sm = sm - sm.mean(axis=0, keepdims=True)
    u, sv, vt = np.linalg.svd(sm, full_matrices=False)
    best, best_r = 0, -np.inf
    lo_lag, hi_lag = int(0.3 * fps), min(int(1.6 * fps), F - 4)
    for i in range(min(3, len(sv))):
        pc = u[:, i] - u[:, i].mean()
        if hi_lag <= lo_lag:
            break
        ac = [float(np.dot(pc[:-L], pc[L:]) / (np.linalg.norm(pc[:-L]) * np.linalg.norm(pc[L:]) + 1e-9))
              for L in range(lo_lag, hi_lag + 1)]
        r = max(ac) * (sv[i] / sv[0]) ** 0.5     # periodic and not negligible
        if r > best_r:
            best, best_r = i, r
    pc = u[:, best] * sv[best]
    pc = np.convolve(np.pad(pc, 1, mode="edge"), np.ones(3) / 3, mode="valid")
    lo, hi = np.percentile(pc, 5), np.percentile(pc, 95)
    return (pc - lo) / max(hi - lo, 1e-6)


def _fill_missed_beats(s: np.ndarray, starts: np.ndarray, fps: float, long_gap: float = 1.7) -> np.ndarray:
    """A weak systolic excursion (shadowed wall, low EF beat) can stay under LEVEL and its beat start is missed,
    so one "beat" spans two and every phase in it is wrong. With at least 3 starts, a gap longer than
    long_gap x the median gap is searched for the strongest upward crossing of half its local range; failing
    that it is split evenly. Irregular rhythms keep their intervals (AF's 0.6-1.4 RR stays below 1.7)."""
    if len(starts) < 3:
        return starts
    g = float(np.median(np.diff(starts)))
    out = [starts[0]]
    for a, b in zip(starts[:-1], starts[1:]):
        if b - a > long_gap * g:
            i0, i1 = int(np.ceil((a + 0.45 * g) * fps)), int(np.floor((b - 0.45 * g) * fps))
            seg = s[max(i0, 1):i1 + 1]
            found = None
            if len(seg) >= 2:
                lvl = 0.5 * (seg.min() + seg.max())
                ups = [i for i in range(max(i0, 1), i1 + 1) if s[i - 1] < lvl <= s[i]]
                if ups and seg.max() - seg.min() > 0.15:
                    i = max(ups, key=lambda k: s[min(k + 2, len(s) - 1)] - s[k - 1])
                    found = [(i - 1 + (lvl - s[i - 1]) / max(s[i] - s[i - 1], 1e-6)) / fps]
            if found is None:
                n = int(round((b - a) / g))
                found = [a + (b - a) * k / n for k in range(1, n)]
            out.extend(found)
        out.append(b)
    return np.asarray(out, np.float64)


def phase_from_periodicity(x: np.ndarray, mask: np.ndarray, fps: float, rr_hint_s: float | None = None):
    """-> (phase [F], rr [F], beat starts (s)). Robust on abnormal hearts: only the timing of the dominant
    periodic component is used, not its amplitude."""
    s = periodicity_signal(x, mask, fps)
    if np.mean(s > 0.5) > 0.5:         # orient: the systolic excursion is the shorter one
        s = 1.0 - s
    rr_guess = rr_hint_s if rr_hint_s else 0.8
    min_gap = int(max(2, 0.45 * rr_guess * fps))
    ups = []
    for i in range(1, len(s)):
        if s[i - 1] < LEVEL <= s[i] and (not ups or i - ups[-1] >= min_gap):
            ups.append(i)
    t = np.arange(len(s)) / fps
    if len(ups) == 0:
        starts = np.array([0.0])
    else:
        a = np.array(ups, np.float64)
        # sub-frame crossing time by linear interpolation
        frac = (LEVEL - s[a.astype(int) - 1]) / np.maximum(s[a.astype(int)] - s[a.astype(int) - 1], 1e-6)
        starts = (a - 1 + frac) / fps
    starts = _fill_missed_beats(s, starts, fps)
    if len(starts) < 2:
        rr_med = rr_guess
        starts = np.concatenate([starts, starts[-1:] + rr_med])
    phase, rr = phase_from_rwaves(t, starts)
    return phase.astype(np.float32), rr.astype(np.float32), starts


def tubelets(x: np.ndarray, cfg: Prep2Config = Prep2Config()) -> np.ndarray:
    """[F, S, S] -> [F // 2, 2, S, S] non-overlapping tubelets (tail dropped)."""
    n = len(x) // cfg.tubelet
    return x[:n * cfg.tubelet].reshape(n, cfg.tubelet, cfg.size, cfg.size)
