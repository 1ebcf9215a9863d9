"""
Echo simulator: apical-four-chamber-like B-mode loops from first principles (cheaply).

Pipeline per rendered frame (all numpy, one core):
  tissue model (LV with 6 wall segments, RV, atria, mitral leaflets) in physical cm
  -> inverse deformation: current position -> reference (end-diastole) material position
  -> complex scatterer field sampled at the material position (speckle moves with tissue),
     scaled by echogenicity; the field decorrelates a little every source frame (AR(1))
  -> convolution with a separable Gaussian point-spread function on the polar (beam x range) grid
  -> envelope |.|, log compression, depth attenuation + TGC, gain, dynamic range
  -> scan conversion into the display sector; burned-in text above, ECG trace below the sector.

Abnormal generators (evaluation only) and acquisition nuisances (must not count as anomalies)
are selected by `kind`. Everything is deterministic given (seed, kind).
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field, asdict

import numpy as np

NORMAL_KINDS = ("normal",)
NUISANCE_KINDS = ("nuisance-gain", "nuisance-attenuation", "nuisance-shadow", "nuisance-shift")
ABNORMAL_KINDS = ("rwma-hypokinetic", "rwma-akinetic", "rwma-dyskinetic", "reduced-ef",
                  "arrhythmia-af", "arrhythmia-pvc", "onset-midloop")
ALL_KINDS = NORMAL_KINDS + NUISANCE_KINDS + ABNORMAL_KINDS

# 6 segments of the A4C view: (level, side); level 0 apical, 1 mid, 2 basal; side 0 septal, 1 lateral
SEGMENTS = [(lv, sd) for sd in (0, 1) for lv in (0, 1, 2)]


@dataclass
class SimConfig:
    """Acquisition defaults (the per-study random draws live in StudyParams)."""
    duration_s: float = 6.0          # loop length; 6 s at 12 fps = 72 frames = 4 clips of 16
    fps_choices: tuple = (30.0, 36.0, 40.0, 50.0)
    display_choices: tuple = ((240, 320), (256, 256), (300, 400))
    n_beams: int = 112
    n_range: int = 224
    top_band: int = 30               # burned-in text band above the sector (pixels)
    bottom_band: int = 46            # ECG trace band below the sector (pixels)
    material_res_cm: float = 0.07    # scatterer grid spacing
    speckle_decorr: float = 0.12     # AR(1) innovation weight per source frame at 30 fps
    # Domain randomisation (training and calibration of model 0.3): per-study draws of the acquisition
    # physics below, from their own random stream so that (seed, kind) keeps its heart and rhythm.
    randomise: bool = False
    fps_range: tuple = ()            # (lo, hi): uniform frame rate instead of fps_choices
    # Renderer variant: a second rendering mode (multiplicative gamma speckle texture, depth-dependent
    # lateral blur with side lobes, a truncated convex-probe apex, wider angles, a non-monotone TGC, larger
    # text placed inside the region rectangle, a thick sweeping ECG). Evaluation only: never trained on.
    variant: bool = False


@dataclass
class StudyParams:
    seed: int
    kind: str
    fps: float
    n_frames: int
    height: int
    width: int
    depth_cm: float
    half_angle: float                 # radians
    hr_bpm: float                     # nominal heart rate (what the Heart Rate tag says)
    beat_times: list                  # R-wave times (s), covering [-2, duration+2]
    beat_strength: list               # per beat contraction multiplier (PVC beats weaker)
    k_seg: list                       # 6 fractional shortenings (normal ~0.3)
    k_seg_after: list                 # after onset (onset-midloop), else same as k_seg
    onset_s: float                    # abnormal or nuisance onset time (s), -1 if none
    long_short: float                 # longitudinal shortening fraction
    lv_len: float
    lv_halfw: float
    wall_th: float
    lv_apex: tuple                    # (x, z) cm
    lv_tilt: float                    # radians
    gain_db: float
    dyn_range_db: float
    tgc_slope: float                  # dB/cm residual after TGC (normal ~0)
    atrial_kick: float
    # nuisance parameters (0 = off); they switch on at onset_s (or at 0 if onset_s < 0 and active)
    nz_gain_db: float = 0.0
    nz_atten_db_cm: float = 0.0
    nz_shadow: tuple = ()             # (angle_center, angle_halfwidth, start_depth_cm, loss_db)
    nz_shift_px: tuple = (0.0, 0.0)
    nz_from_start: bool = False
    drift_cm: tuple = (0.0, 0.0)      # slow probe drift amplitude (x, z)
    ef: float = 0.0                   # ejection fraction implied by the geometry (computed)
    # acquisition physics (defaults = the original renderer; drawn when SimConfig.randomise)
    psf_ax: float = 1.1               # axial PSF sigma (polar samples)
    psf_lat: float = 0.9              # lateral PSF sigma (polar samples)
    speckle_decorr: float = -1.0      # AR(1) innovation at 30 fps; < 0: SimConfig's
    myo_echo: float = 1.0             # myocardium echogenicity
    bg_echo: float = 0.2              # background tissue echogenicity
    noise_amp: float = 0.006          # electronic noise amplitude
    tgc_curve: tuple = (0.0, 0.0)     # (amplitude dB, period cm) of a depth-periodic TGC ripple
    speckle_salt: str = ""            # non-empty: a different speckle and noise draw of the same heart

    def to_dict(self):
        return asdict(self)


def _rng(seed: int, kind: str, salt: str = "") -> np.random.Generator:
    h = hashlib.sha256(f"{seed}|{kind}|{salt}".encode()).digest()
    return np.random.default_rng(int.from_bytes(h[:8], "little"))


def contraction(tau: np.ndarray, rr: float, kick: float) -> np.ndarray:
    """Fraction of full systolic contraction at time tau (s) after an R wave, for a beat of length rr."""
    ts = 0.08 + 0.26 * math.sqrt(max(rr, 0.3))           # end-systole after R (Bazett-like)
    t0 = 0.05                                              # electromechanical delay
    tr = min(0.16, 0.25 * rr)                              # rapid filling duration
    f = np.zeros_like(tau)
    up = (tau >= t0) & (tau < ts)
    f[up] = 0.5 - 0.5 * np.cos(np.pi * (tau[up] - t0) / (ts - t0))
    dn = (tau >= ts) & (tau < ts + tr)
    f[dn] = 0.5 + 0.5 * np.cos(np.pi * (tau[dn] - ts) / tr)
    # atrial kick: a small extra filling (LV widens) just before the next R
    ka = (tau >= rr - 0.16) & (tau < rr)
    f[ka] = -kick * np.sin(np.pi * (tau[ka] - (rr - 0.16)) / 0.16)
    return f


def ejection_fraction(k_seg, long_short, strength=1.0) -> float:
    k = float(np.mean(k_seg)) * strength
    return float(1.0 - (1.0 - k) ** 2 * (1.0 - long_short * strength))


def make_params(seed: int, kind: str, cfg: SimConfig = SimConfig()) -> StudyParams:
    assert kind in ALL_KINDS, f"unknown kind {kind!r}; expected one of {ALL_KINDS}"
    r = _rng(seed, kind)
    fps = float(r.choice(cfg.fps_choices))
    n_frames = int(round(cfg.duration_s * fps))
    height, width = cfg.display_choices[int(r.integers(len(cfg.display_choices)))]
    hr = float(r.uniform(55, 100))
    rr = 60.0 / hr
    k_base = r.uniform(0.27, 0.35)
    k_seg = list(np.clip(k_base * r.uniform(0.85, 1.15, size=6), 0.18, 0.45))
    long_short = float(r.uniform(0.10, 0.15))
    onset = -1.0
    dur = cfg.duration_s

    # rhythm: R-wave times from -2 s to duration + 2 s
    jitter = 0.03
    beat_times, strength = [], []
    t = -2.0 + r.uniform(0, rr)
    pvc_beats = set()
    if kind == "arrhythmia-pvc":
        n_pvc = int(r.integers(1, 3))
        pvc_times = sorted(r.uniform(1.0, dur - 1.0, size=n_pvc))
    while t < dur + 2.0:
        beat_times.append(t)
        strength.append(1.0)
        if kind == "arrhythmia-af":
            step = rr * r.uniform(0.6, 1.4)
        else:
            step = rr * (1.0 + jitter * r.standard_normal())
        if kind == "arrhythmia-pvc" and pvc_times and t + step > pvc_times[0]:
            # premature beat at ~0.6 RR, weaker contraction, compensatory pause
            coupling = rr * r.uniform(0.5, 0.65)
            beat_times.append(t + coupling)
            strength.append(float(r.uniform(0.45, 0.7)))
            pvc_beats.add(len(beat_times) - 1)
            t = t + 2.0 * rr
            pvc_times.pop(0)
            continue
        t += step
    # heart-rate tag: beats per minute over the loop, as a scanner would report it (rounded)
    in_loop = [b for b in beat_times if 0 <= b <= dur]
    if len(in_loop) >= 2:
        hr_tag = 60.0 * (len(in_loop) - 1) / (in_loop[-1] - in_loop[0])
    else:
        hr_tag = hr
    k_after = list(k_seg)
    kick = float(r.uniform(0.05, 0.12))

    if kind.startswith("rwma-"):
        s0 = int(r.integers(6))
        segs = [s0] + ([SEGMENTS.index((SEGMENTS[s0][0] + (1 if SEGMENTS[s0][0] < 2 else -1), SEGMENTS[s0][1]))]
                       if r.random() < 0.6 else [])
        factor = {"rwma-hypokinetic": r.uniform(0.25, 0.5), "rwma-akinetic": 0.0,
                  "rwma-dyskinetic": -r.uniform(0.2, 0.4)}[kind]
        for s in segs:
            k_seg[s] = k_seg[s] * factor
        k_after = list(k_seg)
    elif kind == "reduced-ef":
        f = r.uniform(0.3, 0.55)
        k_seg = [k * f for k in k_seg]
        long_short *= f
        k_after = list(k_seg)
    elif kind == "arrhythmia-af":
        kick = 0.0
    elif kind == "onset-midloop":
        onset = float(r.uniform(0.35, 0.6) * dur)
        s0 = int(r.integers(6))
        factor = 0.0 if r.random() < 0.5 else r.uniform(0.2, 0.4)
        for s in {s0, SEGMENTS.index((1, SEGMENTS[s0][1]))}:
            k_after[s] = k_seg[s] * factor

    p = StudyParams(
        seed=seed, kind=kind, fps=fps, n_frames=n_frames, height=height, width=width,
        depth_cm=float(r.uniform(14.0, 17.0)), half_angle=float(np.deg2rad(r.uniform(34, 40))),
        hr_bpm=float(round(hr_tag)), beat_times=[float(b) for b in beat_times],
        beat_strength=strength, k_seg=[float(k) for k in k_seg], k_seg_after=[float(k) for k in k_after],
        onset_s=onset, long_short=long_short,
        lv_len=float(r.uniform(7.6, 8.8)), lv_halfw=float(r.uniform(1.9, 2.3)),
        wall_th=float(r.uniform(0.8, 1.1)),
        lv_apex=(float(r.uniform(0.4, 1.3)), float(r.uniform(2.4, 3.4))),
        lv_tilt=float(np.deg2rad(r.uniform(-4, 10))),
        gain_db=float(r.uniform(-3, 3)), dyn_range_db=float(r.uniform(50, 60)),
        tgc_slope=float(r.uniform(-0.15, 0.15)), atrial_kick=kick,
        drift_cm=(float(r.uniform(-0.15, 0.15)), float(r.uniform(-0.15, 0.15))),
    )
    if kind.startswith("nuisance-"):
        from_start = bool(r.random() < 0.4)
        p.nz_from_start = from_start
        p.onset_s = -1.0 if from_start else float(r.uniform(0.3, 0.65) * dur)
        if kind == "nuisance-gain":
            p.nz_gain_db = float(r.choice([-1, 1]) * r.uniform(4, 8))
        elif kind == "nuisance-attenuation":
            p.nz_atten_db_cm = float(r.uniform(0.5, 0.9))
        elif kind == "nuisance-shadow":
            p.nz_shadow = (float(r.uniform(-0.5, 0.5) * p.half_angle), float(np.deg2rad(r.uniform(3, 6))),
                           float(r.uniform(1.0, 3.0)), float(r.uniform(15, 25)))
        elif kind == "nuisance-shift":
            ang = r.uniform(0, 2 * np.pi)
            mag = r.uniform(3, 6)
            p.nz_shift_px = (float(mag * np.cos(ang)), float(mag * np.sin(ang)))
    p.ef = ejection_fraction(p.k_seg, p.long_short)
    if cfg.fps_range:
        rf = _rng(seed, kind, "fps")
        p.fps = float(rf.uniform(*cfg.fps_range))
        p.n_frames = int(round(cfg.duration_s * p.fps))
    if cfg.randomise or cfg.variant:
        d = _rng(seed, kind, "domain")
        p.psf_ax, p.psf_lat = float(d.uniform(0.7, 1.6)), float(d.uniform(0.6, 1.5))
        p.speckle_decorr = float(d.uniform(0.04, 0.25))
        p.myo_echo, p.bg_echo = float(d.uniform(0.6, 1.5)), float(d.uniform(0.1, 0.35))
        p.noise_amp = float(d.uniform(0.002, 0.02))
        p.dyn_range_db = float(d.uniform(42, 66))
        p.gain_db = float(d.uniform(-6, 6))
        p.tgc_slope = float(d.uniform(-0.3, 0.3))
        p.tgc_curve = (float(d.uniform(0, 3)), float(d.uniform(3, 8)))
        p.depth_cm = float(d.uniform(12.0, 19.0))
        p.half_angle = float(np.deg2rad(d.uniform(30, 45)))
        p.lv_tilt = float(np.deg2rad(d.uniform(-10, 16)))
        p.lv_apex = (float(d.uniform(-0.2, 1.8)), float(d.uniform(2.0, 3.8)))
        p.height, p.width = [(240, 320), (256, 256), (300, 400), (360, 480), (288, 352)][int(d.integers(5))]
    return p


def speckle_twin(p: StudyParams, salt: str = "twin") -> StudyParams:
    """The same heart at the same instants, nuisance-free, with its speckle and noise drawn again: the
    encoder's target twin (what stays is anatomy and motion; what changes is speckle and acquisition)."""
    q = without_nuisance(p)
    q.speckle_salt = salt
    return q


def without_nuisance(p: StudyParams) -> StudyParams:
    """The same study (heart, speckle, noise: every random draw) acquired without its nuisance: the clean twin
    of a nuisance-only loop, used to teach the encoder that the nuisance is not part of the heart."""
    q = StudyParams(**asdict(p))
    q.nz_gain_db, q.nz_atten_db_cm, q.nz_shadow, q.nz_shift_px = 0.0, 0.0, (), (0.0, 0.0)
    return q


def _smooth_field(r: np.random.Generator, shape, sigma_px: float) -> np.ndarray:
    """Low-frequency random field (unit std) via FFT filtering."""
    n = r.standard_normal(shape)
    ky = np.fft.fftfreq(shape[0])[:, None]
    kx = np.fft.fftfreq(shape[1])[None, :]
    g = np.exp(-2 * (np.pi * sigma_px) ** 2 * (kx ** 2 + ky ** 2))
    f = np.real(np.fft.ifft2(np.fft.fft2(n) * g))
    return f / (f.std() + 1e-9)


def _gauss_kernel(sigma: float) -> np.ndarray:
    h = max(1, int(math.ceil(2.5 * sigma)))
    x = np.arange(-h, h + 1)
    k = np.exp(-0.5 * (x / sigma) ** 2)
    return k / k.sum()


def _conv1d(a: np.ndarray, k: np.ndarray, axis: int) -> np.ndarray:
    h = len(k) // 2
    pad = [(0, 0)] * a.ndim
    pad[axis] = (h, h)
    ap = np.pad(a, pad, mode="edge")
    out = np.zeros_like(a)
    n = a.shape[axis]
    for i, w in enumerate(k):
        sl = [slice(None)] * a.ndim
        sl[axis] = slice(i, i + n)
        out += w * ap[tuple(sl)]
    return out


# --- tiny pseudo-font for burned-in text: each character maps to a fixed 5x7 bit pattern ---
def _glyph(ch: str) -> np.ndarray:
    if ch == " ":
        return np.zeros((7, 5), bool)
    h = hashlib.md5(ch.encode()).digest()
    bits = np.unpackbits(np.frombuffer(h, np.uint8))[:35].reshape(7, 5).astype(bool)
    bits[:, 0] |= bits[:, 4]
    return bits


def draw_text(img: np.ndarray, text: str, x: int, y: int, value: int = 200) -> None:
    for i, ch in enumerate(text):
        g = _glyph(ch)
        xs = x + 6 * i
        if xs + 5 > img.shape[1] or y + 7 > img.shape[0]:
            break
        img[y:y + 7, xs:xs + 5][g] = value


def ecg_wave(t: np.ndarray, beat_times: np.ndarray, af: bool) -> np.ndarray:
    """Synthetic ECG (arbitrary units) at times t given R-wave times."""
    v = np.zeros_like(t)
    for b in beat_times:
        d = t - b
        v += 1.0 * np.exp(-0.5 * (d / 0.012) ** 2) - 0.25 * np.exp(-0.5 * ((d - 0.03) / 0.012) ** 2)
        v += 0.3 * np.exp(-0.5 * ((d - 0.28) / 0.05) ** 2)
        if not af:
            v += 0.15 * np.exp(-0.5 * ((d + 0.16) / 0.03) ** 2)
    if af:
        v += 0.05 * np.sin(2 * np.pi * 6.3 * t) * np.sin(2 * np.pi * 1.7 * t + 0.4)
    return v


class EchoSimulator:
    """Renders one study. `render(indices)` returns uint8 display frames [F, H, W] (MONOCHROME)."""

    def __init__(self, p: StudyParams, cfg: SimConfig = SimConfig()):
        self.p, self.cfg = p, cfg
        r = _rng(p.seed, p.kind, "render")
        self.r = r
        rs = _rng(p.seed, p.kind, "render" + p.speckle_salt) if p.speckle_salt else r
        H, W = p.height, p.width
        self.R_px = H - cfg.top_band - cfg.bottom_band
        self.apex_px = (W / 2.0, float(cfg.top_band))
        self.cm_per_px = p.depth_cm / self.R_px
        # polar grid in physical coordinates (x lateral, z depth), cm
        th = np.linspace(-p.half_angle, p.half_angle, cfg.n_beams)
        rr = np.linspace(0.0, p.depth_cm, cfg.n_range)
        self.th, self.rg = th, rr
        TH, RG = np.meshgrid(th, rr, indexing="ij")          # (n_beams, n_range)
        self.px = RG * np.sin(TH)
        self.pz = RG * np.cos(TH)
        # scatterer field on a material grid covering the sector (+ margin for motion)
        res = cfg.material_res_cm
        self.m_x0, self.m_z0 = -p.depth_cm * math.sin(p.half_angle) - 2.0, -2.0
        self.m_nx = int((2 * p.depth_cm * math.sin(p.half_angle) + 4.0) / res) + 1
        self.m_nz = int((p.depth_cm + 4.0) / res) + 1
        shape = (self.m_nz, self.m_nx)
        z_re = rs.standard_normal(shape).astype(np.float32)
        z_im = rs.standard_normal(shape).astype(np.float32)
        if p.speckle_salt:
            r.standard_normal(shape), r.standard_normal(shape)   # keep the tissue draws below identical
        self.z_re, self.z_im = z_re, z_im
        self.bg = (p.bg_echo + 0.4 * p.bg_echo * _smooth_field(r, shape, 12.0)).clip(0.02, 0.8).astype(np.float32)
        self.myo_tex = (1.0 + 0.15 * _smooth_field(r, shape, 4.0)).astype(np.float32)
        self.noise_seed = int(r.integers(2 ** 31)) + (int(rs.integers(2 ** 20)) if p.speckle_salt else 0)
        if cfg.variant:   # multiplicative gamma texture (K-like speckle statistics), fixed to the tissue
            self.tex = np.sqrt(_rng(p.seed, p.kind, "vtex" + p.speckle_salt).gamma(1.5, 1 / 1.5, shape)).astype(np.float32)
        # PSF (in polar samples): axial sigma, lateral sigma
        self.k_ax = _gauss_kernel(p.psf_ax)
        self.k_lat = _gauss_kernel(p.psf_lat)
        if cfg.variant:   # wider lateral beam with negative side lobes; sharper axial pulse
            wide = _gauss_kernel(p.psf_lat * 3.2)
            narrow = np.zeros_like(wide)
            kn = _gauss_kernel(p.psf_lat * 1.6)
            o = (len(wide) - len(kn)) // 2
            narrow[o:o + len(kn)] = kn
            k = narrow - 0.35 * wide
            self.k_lat = k / k.sum()
            self.k_ax = _gauss_kernel(max(0.6, p.psf_ax * 0.7))
        self._build_scan_conversion()
        # RV geometry relative to LV
        self.rv_apex = (p.lv_apex[0] - 3.2, p.lv_apex[1] + 1.6)
        self.rv_tilt = p.lv_tilt - 0.22
        self.rv_len, self.rv_halfw = p.lv_len * 0.78, p.lv_halfw * 0.62

    def _build_scan_conversion(self):
        p, cfg = self.p, self.cfg
        H, W = p.height, p.width
        yy, xx = np.mgrid[0:H, 0:W].astype(np.float64)
        dx, dy = xx + 0.5 - self.apex_px[0], yy + 0.5 - self.apex_px[1]
        rad = np.hypot(dx, dy)
        ang = np.arctan2(dx, dy)
        inside = (dy > 0) & (rad <= self.R_px) & (np.abs(ang) <= p.half_angle)
        if cfg.variant:   # convex probe: the sector starts on an arc, not at a point
            inside &= rad >= 0.07 * self.R_px
        ir = rad / self.R_px * (cfg.n_range - 1)
        ib = (ang + p.half_angle) / (2 * p.half_angle) * (cfg.n_beams - 1)
        self.sc_idx = np.nonzero(inside.ravel())[0]
        ir, ib = ir.ravel()[self.sc_idx], ib.ravel()[self.sc_idx]
        i0r, i0b = np.clip(np.floor(ir).astype(int), 0, cfg.n_range - 2), np.clip(np.floor(ib).astype(int), 0, cfg.n_beams - 2)
        self.sc_i = (i0b, i0r)
        self.sc_w = (ir - i0r, ib - i0b)
        ys, xs = np.nonzero(inside)
        self.region = (int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max()))  # x0, y0, x1, y1 inclusive

    # ---- cardiac state ----
    def state(self, t: float):
        """(contraction f, k_seg 6-vector, beat strength) at time t."""
        p = self.p
        bt = np.asarray(p.beat_times)
        i = int(np.searchsorted(bt, t, side="right") - 1)
        i = max(0, min(i, len(bt) - 2))
        rr = bt[i + 1] - bt[i]
        f = float(contraction(np.array([t - bt[i]]), rr, p.atrial_kick)[0]) * p.beat_strength[i]
        k = np.asarray(p.k_seg)
        if p.onset_s >= 0 and p.kind == "onset-midloop":
            w = np.clip((t - p.onset_s) / 0.3, 0.0, 1.0)
            k = (1 - w) * k + w * np.asarray(p.k_seg_after)
        systole = (t - bt[i]) < (0.08 + 0.26 * math.sqrt(rr))
        return f, k, systole

    def _nuisance_on(self, t: float) -> float:
        p = self.p
        if not p.kind.startswith("nuisance-"):
            return 0.0
        if p.nz_from_start:
            return 1.0
        return float(np.clip((t - p.onset_s) / 0.15, 0.0, 1.0))

    @staticmethod
    def _local(x, z, apex, tilt):
        c, s = math.cos(tilt), math.sin(tilt)
        dx, dz = x - apex[0], z - apex[1]
        u = dx * s + dz * c       # along the long axis (down, towards the base)
        v = dx * c - dz * s       # across (+ lateral / right)
        return u, v

    @staticmethod
    def _global(u, v, apex, tilt):
        c, s = math.cos(tilt), math.sin(tilt)
        return apex[0] + u * s + v * c, apex[1] + u * c - v * s

    @staticmethod
    def _halfwidth(s, W):
        c = 0.6
        a = np.where(s < c, W * np.sqrt(np.clip(1 - ((s - c) / c) ** 2, 0, 1)),
                     W * (1 - 0.28 * ((s - c) / (1 - c)) ** 2))
        return np.where((s >= 0) & (s <= 1.0), a, 0.0)

    def _chamber_map(self, x, z, apex, tilt, L, Wd, th, f, kfun, ls):
        """Inverse deformation for one ventricle: returns reference (u, v) and local current u, v."""
        u, v = self._local(x, z, apex, tilt)
        Lt = L * (1 - ls * f)
        u_ref = np.where(u <= Lt, u * L / Lt, u + (L - Lt) * np.exp(-(u - Lt) / 3.0))
        s = np.clip(u_ref / L, 0, 1)
        k = kfun(s, np.sign(v))
        e_ed = self._halfwidth(s, Wd)
        e_t = e_ed * (1 - k * f)
        p_ed = e_ed + th
        th_t = np.sqrt(np.maximum(e_t ** 2 + p_ed ** 2 - e_ed ** 2, 1e-6)) - e_t
        p_t = e_t + th_t
        av = np.abs(v)
        v_ref = np.where(av < e_t, av * e_ed / np.maximum(e_t, 1e-3),
                         np.where(av < p_t, e_ed + (av - e_t) * th / np.maximum(th_t, 1e-3),
                                  av + (p_ed - p_t) * np.exp(-(av - p_t) / 1.0)))
        return u_ref, np.sign(v) * v_ref, u, v

    def _echogenicity_and_material(self, t: float):
        p = self.p
        f, kseg, systole = self.state(t)
        drift = (p.drift_cm[0] * math.sin(2 * math.pi * t / 4.3), p.drift_cm[1] * math.sin(2 * math.pi * t / 5.1 + 1.0))
        x = self.px - drift[0]
        z = self.pz - drift[1]
        if p.kind == "nuisance-shift":
            w = self._nuisance_on(t)
            x = x - w * p.nz_shift_px[0] * self.cm_per_px
            z = z - w * p.nz_shift_px[1] * self.cm_per_px
        kseg = np.asarray(kseg)

        def k_lv(s, side):
            lvl = np.clip(s * 3 - 0.5, 0, 2)                     # 0 apical .. 2 basal, smooth
            lo = np.floor(lvl).astype(int)
            hi = np.minimum(lo + 1, 2)
            a = lvl - lo
            sep = np.where(side < 0, 0, 1)
            return (1 - a) * kseg[sep * 3 + lo] + a * kseg[sep * 3 + hi]

        k_rv = lambda s, side: np.full_like(s, 0.22)
        uL, vL, uLc, vLc = self._chamber_map(x, z, p.lv_apex, p.lv_tilt, p.lv_len, p.lv_halfw, p.wall_th, f, k_lv, p.long_short)
        xL, zL = self._global(uL, vL, p.lv_apex, p.lv_tilt)
        uR, vR, _, _ = self._chamber_map(x, z, self.rv_apex, self.rv_tilt, self.rv_len, self.rv_halfw, 0.45, f, k_rv, p.long_short)
        xR, zR = self._global(uR, vR, self.rv_apex, self.rv_tilt)
        # blend the two displacement fields by proximity to each chamber
        dL = np.hypot(x - (p.lv_apex[0]), z - (p.lv_apex[1] + p.lv_len / 2))
        dR = np.hypot(x - self.rv_apex[0], z - (self.rv_apex[1] + self.rv_len / 2))
        wL = 1.0 / (1.0 + np.exp((dL - dR) / 0.6))
        xm = wL * xL + (1 - wL) * xR
        zm = wL * zL + (1 - wL) * zR
        # tissue class in the reference configuration
        uLr, vLr = self._local(xm, zm, p.lv_apex, p.lv_tilt)
        uRr, vRr = self._local(xm, zm, self.rv_apex, self.rv_tilt)
        sL, sR = uLr / p.lv_len, uRr / self.rv_len
        eL, eR = self._halfwidth(sL, p.lv_halfw), self._halfwidth(sR, self.rv_halfw)
        lv_cav = (np.abs(vLr) < eL)
        rv_cav = (np.abs(vRr) < eR)
        lv_myo = ((np.abs(vLr) < eL + p.wall_th) & (sL <= 1.0) & (sL >= 0)) | (np.hypot(uLr, vLr) < p.wall_th * 1.1)
        rv_myo = ((np.abs(vRr) < eR + 0.45) & (sR <= 1.0) & (sR >= 0)) | (np.hypot(uRr, vRr) < 0.5)
        # atria: ellipses beyond the bases (moving with the base through the material map)
        la = ((uLr - p.lv_len - 2.0) / 2.1) ** 2 + ((vLr + 0.1) / 1.9) ** 2 < 1.0
        ra = ((uRr - self.rv_len - 2.3) / 2.0) ** 2 + (vRr / 1.6) ** 2 < 1.0
        la_wall = ((uLr - p.lv_len - 2.0) / 2.4) ** 2 + ((vLr + 0.1) / 2.2) ** 2 < 1.0
        ra_wall = ((uRr - self.rv_len - 2.3) / 2.3) ** 2 + (vRr / 1.9) ** 2 < 1.0
        ix = np.clip(((xm - self.m_x0) / self.cfg.material_res_cm).astype(int), 0, self.m_nx - 1)
        iz = np.clip(((zm - self.m_z0) / self.cfg.material_res_cm).astype(int), 0, self.m_nz - 1)
        echo = self.bg[iz, ix].copy()
        peri = (lv_myo | rv_myo | la_wall | ra_wall)
        echo[peri] = p.myo_echo * self.myo_tex[iz, ix][peri]
        cav = lv_cav | rv_cav | la | ra
        echo[cav] = 0.0006
        # pericardial rim: bright band just outside the LV lateral wall and apex
        rim = (~peri) & (np.abs(vLr) < eL + p.wall_th + 0.35) & (vLr > 0) & (sL > 0.05) & (sL < 1.0)
        echo[rim] = 2.2
        # mitral leaflets: closed across the annulus in systole, open along the walls in diastole
        eb = self._halfwidth(np.array(0.999), p.lv_halfw) * 0.78
        if systole:
            mv = (np.abs(uLr - p.lv_len - 0.05) < 0.12) & (np.abs(vLr) < eb)
        else:
            mv = (np.abs(np.abs(vLr) - eb + 0.15) < 0.12) & (uLr > p.lv_len - 1.4) & (uLr < p.lv_len + 0.1)
        echo[mv] = 1.8
        return echo, iz, ix

    def render_polar(self, t: float) -> np.ndarray:
        """Envelope in dB on the polar grid at time t (speckle state must be current)."""
        p = self.p
        echo, iz, ix = self._echogenicity_and_material(t)
        amp = np.sqrt(echo)
        if self.cfg.variant:
            amp = amp * self.tex[iz, ix]
        re = amp * self.z_re[iz, ix]
        im = amp * self.z_im[iz, ix]
        re = _conv1d(_conv1d(re, self.k_ax, 1), self.k_lat, 0)
        im = _conv1d(_conv1d(im, self.k_ax, 1), self.k_lat, 0)
        env = np.sqrt(re ** 2 + im ** 2)
        rs = np.random.default_rng(self.noise_seed + int(t * 1000))
        noise = p.noise_amp * np.abs(rs.standard_normal(env.shape) + 1j * rs.standard_normal(env.shape))
        db = 20 * np.log10(env + noise + 1e-6)
        depth = self.rg[None, :]
        db = db + p.gain_db + p.tgc_slope * depth
        if p.tgc_curve[0]:
            db = db + p.tgc_curve[0] * np.sin(2 * np.pi * depth / p.tgc_curve[1])
        w = self._nuisance_on(t)
        if p.nz_gain_db:
            db = db + w * p.nz_gain_db
        if p.nz_atten_db_cm:
            db = db - w * p.nz_atten_db_cm * depth
        if p.nz_shadow:
            ac, ahw, d0, loss = p.nz_shadow
            beam = np.clip(1 - np.abs(self.th[:, None] - ac) / ahw, 0, 1) ** 0.5
            db = db - w * loss * beam * (depth > d0)
        return db

    def render(self, indices=None) -> np.ndarray:
        """Display frames uint8 [F, H, W] for the given source frame indices (default all)."""
        p, cfg = self.p, self.cfg
        if indices is None:
            indices = range(p.n_frames)
        indices = list(indices)
        want = set(indices)
        out = {}
        rho = (p.speckle_decorr if p.speckle_decorr >= 0 else cfg.speckle_decorr) * math.sqrt(30.0 / p.fps)
        keep = math.sqrt(1 - rho ** 2)
        rs = _rng(p.seed, p.kind, "speckle" + p.speckle_salt)
        ref_db = None
        for i in range(max(indices) + 1):
            if i > 0:   # AR(1) speckle decorrelation, every source frame, rendered or not
                self.z_re = keep * self.z_re + rho * rs.standard_normal(self.z_re.shape, dtype=np.float32)
                self.z_im = keep * self.z_im + rho * rs.standard_normal(self.z_im.shape, dtype=np.float32)
            if i in want:
                t = i / p.fps
                db = self.render_polar(t)
                if ref_db is None:
                    ref_db = 20 * math.log10(1.6)        # reference: typical myocardium level
                lo = ref_db + 6.0 - p.dyn_range_db
                disp = np.clip((db - lo) / p.dyn_range_db * 255.0, 1.0, 255.0)
                out[i] = self._compose(disp, t)
        return np.stack([out[i] for i in indices])

    def _compose(self, polar_disp: np.ndarray, t: float) -> np.ndarray:
        p, cfg = self.p, self.cfg
        (b0, r0), (wr, wb) = self.sc_i, self.sc_w
        v = ((1 - wb) * ((1 - wr) * polar_disp[b0, r0] + wr * polar_disp[b0, r0 + 1])
             + wb * ((1 - wr) * polar_disp[b0 + 1, r0] + wr * polar_disp[b0 + 1, r0 + 1]))
        img = np.zeros(p.height * p.width, np.uint8)
        img[self.sc_idx] = np.clip(np.floor(v + 0.5), 1, 255).astype(np.uint8)
        img = img.reshape(p.height, p.width)
        if cfg.variant:
            return self._overlay_variant(img, t)
        # burned-in text above the sector, ECG trace below it (both outside the tissue region)
        draw_text(img, f"SYNTH ECHO {p.seed:06d}", 4, 4)
        draw_text(img, f"HR {int(p.hr_bpm)} {p.fps:.0f}HZ", 4, 16)
        draw_text(img, f"T {t:5.2f}", p.width - 48, 4)
        y_base = p.height - cfg.bottom_band // 2
        span = 3.0
        ts = t - span + np.arange(p.width - 8) * (span / (p.width - 8))
        e = ecg_wave(ts, np.asarray(p.beat_times), p.kind == "arrhythmia-af")
        ys = np.clip((y_base - 14 * e).astype(int), p.height - cfg.bottom_band + 2, p.height - 2)
        xs = 4 + np.arange(len(ts))
        img[ys, xs] = 220
        img[np.clip(ys + 1, 0, p.height - 1), xs] = 150
        img[p.height - cfg.bottom_band + 2:p.height - 2, p.width - 5] = 255   # sweep cursor
        return img


    def _overlay_variant(self, img: np.ndarray, t: float) -> np.ndarray:
        """Variant overlays: doubled text inside the region rectangle's empty corners and a thick sweeping
        (not scrolling) ECG trace below the sector."""
        p, cfg = self.p, self.cfg
        x0, y0, x1, y1 = self.region
        big = np.zeros((9, 6 * 9), np.uint8)
        draw_text(big, f"VX {p.hr_bpm:.0f}", 0, 1, 230)
        big = np.kron(big, np.ones((2, 2), np.uint8))
        h, w = big.shape
        for (yy, xx) in ((y0 + 2, x0 + 2), (y0 + 2, max(x0, x1 - w - 1))):
            sub = img[yy:yy + h, xx:xx + w]
            sub[big[:sub.shape[0], :sub.shape[1]] > 0] = 230
        draw_text(img, f"{t:4.1f}S", x0 + 2, y0 + 26, 180)
        span = 2.5
        xs = np.arange(4, p.width - 4)
        ts = (xs - 4) * (span / (p.width - 8))
        now = t % span
        ts = np.where(ts <= now, t - now + ts, t - now - span + ts)   # sweep: new on the left of the cursor
        e = ecg_wave(ts, np.asarray(p.beat_times), p.kind == "arrhythmia-af")
        y_base = p.height - cfg.bottom_band // 2 + 4
        ys = np.clip((y_base - 11 * e).astype(int), p.height - cfg.bottom_band + 1, p.height - 3)
        for dy in (0, 1, 2):
            img[np.clip(ys + dy, 0, p.height - 1), xs] = 200
        cur = 4 + int(now / span * (p.width - 8))
        img[p.height - cfg.bottom_band + 1:p.height - 1, cur:cur + 3] = 0
        return img


def simulate(seed: int, kind: str, indices=None, cfg: SimConfig = SimConfig()):
    """Convenience: (params, simulator, frames uint8 [F, H, W])."""
    p = make_params(seed, kind, cfg)
    sim = EchoSimulator(p, cfg)
    return p, sim, sim.render(indices)
