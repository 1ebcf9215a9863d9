import torch

from echomodel.export import ExportConfig  # noqa: F401  (import check)
from test_export import check_release_dir
from echomodel.vjepa2 import VJEPA2Encoder, VJEPA2Predictor, export_vjepa2, rotate, split_positions, vjepa2_size


def test_rope_keeps_the_tiled_sin_cos_quirk():
    x = torch.randn(1, 1, 3, 8)
    pos = torch.tensor([0.0, 1.0, 5.0])
    got = rotate(x, pos)
    omega = 1.0 / 10000 ** (torch.arange(4) / 4.0)
    f = pos[:, None] * omega
    sin, cos = f.sin().repeat(1, 2), f.cos().repeat(1, 2)            # tiled, not interleaved
    y = torch.stack((-x[..., 1::2], x[..., 0::2]), -1).reshape(x.shape)
    assert torch.allclose(got, x * cos + y * sin, atol=1e-6)
    t, r, c = split_positions(torch.tensor([0, 5, 17, 33]), 4, 4)
    assert t.tolist() == [0, 0, 1, 2] and r.tolist() == [0, 1, 0, 0] and c.tolist() == [0, 1, 1, 1]


def test_predictor_sort_path_equals_unsorted():
    torch.manual_seed(0)
    cfg = vjepa2_size("tiny")
    pred = VJEPA2Predictor(cfg).eval()
    ctx = torch.randn(2, 10, cfg.dim)
    cpos = torch.randperm(64)[:10][None].repeat(2, 1)
    tpos = torch.arange(64, 74)[None].repeat(2, 1)
    with torch.no_grad():
        a = pred(ctx, cpos, tpos, sort=False)
        b = pred(ctx, cpos, tpos, sort=True)
    assert torch.allclose(a, b, atol=1e-5)


def test_converted_tiny_vjepa2_meets_contract(tmp_path):
    torch.manual_seed(0)
    cfg = vjepa2_size("tiny")
    _, checks = export_vjepa2(VJEPA2Encoder(cfg), VJEPA2Predictor(cfg), str(tmp_path))
    assert max(checks.values()) < 1e-4
    man = check_release_dir(str(tmp_path), expect_condition=False)
    assert man["predictor"]["condition"] == []
