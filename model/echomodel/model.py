"""
EchoJEPA-style video encoder and next-clip latent predictor (V-JEPA 2 family), plain PyTorch.

Encoder: clip (B, 1, T, H, W) in [0, 1] -> tokens (B, N, D), N = (T/tt)(H/P)(W/P), time-row-column order.
  Inside the graph: sector mask (pixel > 0 anywhere in the clip), per-frame-per-row mean removal over the
  sector (kills gain and depth-attenuation offsets of log-compressed echo), per-clip scale, a
  temporal-difference channel (motion-sensitive input), 2xPxP tubelets, fixed 3D sin-cos positions,
  pre-norm ViT blocks, final LayerNorm. No CLS token.
Predictor: context tokens + int64 flat positions t*(Hg*Wg)+row*Wg+col, target positions (may lie on future
  time slots) and condition [rr_s] -> predicted target tokens. Mask tokens at the targets carry the target
  position and its cardiac phase (2*pi*time/RR, time from the slot index and the clip fps); context tokens
  carry theirs. Phase is relative to the context clip's first frame, so no absolute phase is needed.

Only ops that export to ONNX opset 17 and run on ONNX Runtime CPU: MatMul, Softmax, LayerNormalization,
Gather, Reshape/Transpose, Sin/Cos, Erf (GELU), ReduceMax/Mean.
"""
from __future__ import annotations

import os

# Must precede the first torch import: torch runs its own 2 OpenMP threads and calls OpenBLAS inside them;
# a threaded OpenBLAS on top made batched matmuls (attention) 12x slower on the 2-core machines.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Under CPU contention (shared 2-core machines) spinning OpenMP workers burned 6x the CPU per step.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import math
from dataclasses import dataclass, field, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class EncoderConfig:
    frames: int = 16            # T
    size: int = 64              # H = W
    tubelet: int = 4            # tt (4 frames = 0.33 s at 12 fps; 2 doubles N and ~3x the CPU cost)
    patch: int = 8              # P
    dim: int = 96               # D
    depth: int = 4
    heads: int = 2
    mlp_ratio: float = 4.0
    norm_mode: str = "row"      # "row": per frame-row mean removal; "frame": per-frame mean removal
    diff_channel: bool = True   # add x_t - x_{t-1} as a second input channel

    @property
    def grid(self):
        return (self.frames // self.tubelet, self.size // self.patch, self.size // self.patch)

    @property
    def num_tokens(self):
        tg, hg, wg = self.grid
        return tg * hg * wg


@dataclass
class PredictorConfig:
    dim: int = 64               # predictor width
    depth: int = 3
    heads: int = 2
    mlp_ratio: float = 4.0
    max_time_slots: int = 16    # positions may address time slots 0..max_time_slots-1 (4 clips)
    fps: float = 12.0           # clip frame rate: time of slot t = (t*tt + (tt-1)/2) / fps
    use_phase: bool = True      # phase features from condition rr_s
    condition: tuple = ("rr_s",)
    out_dim: int = 0            # 0: encoder dim (latent prediction); else e.g. tt*P*P for the pixel baseline
    aligned_copy: bool = True   # add a phase-aligned copy path (same location, nearest cardiac phase); latent only


def size_factory(name: str) -> tuple[EncoderConfig, PredictorConfig]:
    """Named sizes. 'tiny' is the CPU default; 'micro' for tests; the others for GPUs."""
    table = {
        "micro": (EncoderConfig(frames=8, size=32, tubelet=2, dim=32, depth=1, heads=2), PredictorConfig(dim=32, depth=1, heads=2)),
        "tiny": (EncoderConfig(), PredictorConfig()),
        "small": (EncoderConfig(size=112, tubelet=2, dim=192, depth=8, heads=3), PredictorConfig(dim=96, depth=4, heads=3, max_time_slots=32)),
        "base": (EncoderConfig(size=224, tubelet=2, patch=16, dim=384, depth=12, heads=6), PredictorConfig(dim=192, depth=6, heads=6, max_time_slots=32)),
        "large": (EncoderConfig(size=224, tubelet=2, patch=16, dim=1024, depth=24, heads=16), PredictorConfig(dim=384, depth=12, heads=12, max_time_slots=32)),
    }
    assert name in table, f"unknown size {name!r}; known: {list(table)}"
    e, p = table[name]
    return EncoderConfig(**asdict(e)), PredictorConfig(**asdict(p))


def sincos_1d(pos: torch.Tensor, dim: int) -> torch.Tensor:
    """pos (...,) float -> (..., dim) [sin | cos] with geometric frequencies."""
    assert dim % 2 == 0, f"sin-cos width must be even, got {dim}"
    omega = 1.0 / (10000 ** (torch.arange(dim // 2, dtype=torch.float32) / (dim / 2)))
    ang = pos[..., None].float() * omega
    return torch.cat([ang.sin(), ang.cos()], dim=-1)


def sincos_3d_table(t_slots: int, hg: int, wg: int, dim: int) -> torch.Tensor:
    """(t_slots*hg*wg, dim) table in time-row-column order; dim split 1/4 time, 3/8 row, 3/8 col (even parts)."""
    dt = 2 * (dim // 8)
    dh = 2 * ((dim - dt) // 4)
    dw = dim - dt - dh
    t, r, c = torch.meshgrid(torch.arange(t_slots), torch.arange(hg), torch.arange(wg), indexing="ij")
    emb = torch.cat([sincos_1d(t.reshape(-1), dt), sincos_1d(r.reshape(-1), dh), sincos_1d(c.reshape(-1), dw)], dim=-1)
    return emb  # (T*H*W, dim)


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        assert dim % heads == 0, f"dim {dim} not divisible by heads {heads}"
        self.heads, self.hd = heads, dim // heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):                                                   # (B, N, C)
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.heads, self.hd).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]                                    # (B, h, N, hd)
        att = (q @ k.transpose(-2, -1)) * (self.hd ** -0.5)                 # (B, h, N, N)
        y = att.softmax(dim=-1) @ v                                         # (B, h, N, hd)
        return self.proj(y.transpose(1, 2).reshape(B, N, C))


class Block(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_ratio: float):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        h = int(dim * mlp_ratio)
        self.mlp = nn.Sequential(nn.Linear(dim, h), nn.GELU(), nn.Linear(h, dim))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


def normalize_clip(x: torch.Tensor, mode: str = "row", eps: float = 1e-3) -> torch.Tensor:
    """(B, 1, T, H, W) in [0,1], zeros outside the sector -> zero-mean, unit-scale inside the sector."""
    mask = (x.amax(dim=2, keepdim=True) > 0).to(x.dtype)                    # (B, 1, 1, H, W)
    xm = x * mask
    if mode == "row":
        cnt = mask.sum(dim=-1, keepdim=True).clamp(min=1.0)                 # (B, 1, 1, H, 1)
        mean = xm.sum(dim=-1, keepdim=True) / cnt                           # (B, 1, T, H, 1)
    else:
        cnt = mask.sum(dim=(-2, -1), keepdim=True).clamp(min=1.0)           # (B, 1, 1, 1, 1)
        mean = xm.sum(dim=(-2, -1), keepdim=True) / cnt                     # (B, 1, T, 1, 1)
    xc = (x - mean) * mask
    n = mask.sum(dim=(2, 3, 4), keepdim=True).clamp(min=1.0) * x.shape[2]
    std = torch.sqrt((xc * xc).sum(dim=(2, 3, 4), keepdim=True) / n + eps * eps)
    return xc / std                                                         # (B, 1, T, H, W)


class Encoder(nn.Module):
    def __init__(self, cfg: EncoderConfig):
        super().__init__()
        self.cfg = cfg
        tg, hg, wg = cfg.grid
        assert cfg.frames % cfg.tubelet == 0 and cfg.size % cfg.patch == 0, f"bad tubelet/patch for {cfg}"
        self.in_ch = 2 if cfg.diff_channel else 1
        self.patch_embed = nn.Linear(self.in_ch * cfg.tubelet * cfg.patch * cfg.patch, cfg.dim)
        self.register_buffer("pos", sincos_3d_table(tg, hg, wg, cfg.dim), persistent=False)
        self.blocks = nn.ModuleList([Block(cfg.dim, cfg.heads, cfg.mlp_ratio) for _ in range(cfg.depth)])
        self.norm = nn.LayerNorm(cfg.dim)
        self.apply(_init)

    def patchify(self, x):                                                  # (B, C, T, H, W)
        c, (tg, hg, wg), tt, p = x.shape[1], self.cfg.grid, self.cfg.tubelet, self.cfg.patch
        x = x.reshape(-1, c, tg, tt, hg, p, wg, p).permute(0, 2, 4, 6, 1, 3, 5, 7)
        return x.reshape(-1, tg * hg * wg, c * tt * p * p)                  # (B, N, C*tt*P*P)

    def inputs(self, clip):
        x = normalize_clip(clip, self.cfg.norm_mode)                        # (B, 1, T, H, W)
        if self.cfg.diff_channel:
            d = x[:, :, 1:] - x[:, :, :-1]
            d = torch.cat([torch.zeros_like(x[:, :, :1]), d], dim=2)
            x = torch.cat([x, d], dim=1)                                    # (B, 2, T, H, W)
        return x

    def forward(self, clip, keep: torch.Tensor | None = None):
        """clip (B, 1, T, H, W); keep: optional (Nk,) token indices to encode (training masks)."""
        x = self.patch_embed(self.patchify(self.inputs(clip))) + self.pos   # (B, N, D)
        if keep is not None:
            x = x[:, keep]                                                  # (B, Nk, D)
        for blk in self.blocks:
            x = blk(x)
        return self.norm(x)


class Predictor(nn.Module):
    def __init__(self, pcfg: PredictorConfig, ecfg: EncoderConfig):
        super().__init__()
        self.cfg, self.ecfg = pcfg, ecfg
        tg, hg, wg = ecfg.grid
        self.hw = hg * wg
        self.embed = nn.Linear(ecfg.dim, pcfg.dim)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, pcfg.dim))
        self.register_buffer("pos", sincos_3d_table(pcfg.max_time_slots, hg, wg, pcfg.dim), persistent=False)
        self.n_cond = len(pcfg.condition)
        self.phase = nn.Linear(6, pcfg.dim) if pcfg.use_phase else None
        self.cond = nn.Linear(self.n_cond, pcfg.dim) if self.n_cond else None
        self.blocks = nn.ModuleList([Block(pcfg.dim, pcfg.heads, pcfg.mlp_ratio) for _ in range(pcfg.depth)])
        self.norm = nn.LayerNorm(pcfg.dim)
        self.proj = nn.Linear(pcfg.dim, pcfg.out_dim or ecfg.dim)
        self.apply(_init)
        nn.init.normal_(self.mask_token, std=0.02)
        self.aligned = pcfg.aligned_copy and not pcfg.out_dim and pcfg.use_phase
        if self.aligned:
            self.kappa = nn.Parameter(torch.tensor(3.0))                    # sharpness of the phase match
            self.gate = nn.Parameter(torch.tensor(1.0))                     # weight of the aligned copy

    def aligned_copy(self, context_tokens, context_positions, target_positions, condition):
        """For each target: softmax(kappa*cos(phase_t - phase_c)) over context tokens at the same (row, col),
        times those tokens -> (B, Nt, D). A normal periodic heart is predicted by its own same-phase past;
        the transformer learns the residual (population dynamics, rhythm)."""
        ph_c = self.phase_of(context_positions, condition)                  # (B, Nc)
        ph_t = self.phase_of(target_positions, condition)                   # (B, Nt)
        same = torch.remainder(target_positions, self.hw)[:, :, None] == torch.remainder(context_positions, self.hw)[:, None, :]
        logits = self.kappa * torch.cos(ph_t[:, :, None] - ph_c[:, None, :])  # (B, Nt, Nc)
        logits = torch.where(same, logits, torch.full_like(logits, -1e4))
        return logits.softmax(dim=-1) @ context_tokens                      # (B, Nt, D)

    def phase_of(self, positions, condition):
        """positions (B, N) int64, condition (B, K) -> cardiac phase (B, N) in radians, relative to the clip start."""
        t_slot = torch.div(positions, self.hw, rounding_mode="floor").to(torch.float32)
        tt = self.ecfg.tubelet
        time_s = (t_slot * tt + (tt - 1) * 0.5) / self.cfg.fps              # (B, N)
        rr = condition[:, 0:1].clamp(min=0.25)                              # (B, 1)
        return 2 * math.pi * time_s / rr

    def position_features(self, positions, condition):
        """positions (B, N) int64, condition (B, K) -> (B, N, Dp)."""
        f = self.pos[positions]                                             # (B, N, Dp)
        if self.phase is not None:
            ph = self.phase_of(positions, condition)                        # (B, N)
            feats = torch.stack([ph.cos(), ph.sin(), (2 * ph).cos(), (2 * ph).sin(), (3 * ph).cos(), (3 * ph).sin()], dim=-1)
            f = f + self.phase(feats)
        if self.cond is not None:
            f = f + self.cond(condition - 0.8)[:, None, :]                  # (B, 1, Dp) broadcast
        return f

    def forward(self, context_tokens, context_positions, target_positions, condition):
        """(B, Nc, D), (B, Nc) int64, (B, Nt) int64, (B, K) -> (B, Nt, D_out)."""
        nc = context_tokens.shape[1]
        ctx = self.embed(context_tokens) + self.position_features(context_positions, condition)  # (B, Nc, Dp)
        tgt = self.mask_token + self.position_features(target_positions, condition)             # (B, Nt, Dp)
        x = torch.cat([ctx, tgt], dim=1)                                    # (B, Nc+Nt, Dp)
        for blk in self.blocks:
            x = blk(x)
        out = self.proj(self.norm(x[:, nc:]))                               # (B, Nt, D)
        if self.aligned:
            out = out + self.gate * self.aligned_copy(context_tokens, context_positions, target_positions, condition)
        return out


def _init(m):
    if isinstance(m, nn.Linear):
        nn.init.trunc_normal_(m.weight, std=0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, nn.LayerNorm):
        nn.init.ones_(m.weight)
        nn.init.zeros_(m.bias)


# ---- the quantities the Java services reproduce (docs/onnx-contract.md) ----
LN_EPS = 1e-5


def ln(x: torch.Tensor) -> torch.Tensor:
    """Layer norm over the last axis without affine parameters, eps LN_EPS (biased variance)."""
    return F.layer_norm(x, x.shape[-1:], eps=LN_EPS)


def token_surprise(pred: torch.Tensor, obs: torch.Tensor) -> torch.Tensor:
    """(B, N, D), (B, N, D) -> (B, N): mean_d |LN(pred) - LN(obs)|."""
    return (ln(pred) - ln(obs)).abs().mean(dim=-1)


def pooled_embedding(tokens: torch.Tensor) -> torch.Tensor:
    """(B, N, D) -> (B, D): mean over tokens of LN(tokens)."""
    return ln(tokens).mean(dim=1)


def positions_for(ecfg: EncoderConfig, t_offset: int, batch: int) -> torch.Tensor:
    """Flat positions of all tokens of a clip placed at time slots t_offset.. : (B, N) int64."""
    tg, hg, wg = ecfg.grid
    idx = torch.arange(tg * hg * wg, dtype=torch.int64) + t_offset * hg * wg
    return idx[None].expand(batch, -1).contiguous()
