import numpy as np

from aegui.core.train.image_quality import PSNR_CAP, is_binary, reconstruction_errors, worst


def test_mse_and_psnr_per_sample():
    x = np.zeros((3, 4, 4))
    r = x.copy()
    r[1] += 0.1          # MSE 0.01 -> 20 dB
    r[2, 0, 0] = 1.0     # MSE 1/16 -> 12.04 dB
    mse, psnr = reconstruction_errors(x, r)
    np.testing.assert_allclose(mse, [0, 0.01, 1 / 16])
    np.testing.assert_allclose(psnr, [PSNR_CAP, 20.0, 10 * np.log10(16)])
    assert list(worst(mse, 2)) == [2, 1]


def test_binary_data_is_told_from_grey():
    assert is_binary(np.array([[0, 1], [1, 0]], np.float32))
    assert not is_binary(np.array([0.0, 0.5, 1.0]))
