"""
V-JEPA 2 / EchoJEPA architecture (RoPE ViT encoder + RoPE predictor) and a converter that exports such a
checkpoint to the same ONNX contract as our own model (docs/onnx-contract.md).

Written from the public description and source of facebookresearch/vjepa2 (read, not copied). Quirks kept
so that pretrained weights behave as trained:
  * no absolute position embedding: 3-D RoPE inside attention; each head's dims are split into
    d = h = w = 2*((head_dim//3)//2) dims for time/row/column, the remaining head_dim - 3d dims are not rotated;
  * rotation pairs are interleaved (x0,x1),(x2,x3).. but sin/cos are *tiled* ([f0..f_{k-1}, f0..f_{k-1}],
    torch `.repeat`), not interleaved: the released checkpoints depend on this "bug";
  * positions come from flat token ids: t = id // (Hg*Wg), row = (id - t*Hg*Wg) // Wg, col = rest. The
    encoder uses the actual grid; the predictor's blocks use the square training grid (img_size // patch);
  * LayerNorm eps 1e-6, qkv bias, GELU MLP, Conv3d tubelet embedding (3 channels, ImageNet mean/std);
  * the predictor embeds context tokens, appends a (positionless) mask token per target, sorts all tokens
    by position id before the blocks and unsorts after. With full (non-causal) attention the sort does not
    change the result, so the exported graph skips it (checked in tests against a sorted reference).
Contract adapter: gray clip [B,1,T,H,W] in [0,1] -> repeated to 3 channels -> ImageNet normalisation, inside
the graph. The V-JEPA 2 predictor has no condition input: the manifest lists `condition: []`.

  /usr/bin/python3 model/vjepa2.py --ckpt PATH --size vitl --img 224 --out model/release-vjepa2
  /usr/bin/python3 model/vjepa2.py --random --size tiny --out /tmp/vjepa2-tiny    # what the tests do
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Under CPU contention (shared 2-core machines) spinning OpenMP workers burned 6x the CPU per step.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import sys  # noqa: E402
from dataclasses import asdict, dataclass  # noqa: E402

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402


@dataclass
class VJEPA2Config:
    img: int = 224
    patch: int = 16
    frames: int = 16
    tubelet: int = 2
    dim: int = 1024
    depth: int = 24
    heads: int = 16
    mlp_ratio: float = 4.0
    pred_dim: int = 384
    pred_depth: int = 12
    pred_heads: int = 12
    num_mask_tokens: int = 10
    ln_eps: float = 1e-6

    @property
    def grid(self):
        return (self.frames // self.tubelet, self.img // self.patch, self.img // self.patch)

    @property
    def num_tokens(self):
        t, h, w = self.grid
        return t * h * w

    @property
    def size(self):
        return self.img


def vjepa2_size(name: str, img: int = 224, frames: int = 16) -> VJEPA2Config:
    table = {
        "tiny": dict(img=32, patch=8, frames=8, dim=64, depth=2, heads=2, pred_dim=64, pred_depth=1, pred_heads=2, num_mask_tokens=2),
        "vitl": dict(dim=1024, depth=24, heads=16),
        "vitg": dict(dim=1408, depth=40, heads=22, mlp_ratio=48 / 11),
    }
    assert name in table, f"unknown V-JEPA 2 size {name!r}; known {list(table)}"
    kw = dict(img=img, frames=frames)
    kw.update(table[name])
    return VJEPA2Config(**kw)


def rotate(x: torch.Tensor, pos: torch.Tensor) -> torch.Tensor:
    """x (B, h, N, d), pos (B, N) or (N,) float -> rotated x (V-JEPA 2 convention, tiled sin/cos)."""
    d = x.shape[-1]
    omega = 1.0 / (10000 ** (torch.arange(d // 2, dtype=torch.float32) / (d / 2.0)))   # (d/2,)
    freq = pos[..., None] * omega                                                      # (..., N, d/2)
    if freq.dim() == 3:
        freq = freq[:, None]                                                           # (B, 1, N, d/2)
    sin, cos = torch.cat([freq.sin(), freq.sin()], -1), torch.cat([freq.cos(), freq.cos()], -1)
    y = x.reshape(*x.shape[:-1], d // 2, 2)
    y = torch.stack((-y[..., 1], y[..., 0]), dim=-1).reshape(x.shape)
    return x * cos + y * sin


def split_positions(ids: torch.Tensor, hg: int, wg: int):
    t = torch.div(ids, hg * wg, rounding_mode="floor")
    r = torch.div(ids - t * hg * wg, wg, rounding_mode="floor")
    c = ids - t * hg * wg - r * wg
    return t.to(torch.float32), r.to(torch.float32), c.to(torch.float32)


class RoPEAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.hd = heads, dim // heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=True)
        self.proj = nn.Linear(dim, dim)
        self.rd = int(2 * ((self.hd // 3) // 2))

    def forward(self, x, pos):                                   # x (B, N, C), pos = (t, r, c) each (B, N) or (N,)
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.heads, self.hd).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]                         # (B, h, N, hd)

        def rope(z):
            parts, s = [], 0
            for p in pos:
                parts.append(rotate(z[..., s:s + self.rd], p))
                s += self.rd
            if s < self.hd:
                parts.append(z[..., s:])
            return torch.cat(parts, dim=-1)
        q, k = rope(q), rope(k)
        att = ((q @ k.transpose(-2, -1)) * self.hd ** -0.5).softmax(-1)
        return self.proj((att @ v).transpose(1, 2).reshape(B, N, C))


class MLP(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1, self.act, self.fc2 = nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, heads, mlp_ratio, eps):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(dim, eps=eps), nn.LayerNorm(dim, eps=eps)
        self.attn = RoPEAttention(dim, heads)
        self.mlp = MLP(dim, int(dim * mlp_ratio))

    def forward(self, x, pos):
        x = x + self.attn(self.norm1(x), pos)
        return x + self.mlp(self.norm2(x))


class PatchEmbed3D(nn.Module):
    def __init__(self, cfg: VJEPA2Config):
        super().__init__()
        self.proj = nn.Conv3d(3, cfg.dim, kernel_size=(cfg.tubelet, cfg.patch, cfg.patch),
                              stride=(cfg.tubelet, cfg.patch, cfg.patch))

    def forward(self, x):                                        # (B, 3, T, H, W) -> (B, N, D)
        return self.proj(x).flatten(2).transpose(1, 2)


class VJEPA2Encoder(nn.Module):
    """Parameter names match the released checkpoints (after stripping 'module.'/'backbone.')."""

    def __init__(self, cfg: VJEPA2Config):
        super().__init__()
        self.cfg = cfg
        self.patch_embed = PatchEmbed3D(cfg)
        self.blocks = nn.ModuleList([Block(cfg.dim, cfg.heads, cfg.mlp_ratio, cfg.ln_eps) for _ in range(cfg.depth)])
        self.norm = nn.LayerNorm(cfg.dim, eps=cfg.ln_eps)
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1, 1), persistent=False)

    def forward(self, clip):                                     # (B, 1, T, H, W) in [0, 1]
        x = (clip.expand(-1, 3, -1, -1, -1) - self.mean) / self.std
        x = self.patch_embed(x)                                  # (B, N, D)
        tg, hg, wg = self.cfg.grid
        pos = split_positions(torch.arange(tg * hg * wg), hg, wg)
        for blk in self.blocks:
            x = blk(x, pos)
        return self.norm(x)


class VJEPA2Predictor(nn.Module):
    def __init__(self, cfg: VJEPA2Config):
        super().__init__()
        self.ecfg = cfg
        self.cfg = argparse.Namespace(condition=(), max_time_slots=None)
        self.predictor_embed = nn.Linear(cfg.dim, cfg.pred_dim)
        self.mask_tokens = nn.ParameterList([nn.Parameter(torch.zeros(1, 1, cfg.pred_dim)) for _ in range(cfg.num_mask_tokens)])
        self.predictor_blocks = nn.ModuleList([Block(cfg.pred_dim, cfg.pred_heads, cfg.mlp_ratio, cfg.ln_eps)
                                               for _ in range(cfg.pred_depth)])
        self.predictor_norm = nn.LayerNorm(cfg.pred_dim, eps=cfg.ln_eps)
        self.predictor_proj = nn.Linear(cfg.pred_dim, cfg.dim)
        self.mask_index = 1 % cfg.num_mask_tokens                 # V-JEPA 2 default mask_index=1

    def forward(self, context_tokens, context_positions, target_positions, condition=None, sort: bool = False):
        """(B, Nc, D), (B, Nc), (B, Nt) -> (B, Nt, D). `sort=True` reproduces the original argsort path."""
        x = self.predictor_embed(context_tokens)
        nc = x.shape[1]
        tgt = self.mask_tokens[self.mask_index].expand(x.shape[0], target_positions.shape[1], -1)
        x = torch.cat([x, tgt], dim=1)
        ids = torch.cat([context_positions, target_positions], dim=1)
        g = self.ecfg.img // self.ecfg.patch                      # predictor blocks use the square training grid
        if sort:
            order = torch.argsort(ids, dim=1)
            ids = torch.gather(ids, 1, order)
            x = torch.gather(x, 1, order[..., None].expand(-1, -1, x.shape[-1]))
        pos = split_positions(ids, g, g)
        for blk in self.predictor_blocks:
            x = blk(x, pos)
        x = self.predictor_norm(x)
        if sort:
            x = torch.gather(x, 1, torch.argsort(order, dim=1)[..., None].expand(-1, -1, x.shape[-1]))
        return self.predictor_proj(x[:, nc:])


def load_checkpoint(path: str, cfg: VJEPA2Config):
    """Map a V-JEPA 2 / EchoJEPA checkpoint onto the modules above."""
    sd = torch.load(path, map_location="cpu")
    enc_sd = sd.get("target_encoder") or sd.get("encoder") or sd
    pred_sd = sd.get("predictor", {})

    def strip(d):
        out = {}
        for k, v in d.items():
            for pre in ("module.", "backbone."):
                while k.startswith(pre):
                    k = k[len(pre):]
            out[k] = v
        return out
    enc, pred = VJEPA2Encoder(cfg), VJEPA2Predictor(cfg)
    missing = enc.load_state_dict(strip(enc_sd), strict=False)
    assert not missing.missing_keys, f"encoder keys missing from checkpoint: {missing.missing_keys[:5]}"
    if pred_sd:
        pm = strip(pred_sd)
        pm = {k: v for k, v in pm.items() if not k.startswith("predictor_pos_embed")}
        r = pred.load_state_dict(pm, strict=False)
        assert not r.missing_keys, f"predictor keys missing from checkpoint: {r.missing_keys[:5]}"
    return enc, pred


def export_vjepa2(enc: VJEPA2Encoder, pred: VJEPA2Predictor, out_dir: str, version: str = "vjepa2-converted"):
    """Same release layout and checks as model/export.py (condition input omitted)."""
    import json
    from .export import ExportConfig, export_onnx, placeholder_calibration, trace_check, write_golden, write_manifest
    from .prep import PrepConfig
    os.makedirs(out_dir, exist_ok=True)
    enc.eval(), pred.eval()
    export_onnx(enc, pred, out_dir)
    checks = trace_check(enc, pred)
    with open(os.path.join(out_dir, "calibration.json"), "w") as f:
        json.dump(placeholder_calibration(), f)
    write_golden(enc, pred, out_dir, 424242, 1e-3)
    prep = PrepConfig(size=enc.cfg.img, frames=enc.cfg.frames)
    cfg = ExportConfig(out=out_dir, version=version)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump({"vjepa2": asdict(enc.cfg)}, f, indent=2)
    return write_manifest(out_dir, enc, pred, cfg, {"converted": True, "checks": checks}, {}, prep), checks


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", default="")
    ap.add_argument("--random", action="store_true")
    ap.add_argument("--size", default="vitl")
    ap.add_argument("--img", type=int, default=224)
    ap.add_argument("--frames", type=int, default=16)
    ap.add_argument("--out", default="model/release-vjepa2")
    a = ap.parse_args(argv)
    torch.set_num_threads(2)
    cfg = vjepa2_size(a.size, a.img, a.frames) if a.size != "tiny" else vjepa2_size("tiny")
    if a.random:
        torch.manual_seed(0)
        enc, pred = VJEPA2Encoder(cfg), VJEPA2Predictor(cfg)
    else:
        assert a.ckpt, "give --ckpt PATH or --random"
        enc, pred = load_checkpoint(a.ckpt, cfg)
    m, checks = export_vjepa2(enc, pred, a.out)
    print("exported", a.out, checks, m["tokens"])


if __name__ == "__main__":
    main()
