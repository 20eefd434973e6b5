"""The latent canvas's shared view state on its own (plain numpy): what the map, the mouse and the
code layers compute from it must agree with what the canvas draws, so lifting a view point and
projecting its code back must land on the same point, and the decoder's output takes the image
shape the state says."""
import numpy as np

from aegui.qt.latent.view_state import ViewState


def _state(latent: int = 4) -> ViewState:
    s = ViewState()
    rng = np.random.default_rng(0)
    s.codes = rng.standard_normal((6, latent)).astype(np.float32)
    q, _ = np.linalg.qr(rng.standard_normal((latent, 2)))
    s.basis, s.origin = q.T, s.codes.mean(0).astype(np.float64)
    s.xy = s.project(s.codes)
    return s


def test_a_lifted_view_point_projects_back_onto_itself():
    s = _state()
    xy = np.array([[0.3, -1.2], [2.0, 0.5]])
    np.testing.assert_allclose(s.project(s.lift(xy)), xy, atol=1e-5)


def test_decodes_take_the_image_shape_and_need_a_decoder_and_codes():
    s = _state()
    s.decoder = None
    assert not s.ready()
    s.decoder, s.shape = (lambda z: np.ones((len(z), 12), np.float32)), (3, 4)
    assert s.ready() and s.decode(s.codes[:2]).shape == (2, 3, 4)
    s.codes = np.zeros((0, 4), np.float32)
    assert not s.ready()


def test_the_strip_runs_from_one_code_to_the_other_and_is_shown_only_for_codes_on_screen():
    s = _state()
    strip = s.strip_codes(1, 4, 5)
    np.testing.assert_allclose(strip[[0, -1]], s.codes[[1, 4]], atol=1e-6)
    s.strip_ends = (1, 4)
    assert s.strip_shown() == (1, 4)
    s.strip_ends = (1, 6)              # the codes of a smaller dataset: sample 6 is gone
    assert s.strip_shown() is None
