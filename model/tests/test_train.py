import numpy as np
import torch

from echomodel.data import AugConfig, make_loop
from echomodel.model import Predictor, PredictorConfig, EncoderConfig, ln, positions_for, size_factory
from echomodel.prep import PrepConfig
from echomodel.sim import SimConfig
from echomodel.train import TrainConfig, train


def test_tiny_model_loss_falls():
    prep = PrepConfig(size=32, frames=8)
    loops = [make_loop(s, "normal", prep, SimConfig(duration_s=1.6)) for s in range(3)]
    n = min(len(f) for f, _ in loops)
    d = {"frames": np.stack([f[:n] for f, _ in loops]), "metas": [m for _, m in loops]}
    # no masks / augmentation here: their per-step randomness would hide the trend in 60 steps
    cfg = TrainConfig(size="micro", out="/tmp/echostream-test-run", steps=60, batch=8, warmup=3, lr=3e-3,
                      log_every=1000, val_every=1000, p_mask=0.0, aug=AugConfig(p_ctx=0.0, p_tgt=0.0))
    *_, hist, summary = train(cfg, data=(d, d), verbose=False)
    first = np.mean([h["loss"] for h in hist[:5]])
    last = np.mean([h["loss"] for h in hist[-5:]])
    assert last < 0.85 * first, f"loss did not fall: {first:.3f} -> {last:.3f}"
    nf, nl = np.mean([h["next_l1"] for h in hist[:5]]), np.mean([h["next_l1"] for h in hist[-5:]])
    assert nl < 0.8 * nf, f"next-clip prediction L1 did not fall: {nf:.3f} -> {nl:.3f}"


def test_predictor_beats_copy_on_phase_shift_task():
    """Tokens encode cardiac phase; the next clip is 1.33 s later, so copying the same slot is wrong unless
    the RR interval divides 1.33 s. The predictor, told RR, must look up same-phase context tokens."""
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    e = EncoderConfig(frames=16, size=16, tubelet=4, patch=8, dim=16)      # grid (4, 2, 2)
    pcfg = PredictorConfig(dim=32, depth=2, heads=2, max_time_slots=8)
    pred = Predictor(pcfg, e)
    W = torch.randn(4, e.dim, generator=g)
    loc = torch.randn(4, e.dim, generator=g) * 0.3
    tg, hw = e.grid[0], e.grid[1] * e.grid[2]

    def batch(B):
        rr = 0.55 + 0.6 * torch.rand(B, 1, generator=g)
        t0 = torch.rand(B, 1, generator=g) * rr
        slots = torch.arange(2 * tg).repeat_interleave(hw)[None]                     # (1, 2N)
        time = (slots * e.tubelet + 1.5) / pcfg.fps + t0
        ph = 2 * np.pi * time / rr
        f = torch.stack([ph.cos(), ph.sin(), (2 * ph).cos(), (2 * ph).sin()], -1)    # (B, 2N, 4)
        tok = f @ W + loc.repeat(2 * tg, 1)[None]
        return tok[:, :tg * hw], tok[:, tg * hw:], rr
    opt = torch.optim.AdamW(pred.parameters(), lr=1e-2)
    B = 32
    for step in range(300):
        ctx, nxt, rr = batch(B)
        p = pred(ctx, positions_for(e, 0, B), positions_for(e, tg, B), rr)
        loss = (ln(p) - ln(nxt)).abs().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        ctx, nxt, rr = batch(256)
        p = pred(ctx, positions_for(e, 0, 256), positions_for(e, tg, 256), rr)
        pl = (ln(p) - ln(nxt)).abs().mean().item()
        cl = (ln(ctx) - ln(nxt)).abs().mean().item()
    assert pl < 0.7 * cl, f"predictor L1 {pl:.3f} does not beat copy L1 {cl:.3f} by 30%"


def test_training_follows_steps_and_seed_only():
    """Schedules follow the step count and every draw comes from the seed: two runs give the same losses, and
    nuisance-only loops train against their clean twins (sample_pairs returns them aligned)."""
    from echomodel.data import ClipSampler
    prep = PrepConfig(size=32, frames=8)
    sim = SimConfig(duration_s=1.6)
    loops = [make_loop(0, "normal", prep, sim, twin=True), make_loop(1, "nuisance-gain", prep, sim, twin=True)]
    n = min(len(f) for f, _ in loops)
    d = {"frames": np.stack([f[:n] for f, _ in loops]), "metas": [m for _, m in loops],
         "clean": np.stack([(f if m["clean"] is None else m["clean"])[:n] for f, m in loops])}
    s = ClipSampler(d["frames"], d["metas"], 8, seed=0, clean=d["clean"])
    ctx, nxt, ctx_c, nxt_c, rr = s.sample_pairs(16)
    assert ctx.shape == ctx_c.shape == (16, 1, 8, 32, 32) and rr.shape == (16, 1)
    assert not np.array_equal(d["clean"][1], d["frames"][1]), "the nuisance loop's twin must lack the nuisance"
    assert (ctx == ctx_c).flatten(1).all(1).any(), "clips of the normal loop equal their twins"
    metas = [{k: v for k, v in m.items() if k != "clean"} for m in d["metas"]]
    d["metas"] = metas
    cfg = TrainConfig(size="micro", out="/tmp/echostream-test-det", steps=6, batch=4, warmup=2, log_every=1000, val_every=1000)
    h1 = train(cfg, data=(d, d), verbose=False)[-2]
    h2 = train(cfg, data=(d, d), verbose=False)[-2]
    assert [h["loss"] for h in h1] == [h["loss"] for h in h2], "same seed and steps must give the same losses"
