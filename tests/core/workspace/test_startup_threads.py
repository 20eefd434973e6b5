"""Start-up opens its demo models on one torch thread: each runs over its shown samples (codes,
reconstructions), a few tiny operations, and tiny operations on several OpenMP threads spin and
wait for a core whenever another process wants one (the four demo models took 0.2-0.35 s on two
threads on a busy 2-core machine, 0.045 s on one). The thread count is given back afterwards:
training picks its own."""
import torch

import aegui.core.runs.trained as trained
from aegui.core.workspace import startup


def test_the_demo_models_open_on_one_torch_thread_and_the_count_is_given_back(monkeypatch):
    seen = []
    real_open = trained.open_trained

    def counting(path, *args, **kw):
        seen.append(torch.get_num_threads())
        return real_open(path, *args, **kw)

    monkeypatch.setattr(trained, "open_trained", counting)     # open_startup imports it when it runs
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        out = startup.open_startup()
        assert out.problems == [] and len(out.models) == len(startup.DEMO_MODELS)
        assert seen == [1] * len(startup.DEMO_MODELS)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
