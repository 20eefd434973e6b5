"""A model whose weights are not real numbers never reaches the window: start-up reports it in one
sentence naming the tensor and opens the other models (such a model stopped start-up halfway
with "Cannot set range [nan, nan]" from the latent map)."""
import hashlib
import json
import shutil

import pytest
import torch
from safetensors.torch import load, save

from aegui.core.workspace.startup import DEMO_MODELS, open_startup

from core_helpers import ROOT


@pytest.mark.parametrize("change", ["nan", "inf", "int64"])
def test_a_model_with_bad_weights_is_one_problem_and_start_up_goes_on(tmp_path, change):
    folder = tmp_path / "bad"
    shutil.copytree(ROOT / "models" / "font3-ae2d", folder)
    tensors = load((folder / "model.safetensors").read_bytes())
    name = sorted(tensors)[0]
    t = tensors[name].clone()
    if change == "int64":
        t = t.to(torch.int64)
    else:
        t.view(-1)[0] = float(change)
    tensors[name] = t
    blob = save(tensors)
    (folder / "model.safetensors").write_bytes(blob)
    meta = json.loads((folder / "model.json").read_text())
    meta["weights_sha256"] = hashlib.sha256(blob).hexdigest()
    (folder / "model.json").write_text(json.dumps(meta))

    startup = open_startup([folder])
    assert len(startup.problems) == 1 and repr(name) in startup.problems[0], startup.problems
    assert str(folder) in startup.problems[0]
    assert len(startup.models) == len(DEMO_MODELS) and not startup.last_session
