"""`aegui export MODEL FILE.py --train` adds a numpy training loop (full batch, Adam, the model's
loss) for fully connected plain, denoising and variational autoencoders: `python FILE.py --train`
trains from fresh weights and its loss falls on Font3; its loss and gradients are aegui's own
objective's, checked against torch's autograd; a model it cannot train is refused in one sentence
before anything is written."""
import runpy

import numpy as np
import pytest
import torch

from core_helpers import ROOT, run_cli, small_experiment
from tests.core.export.script_runs import export, run_script, saved

LAYERS = (35, 25, 10, 2, 10, 25, 35)
# kind -> how far its loss must fall in 2000 epochs (last / first); a VAE's KL term keeps its loss up.
FALLS = {"ae": 0.1, "dae": 0.1, "vae": 0.5}


@pytest.mark.parametrize("kind", FALLS)
def test_the_training_loop_brings_the_loss_down_on_font3(tmp_path, capsys, kind):
    exp = small_experiment(model={"kind": kind, "layers": LAYERS}, train={"epochs": 1})
    script = tmp_path / f"{kind}.py"
    export(capsys, saved(tmp_path, exp, kind), script, "--train")
    result = run_script(script, "--train", "--epochs", 2000)
    first, last = result["trained"]["first_loss"], result["trained"]["last_loss"]
    assert last < FALLS[kind] * first, (first, last)
    # What it prints after training is measured on the weights it learnt (the saved model had one epoch).
    assert result["max_wrong_pixels"] <= 2 and result["glyphs"] == 32


class _NoNoise:
    """A generator whose normal draws are 0: the VAE's code is then its mean, as aegui's
    deterministic loss takes it."""

    def standard_normal(self, shape):
        return np.zeros(shape)


CASES = {
    "ae, bce": {"model": {"layers": (35, 16, 3, 16, 35)}},
    "ae, mse, sigmoid hidden layers, elu code": {"model": {"hidden_activation": "sigmoid", "latent_activation": "elu"},
                                                 "train": {"loss": "mse"}},
    "vae, tanh at slope 1.5": {"model": {"kind": "vae", "hidden_activation": "tanh", "slope": 1.5, "beta": 0.5}},
}


@pytest.mark.parametrize("case", CASES)
def test_the_loss_and_gradients_are_aegui_objectives(tmp_path, capsys, case):
    from aegui.core.archs import build_model
    from aegui.core.data.datasets import from_config
    from aegui.core.models.objectives import objective_of
    sections = CASES[case]
    exp = small_experiment(model=sections["model"], train={"epochs": 1, **sections.get("train", {})})
    script = tmp_path / "model.py"
    export(capsys, saved(tmp_path, exp, "model"), script, "--train")
    code = runpy.run_path(str(script), run_name="loaded")
    x = from_config(exp.data).x
    p = code["fresh_weights"](np.random.default_rng(1))
    loss, grads = code["loss_and_grads"](p, x, x, 0, _NoNoise())

    net = build_model(exp.model, 1)
    net.load_named_weights({k: torch.from_numpy(v.copy()) for k, v in p.items()})
    xt = torch.from_numpy(x)
    total, _, _ = objective_of(exp.model).loss(net, xt, xt, exp.model, exp.train.loss, 0, deterministic=True)
    total.sum().backward()
    total = total.detach()
    assert loss == pytest.approx(total.item(), rel=1e-5)
    # The flat buffer's gradient laid out as the weights are: the same network holding it.
    holder = build_model(exp.model, 1)
    holder.flat.data.copy_(net.flat.grad)
    want = {k: v.numpy() for k, v in holder.named_weights(0).items()}
    assert set(want) == set(grads)
    for name in want:
        np.testing.assert_allclose(grads[name], want[name], rtol=1e-3, atol=1e-6, err_msg=name)


def test_a_model_the_loop_cannot_train_is_refused_before_anything_is_written(tmp_path, capsys):
    conv = ROOT / "models" / "general-5x7-local"
    sparse = saved(tmp_path, small_experiment(model={"kind": "sparse"}, train={"epochs": 1}), "sparse")
    for model, said in ((conv, "forward only"), (sparse, "sparse autoencoder")):
        script = tmp_path / "out" / "refused.py"
        assert run_cli(["export", model, script, "--train"]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "Traceback" not in err, err
        assert said in err and "without --train" in err, err
        assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
