import numpy as np
import pytest

from aegui.core.models import latent
from aegui.core.schema.experiment import ModelSpec
from aegui.core.models.mlp_net import Autoencoder


@pytest.fixture
def model(trained):
    return trained[0]


def test_encode_shape(model, font3):
    z = latent.encode(model, font3.x)
    assert z.shape == (len(font3), 2) and z.dtype == np.float32
    assert np.isfinite(z).all()
    assert np.ptp(z, axis=0).min() > 0        # the glyphs are spread out, not all on one point


def test_vae_encode_is_the_mean(font3):
    spec = ModelSpec(kind="vae", layers=(35, 16, 3, 16, 35))
    vae = Autoencoder(spec, 1)
    vae.init_weights([1])
    z = latent.encode(vae, font3.x)
    assert z.shape == (len(font3), 3)
    np.testing.assert_array_equal(z, latent.encode(vae, font3.x))   # no sampling


def test_decode_points_shape_and_range(model):
    z = np.array([[0.0, 0.0], [5.0, -5.0], [-50.0, 50.0]])
    out = latent.decode_points(model, z)
    assert out.shape == (3, 35)
    assert (out >= 0).all() and (out <= 1).all()
    one = latent.decode_points(model, [0.0, 0.0])     # a single point, flat
    assert one.shape == (1, 35)
    np.testing.assert_allclose(one[0], out[0], rtol=1e-6, atol=1e-7)


def test_reconstruct_is_decode_of_encode(model, font3):
    np.testing.assert_array_equal(latent.reconstruct(model, font3.x),
                                  latent.decode_points(model, latent.encode(model, font3.x)))


def test_grid_points_orientation():
    pts = latent.grid_points((-1.0, 1.0, -2.0, 2.0), nx=3, ny=5)
    assert pts.shape == (15, 2)
    grid = pts.reshape(5, 3, 2)
    np.testing.assert_allclose(grid[0, :, 1], 2.0)     # row 0 is the top: y1
    np.testing.assert_allclose(grid[-1, :, 1], -2.0)   # last row is the bottom: y0
    np.testing.assert_allclose(grid[:, 0, 0], -1.0)    # column 0 is the left: x0
    np.testing.assert_allclose(grid[:, -1, 0], 1.0)
    np.testing.assert_allclose(grid[2, 1], [0.0, 0.0])


def test_grid_points_other_dims_come_from_base():
    pts = latent.grid_points((0.0, 1.0, 0.0, 1.0), 2, 2, dims=(0, 2), base=[9.0, 7.0, 9.0], latent_dim=3)
    np.testing.assert_allclose(pts[:, 1], 7.0)
    np.testing.assert_allclose(pts[:, 0], [0, 1, 0, 1])
    np.testing.assert_allclose(pts[:, 2], [1, 1, 0, 0])
    zeros = latent.grid_points((0.0, 1.0, 0.0, 1.0), 2, 2, dims=(1, 2), latent_dim=4)
    np.testing.assert_allclose(zeros[:, [0, 3]], 0.0)


def test_decode_grid_is_one_batched_decode_of_the_grid(model, monkeypatch):
    model = model.select(0)        # a private copy: the shared one is not patched
    rect = (-3.0, 3.0, -2.0, 2.0)
    expected = latent.decode_points(model, latent.grid_points(rect, 4, 6)).reshape(6, 4, 35)
    calls = []
    real = model.decode
    monkeypatch.setattr(model, "decode", lambda z: calls.append(z.shape) or real(z))
    grid = latent.decode_grid(model, rect, 4, 6)
    assert len(calls) == 1 and tuple(calls[0])[-2:] == (24, 2)
    assert grid.shape == (6, 4, 35)
    np.testing.assert_allclose(grid, expected, rtol=1e-6, atol=1e-7)
    top_left = latent.decode_points(model, [[-3.0, 2.0]])[0]
    bottom_right = latent.decode_points(model, [[3.0, -2.0]])[0]
    np.testing.assert_allclose(grid[0, 0], top_left, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grid[-1, -1], bottom_right, rtol=1e-5, atol=1e-6)
    assert not np.allclose(grid[0, 0], grid[-1, -1])


def test_interpolate_endpoints_and_midpoint(model, font3):
    z = latent.encode(model, font3.x)
    za, zb = z[0], z[5]
    steps = latent.interpolate(model, za, zb, 5)
    assert steps.shape == (5, 35)
    ends = latent.decode_points(model, np.stack([za, zb]))
    np.testing.assert_allclose(steps[0], ends[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(steps[-1], ends[1], rtol=1e-5, atol=1e-6)
    mid = latent.decode_points(model, [(za + zb) / 2])[0]
    np.testing.assert_allclose(steps[2], mid, rtol=1e-5, atol=1e-6)
