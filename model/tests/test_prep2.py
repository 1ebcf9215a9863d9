import numpy as np
import torch

from echomodel.data2 import EVAL_CFG, VARIANT_CFG, make_loop2
from echomodel.eval2 import events, loop_pairs, ridge_r2
from echomodel.prep2 import Prep2Config, fan_mask, phase_from_periodicity, phase_from_rwaves, preprocess2
from echomodel.sim import EchoSimulator, SimConfig, make_params
from echomodel.train2 import PairSampler, Train2Config, token_mask, train, tubelet_table
from echomodel.world import Encoder, PixelTokens, Predictor, WorldConfig, action, hide_block, sigreg, spatial_cond


def _circ_err(a, b):
    d = np.angle(np.exp(2j * np.pi * (a - b)))
    off = np.angle(np.mean(np.exp(1j * d)))
    return float(np.mean(np.abs(np.angle(np.exp(1j * (d - off))))) / (2 * np.pi))


def test_fan_mask_drops_text_inside_the_region_rectangle():
    cfg = SimConfig(variant=True, duration_s=1.0)
    p = make_params(3, "normal", cfg)
    sim = EchoSimulator(p, cfg)
    frames = sim.render(range(0, 12, 2))
    x0, y0, x1, y1 = sim.region
    crop = frames[:, y0:y1 + 1, x0:x1 + 1]
    m = fan_mask(crop)
    # the variant writes text into the rectangle's top corners: those pixels are outside the fan
    assert not m[4:20, 2:20].any()
    assert not m[4:20, -20:-2].any()
    # the fan's middle rows are inside, and its rows are contiguous
    assert m[m.shape[0] // 2, m.shape[1] // 2]
    for row in m:
        xs = np.nonzero(row)[0]
        assert len(xs) == 0 or xs[-1] - xs[0] + 1 == len(xs)


def test_prep2_normalises_each_frame_inside_the_fan_and_removes_a_gain_step():
    cfg = SimConfig(duration_s=1.0)
    p = make_params(5, "normal", cfg)
    sim = EchoSimulator(p, cfg)
    frames = sim.render(range(p.n_frames))
    times = np.arange(p.n_frames) / p.fps
    x, mask, idx = preprocess2(frames, times, sim.region)
    assert x.shape == (len(idx), 96, 96) and idx[0] == 0
    assert abs(float(x[0][mask].mean())) < 1e-3 and abs(float(x[0][mask].std()) - 1) < 0.05
    assert (x[:, ~mask] == 0).all()
    brighter = np.clip(frames.astype(np.int32) + 25, 0, 255).astype(np.uint8) * (frames > 0)
    x2, _, _ = preprocess2(brighter, times, sim.region)
    assert np.abs(x2 - x).mean() < 0.1


def test_phase_from_periodicity_follows_the_true_beats_on_normal_and_abnormal_hearts():
    # measured on the evaluation set (20 loops per kind, 2.5 s, 25-80 fps; phase version 2): mean error 0.014 of a
    # beat on normals, 0.011-0.013 with nuisances (worst 0.025; 0.22 before detrending), 0.016 on reduced EF
    # (worst 0.048; 0.24 before), 0.053 on AF, 0.13 on PVC (a premature weak beat is often not a beat start)
    cfg = SimConfig(randomise=True, fps_range=(25.0, 80.0), duration_s=2.5)
    for kind, bound in (("normal", 0.03), ("reduced-ef", 0.1), ("rwma-akinetic", 0.05)):
        loops = [make_loop2(30 + s, kind, cfg) for s in range(3)]
        assert np.mean([_circ_err(lp["phase_est"], lp["y_phase"]) for lp in loops]) < bound, kind
        if kind == "normal":   # weak excursions can miss a beat start (RR doubles there): a known limit, see the card
            assert np.mean([abs(float(np.median(lp["rr_est"])) - float(np.median(lp["y_rr"]))) for lp in loops]) < 0.05


def test_phase_from_rwaves_is_linear_inside_a_beat():
    ph, rr = phase_from_rwaves(np.array([0.0, 0.25, 0.5, 0.99, 1.0, 1.5]), np.array([0.0, 1.0, 2.0]))
    assert np.allclose(ph, [0.0, 0.25, 0.5, 0.99, 0.0, 0.5]) and np.allclose(rr, 1.0)


def test_every_loop_of_a_beat_or_more_gets_pairs_for_both_heads():
    lp = make_loop2(4, "normal", SimConfig(randomise=True, fps_range=(25.0, 80.0), duration_s=0.9))
    tab = tubelet_table(lp)
    assert loop_pairs(tab, "within") and loop_pairs(tab, "beat") or tab["rr"].mean() > 0.9


def test_predictor_sees_only_its_context_and_action():
    w = WorldConfig(dim=16, enc_width=16, pred_width=32, pred_blocks=2)
    torch.manual_seed(0)
    enc, pred = Encoder(w), Predictor(w)
    x = torch.randn(3, 2, 96, 96)
    m = torch.ones(3, 1, 96, 96)
    z = enc(x, m)
    assert z.shape == (3, 16, 12, 12)
    ctx = torch.stack([z, z], 1)
    a = action(torch.tensor([0.1, 0.2, 0.3]), torch.tensor([0.5, 0.6, 0.7]), torch.tensor([0.4] * 3), torch.tensor([0.8] * 3))
    out = pred(ctx, torch.ones(3, 2), a)
    assert out.shape == (3, 16, 12, 12)
    # an absent slot contributes nothing, whatever it holds
    p0 = torch.tensor([[0.0, 1.0]] * 3)
    ctx2 = ctx.clone()
    ctx2[:, 0] = torch.randn_like(ctx2[:, 0])
    assert torch.allclose(pred(ctx, p0, a), pred(ctx2, p0, a), atol=1e-6)


def test_sigreg_prefers_gaussian_embeddings_to_collapsed_ones():
    g = torch.Generator().manual_seed(0)
    gauss = torch.randn(512, 32, generator=g)
    collapsed = torch.randn(512, 1, generator=g).repeat(1, 32) * 0.01
    assert sigreg(gauss, gen=torch.Generator().manual_seed(1)) < 0.2 * sigreg(collapsed, gen=torch.Generator().manual_seed(1))


def test_training_runs_and_is_repeatable_by_seed():
    loops = [make_loop2(i, "normal", SimConfig(randomise=True, fps_range=(25.0, 80.0), duration_s=1.5), twins=True) for i in range(2)]
    w = WorldConfig(dim=16, enc_width=16, pred_width=32, pred_blocks=2)
    h1 = train(Train2Config(steps=3, batch=4), loops=loops, wcfg=w, log=lambda s: None)[2]
    h2 = train(Train2Config(steps=3, batch=4), loops=loops, wcfg=w, log=lambda s: None)[2]
    assert h1[0]["loss"] == h2[0]["loss"] and np.isfinite(h1[0]["loss"])
    s = PairSampler(loops, 0, 0.3)
    ctx, tgt, twin, twin_c, pres, act, m = s.sample(5)
    assert ctx.shape == (5, 2, 2, 96, 96) and act.shape == (5, 6) and twin_c.shape == (5, 2, 96, 96)
    assert (act[:, 4] > 0).all()      # the target is always after the context
    assert "rec" in h1[0] and h1[0]["rec"] > 0      # the speckle-twin reconstruction term is on by default


def test_spatial_head_sees_nothing_of_the_hidden_block_and_trains():
    x = torch.rand(2, 2, 96, 96)
    m = torch.ones(2, 1, 96, 96)
    r0, c0 = torch.tensor([0, 8]), torch.tensor([3, 5])
    xh, mh, hidden = hide_block(x, m, r0, c0)
    assert hidden.shape == (2, 1, 12, 12) and hidden[0, 0, 0:4, 3:7].all() and hidden.sum() == 32
    assert xh[0, :, 0:32, 24:56].abs().sum() == 0 and mh[1, :, 64:96, 40:72].sum() == 0
    # changing the hidden pixels changes nothing the encoder is given
    x2 = x.clone()
    x2[0, :, 0:32, 24:56] = torch.rand(2, 32, 32)
    assert torch.equal(hide_block(x2, m, r0, c0)[0], xh)
    loops = [make_loop2(i, "normal", SimConfig(randomise=True, fps_range=(25.0, 80.0), duration_s=1.5), twins=True) for i in range(2)]
    w = WorldConfig(dim=16, enc_width=16, pred_width=32, pred_blocks=2, spatial_width=16, spatial_blocks=2)
    enc, pred, hist = train(Train2Config(steps=3, batch=4, spatial_w=1.0), loops=loops, wcfg=w, log=lambda s: None)
    assert pred.spatial is not None and hist[0]["spatial"] > 0
    z = enc(xh, mh)
    assert pred.spatial(z, hidden, spatial_cond(torch.tensor([0.1, 0.6]), torch.tensor([0.8, 1.0]))).shape == z.shape


def test_pixel_baseline_trains_only_the_predictor_on_the_pixels_themselves():
    loops = [make_loop2(i, "normal", SimConfig(randomise=True, fps_range=(25.0, 80.0), duration_s=1.5), twins=True) for i in range(2)]
    x = torch.randn(3, 2, 96, 96)
    m = torch.ones(3, 1, 96, 96)
    tok = PixelTokens()(x, m)
    assert tok.shape == (3, PixelTokens.dim, 12, 12) and torch.equal(torch.nn.functional.pixel_shuffle(tok, 8), x)
    w = WorldConfig(pred_width=32, pred_blocks=2)
    enc, pred, hist = train(Train2Config(steps=3, batch=4, encoder="pixel", reg="none"), loops=loops, wcfg=w, log=lambda s: None)
    assert len(list(enc.parameters())) == 0 and np.isfinite(hist[0]["loss"]) and hist[0]["rec"] == 0


def test_events_need_two_windows_above_threshold():
    win = [(0.0, 1.0, 0), (0.1, 5.0, 3), (0.2, 1.0, 0), (0.3, 6.0, 4), (0.4, 7.0, 5), (0.5, 1.0, 0)]
    ev = events(win, 4.0)
    assert len(ev) == 1 and ev[0]["t_s"] == 0.3 and ev[0]["token"] == 4


def test_ridge_probe_finds_a_linear_signal_and_not_noise():
    g = np.random.default_rng(0)
    X = g.standard_normal((400, 10))
    groups = np.repeat(np.arange(20), 20)
    assert ridge_r2(X, X[:, 0] * 2 + 0.1 * g.standard_normal(400), groups) > 0.9
    assert ridge_r2(X, g.standard_normal(400), groups) < 0.1
    assert token_mask(np.ones((96, 96), bool)).all()
