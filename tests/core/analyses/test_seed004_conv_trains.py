"""The course report's 004-latent row trains the document's convolutional autoencoder (64 filters
of 1x2 at its bottleneck) as its preset states it: a short seeded training on MNIST-like digits
must leave its starting point, ending far below the error of an output of zeros with
reconstructions that follow their inputs. The network it ran before had a sigmoid output that
saturated within a few dozen Adam steps: it gave 0 for every image, 0.114 on MNIST for all three
seeds, and the page still compared its latent space with the others'. No MNIST files needed: the
same collapse happens on scikit-learn's digits drawn in MNIST's frame."""
from dataclasses import replace

import numpy as np
import torch

from aegui.core.analyses.compare.runs import load_spec
from aegui.core.archs import build_model
from aegui.core.data.dataset import Dataset
from aegui.core.data.image_data import digits_dataset
from aegui.core.train.session import train

from core_helpers import ROOT

PRESET = ROOT / "resources" / "analyses" / "seed004-latent.json"


def mnist_like_digits() -> torch.Tensor:
    """scikit-learn's 1797 digits (8x8) as MNIST draws its own: scaled to a 20x20 box in the
    middle of a 28x28 black frame; [N, 784] in [0, 1]."""
    small = torch.as_tensor(digits_dataset().x).view(-1, 1, 8, 8)
    box = torch.nn.functional.interpolate(small, size=(20, 20), mode="bilinear", align_corners=False)
    return torch.nn.functional.pad(box.clamp(0, 1), (4, 4, 4, 4)).reshape(len(small), 784)


def test_the_latent_rows_convolutional_autoencoder_learns_its_inputs():
    plan = next(p for p in load_spec(PRESET).plans() if p.experiment.model.arch == "convlayers")
    exp = plan.experiment
    assert build_model(exp.model, 1).enc_steps[-1].shape_out == (64, 1, 2)     # the document's bottleneck
    x = mnist_like_digits()
    seen, held = x[:512], x[512:768]
    # The preset's network, loss, optimiser, learning rate and seed; fewer images and epochs, and
    # batches of 16 so that a few seconds hold 96 Adam steps (the old network was dead well before).
    exp = replace(exp, train=replace(exp.train, epochs=3, batch_size=16, check_every=3, device="cpu"))
    session, _ = train(exp, Dataset("digits in 28x28", seen.numpy(), [str(i) for i in range(512)], (28, 28)))
    with torch.no_grad():
        out = session.best_model()(held)[0]
    zeros = float((held ** 2).mean())
    mse = float(((out - held) ** 2).mean())
    # Before: 0.0998 (its output 0 for every image, exactly the error of zeros); now about 0.03.
    assert mse < 0.5 * zeros, f"test MSE {mse:.4f}, outputting zeros scores {zeros:.4f}"
    # How much of each image's difference from the average image comes out again: before 0 (a
    # constant output), now about 0.2.
    dev_out, dev_in = out - out.mean(0), held - held.mean(0)
    follows = float((dev_out * dev_in).sum() / (dev_out.norm() * dev_in.norm()).clamp_min(1e-12))
    assert np.isfinite(follows) and follows > 0.1, f"outputs' correlation with their inputs: {follows:.3f}"
