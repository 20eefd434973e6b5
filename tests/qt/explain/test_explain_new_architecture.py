"""The Explain panel shows a model of a newly registered architecture (the tied-weight one of
tests/core/archs/tied_arch.py) as it shows a built-in one: each layer captioned as the encoder's or
the decoder's, and the output it draws is the model's own."""
import numpy as np
import pytest
import torch

from aegui.core import archs
from aegui.core.schema.experiment import Experiment, ModelSpec
from aegui.core.data.datasets import from_config
from aegui.core.runs.trained import TrainedModel
from aegui.qt.explain.explain_panel import ExplainPanel
from tests.core.archs.tied_arch import Tied


@pytest.fixture
def tied():
    arch = archs.register(Tied())
    yield arch
    archs.unregister(arch.name)


def test_a_tied_model_is_explained_layer_by_layer(tied, qtbot, bound_panel):
    exp = Experiment(model=ModelSpec(arch="tied", layers=(35, 8, 35), latent_activation="tanh"))
    model = archs.build_model(exp.model)
    model.init_weights([2])
    panel, ws = bound_panel(ExplainPanel, 460, 1000)
    ws.add(TrainedModel("tied", model.eval(), exp, from_config(exp.data)))
    drawing = (np.random.default_rng(0).random((7, 5)) > 0.5).astype(np.float32)
    ws.set_input(drawing)
    qtbot.waitUntil(lambda: not panel.busy() and panel.result is not None
                    and np.array_equal(panel.result.input, drawing.ravel()), timeout=30000)
    assert panel.captions() == ["Input: 35 values", "Encoder layer 1: 8 values, tanh — the code",
                                "Decoder layer 1: 35 values, sigmoid — the output"]
    with torch.no_grad():
        out = model(torch.as_tensor(drawing.reshape(1, 35)))[0, 0].numpy()
    np.testing.assert_allclose(panel.pictures[1].image(), out.reshape(7, 5), atol=1e-6)
