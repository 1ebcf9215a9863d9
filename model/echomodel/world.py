"""
Model 0.3 networks: a tubelet encoder and a phase-conditioned latent predictor (the "world model").

- Encoder: one tubelet (2 frames at 24 fps = 1/12 s) of prep-2 frames + the fan mask -> a 12 x 12 grid of
  D-dim tokens (8 px per token at 96 px: a wall moving 5-10 px per half beat crosses a token).
- Predictor: the tokens of a context of at most 2 tubelets (1/6 s, always shorter than a beat) ending at phase
  phi0, and the action (phi0, phi1, delta in beats, RR) -> the tokens at phi1 = phi0 + delta. It has no input
  from any earlier moment of the same heart, so the answer must come from what normal hearts do.
  The same network asked for delta = 1 with the previous beat's RR is the beat-to-beat head.
- Spatial head (optional, `spatial_width` > 0): the tokens of one tubelet whose pixels in a segment-sized block
  (4 x 4 tokens, 32 px) were hidden before encoding, the hidden-token map and the tubelet's phase and RR -> the
  hidden tokens. Its answer comes from the rest of the wall at the same instant and from what normal walls do
  (a wall that moves less than its neighbours is surprising there), never from the heart's past.
- Collapse control: SIGReg (Epps-Pulley on random 1-D projections, no EMA) or EMA target + VICReg.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

GRID = 12
LN_EPS = 1e-6


@dataclass
class WorldConfig:
    dim: int = 96            # token width D
    enc_width: int = 64
    pred_width: int = 128
    pred_blocks: int = 5
    context: int = 2         # tubelets of context (max)
    cond_dim: int = 6        # sin/cos phi0, sin/cos phi1, delta, RR - 0.8
    recon_px: int = 48       # side of the speckle-twin reconstruction target (0: no decoder)
    spatial_width: int = 0   # width of the spatial (masked-block) head; 0: no spatial head (tries 1-4)
    spatial_blocks: int = 4


def ln(x: torch.Tensor) -> torch.Tensor:
    """Layer norm over the token dimension (dim 1 of [B, D, H, W]) without parameters."""
    mu = x.mean(dim=1, keepdim=True)
    var = x.var(dim=1, keepdim=True, unbiased=False)
    return (x - mu) / torch.sqrt(var + LN_EPS)


class Res(nn.Module):
    def __init__(self, c: int, cond: int = 0, dil: int = 1):
        super().__init__()
        self.n1, self.c1 = nn.GroupNorm(8, c), nn.Conv2d(c, c, 3, padding=dil, dilation=dil)
        self.n2, self.c2 = nn.GroupNorm(8, c), nn.Conv2d(c, c, 3, padding=1)
        self.film = nn.Linear(cond, 2 * c) if cond else None
        if self.film is not None:
            nn.init.zeros_(self.film.weight), nn.init.zeros_(self.film.bias)

    def forward(self, x, c=None):
        h = self.c1(F.gelu(self.n1(x)))
        h = self.n2(h)
        if self.film is not None:
            g, b = self.film(c).chunk(2, dim=1)
            h = h * (1 + g[:, :, None, None]) + b[:, :, None, None]
        return x + self.c2(F.gelu(h))


class Encoder(nn.Module):
    """[B, 2, 96, 96] tubelet + [B, 1, 96, 96] mask -> [B, D, 12, 12]."""

    def __init__(self, cfg: WorldConfig):
        super().__init__()
        w = cfg.enc_width
        self.stem = nn.Sequential(
            nn.Conv2d(3, w // 2, 5, stride=2, padding=2), nn.GELU(),
            nn.Conv2d(w // 2, w, 3, stride=2, padding=1), nn.GroupNorm(8, w), nn.GELU(),
            nn.Conv2d(w, w, 3, stride=2, padding=1))
        self.pos = nn.Parameter(torch.zeros(1, w, GRID, GRID))
        self.blocks = nn.ModuleList([Res(w), Res(w, dil=2), Res(w)])
        self.out = nn.Sequential(nn.GroupNorm(8, w), nn.Conv2d(w, cfg.dim, 1))

    def forward(self, x, mask):
        h = self.stem(torch.cat([x, mask], dim=1)) + self.pos
        for b in self.blocks:
            h = b(h)
        return self.out(h)


class PixelTokens(nn.Module):
    """Gate M5's pixel "encoder": no parameters, each token is its 8 x 8 x 2 pixels (space-to-depth), so the
    same predictor and the same scoring run on pixels instead of learned latents."""
    dim = 2 * (96 // GRID) ** 2

    def forward(self, x, mask):
        return F.pixel_unshuffle(x * mask, 96 // GRID)


class TwinDecoder(nn.Module):
    """Training-only head: tokens [B, D, 12, 12] -> the speckle-redrawn, nuisance-free twin tubelet [B, 2, S, S].
    The twin's speckle is independent of the input's, so the best the tokens can do is carry the tissue itself
    (where the walls are), never the input's speckle or gain (the Noise2Noise argument). Not exported."""

    def __init__(self, cfg: WorldConfig):
        super().__init__()
        up = cfg.recon_px // GRID
        assert up in (2, 4, 8) and cfg.recon_px % GRID == 0, f"recon_px {cfg.recon_px} must be 12 x 2, 4 or 8"
        w = 32
        layers = [nn.Conv2d(cfg.dim, w * 4, 1), nn.GELU()]
        while up > 1:
            layers += [nn.PixelShuffle(2), nn.Conv2d(w, w * 4 if up > 2 else w, 3, padding=1), nn.GELU()]
            up //= 2
        layers += [nn.Conv2d(w, 2, 3, padding=1)]
        self.net = nn.Sequential(*layers)

    def forward(self, z):
        return self.net(z)


def action(phi0, phi1, delta, rr):
    tau = 2 * math.pi
    return torch.stack([torch.sin(tau * phi0), torch.cos(tau * phi0), torch.sin(tau * phi1), torch.cos(tau * phi1),
                        delta, rr - 0.8], dim=1)


SPATIAL_BLOCK = 4            # hidden block side in tokens (32 px at 96 px)


def hide_block(x, mask, r0, c0, k: int = 96 // GRID):
    """Pixels [B, 2, 96, 96] and fan mask [B, 1, 96, 96] with the block of SPATIAL_BLOCK tokens at token
    (r0[b], c0[b]) blanked (image 0, mask 0), and the hidden-token map [B, 1, 12, 12]. Hidden in pixel space:
    every token of the encoder sees the whole image (receptive field 129 px), so hiding tokens would leak."""
    B = x.shape[0]
    rows = torch.arange(GRID)[None, :]
    hr = (rows >= r0[:, None]) & (rows < r0[:, None] + SPATIAL_BLOCK)
    hc = (rows >= c0[:, None]) & (rows < c0[:, None] + SPATIAL_BLOCK)
    hidden = (hr[:, :, None] & hc[:, None, :]).float()[:, None]              # [B, 1, 12, 12]
    keep = 1.0 - F.interpolate(hidden, scale_factor=k, mode="nearest")
    return x * keep, mask * keep, hidden


def spatial_cond(phase, rr):
    """The spatial head's conditioning: the tubelet's own phase and RR (sin, cos, RR - 0.8) [B, 3]; the same
    columns as action()'s phi1 and RR, so a training pair's action gives them for its target tubelet."""
    tau = 2 * math.pi
    return torch.stack([torch.sin(tau * phase), torch.cos(tau * phase), rr - 0.8], dim=1)


class SpatialHead(nn.Module):
    """tokens [B, D, 12, 12] of a tubelet encoded with a block hidden, the hidden map [B, 1, 12, 12] and
    spatial_cond [B, 3] -> predicted tokens [B, D, 12, 12] (used on the hidden ones)."""

    def __init__(self, cfg: WorldConfig, in_dim: int | None = None):
        super().__init__()
        d = in_dim or cfg.dim
        w = cfg.spatial_width
        self.inp = nn.Conv2d(d + 1, w, 1)
        self.pos = nn.Parameter(torch.zeros(1, w, GRID, GRID))
        self.cond = nn.Sequential(nn.Linear(3, 64), nn.GELU(), nn.Linear(64, 64))
        dils = [1, 2, 3, 1, 2, 1][:cfg.spatial_blocks]
        self.blocks = nn.ModuleList([Res(w, cond=64, dil=dl) for dl in dils])
        self.out = nn.Sequential(nn.GroupNorm(8, w), nn.Conv2d(w, d, 1))

    def forward(self, z, hidden, cond):
        """cond: spatial_cond(phase, rr) of the tubelet [B, 3]."""
        c = self.cond(cond)
        h = self.inp(torch.cat([z * (1 - hidden), hidden], dim=1)) + self.pos
        for b in self.blocks:
            h = b(h, c)
        return self.out(h)


class Predictor(nn.Module):
    """context tokens [B, C, D, 12, 12] (+ which slots are present) and action [B, 6] -> [B, D, 12, 12]."""

    def __init__(self, cfg: WorldConfig, in_dim: int | None = None):
        super().__init__()
        d = in_dim or cfg.dim
        w = cfg.pred_width
        self.cfg = cfg
        self.inp = nn.Conv2d(cfg.context * d + cfg.context, w, 1)
        self.pos = nn.Parameter(torch.zeros(1, w, GRID, GRID))
        self.cond = nn.Sequential(nn.Linear(cfg.cond_dim, 64), nn.GELU(), nn.Linear(64, 64))
        dils = [1, 2, 1, 3, 1, 2, 1][:cfg.pred_blocks]
        self.blocks = nn.ModuleList([Res(w, cond=64, dil=dl) for dl in dils])
        self.out = nn.Sequential(nn.GroupNorm(8, w), nn.Conv2d(w, d, 1))
        # The spatial head lives here so that it is saved and loaded with the predictor.
        self.spatial = SpatialHead(cfg, in_dim) if cfg.spatial_width else None

    def forward(self, ctx, present, act):
        B, C, D, H, W = ctx.shape
        ctx = ctx * present[:, :, None, None, None]
        flags = present[:, :, None, None].expand(B, C, H, W)
        h = self.inp(torch.cat([ctx.reshape(B, C * D, H, W), flags], dim=1)) + self.pos
        c = self.cond(act)
        for b in self.blocks:
            h = b(h, c)
        return self.out(h)


def sigreg(z: torch.Tensor, n_proj: int = 256, n_t: int = 17, gen: torch.Generator | None = None) -> torch.Tensor:
    """Epps-Pulley statistic of random 1-D projections of z [N, D] against N(0, 1) (LeJEPA's SIGReg)."""
    N, D = z.shape
    a = torch.randn(D, n_proj, generator=gen, device=z.device)
    a = a / a.norm(dim=0, keepdim=True)
    p = z @ a                                                   # [N, P]
    t = torch.linspace(-3, 3, n_t, device=z.device)
    w = torch.exp(-t ** 2 / 2)
    pt = p[:, :, None] * t[None, None, :]                       # [N, P, T]
    ecf_re, ecf_im = torch.cos(pt).mean(0), torch.sin(pt).mean(0)
    target = torch.exp(-t ** 2 / 2)
    err = (ecf_re - target) ** 2 + ecf_im ** 2
    return (err * w).mean() * N ** 0.5 / 10.0


def vicreg_terms(z: torch.Tensor):
    """Variance hinge and off-diagonal covariance of z [N, D]."""
    z = z - z.mean(0)
    std = torch.sqrt(z.var(0) + 1e-4)
    var = F.relu(1 - std).mean()
    cov = (z.T @ z) / (len(z) - 1)
    off = cov - torch.diag(torch.diag(cov))
    return var, (off ** 2).sum() / z.shape[1]


def config_dict(cfg: WorldConfig):
    return asdict(cfg)
