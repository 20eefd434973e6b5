"""What the window opens at start: torch, the demo models and the last session's model (run on a
worker thread, so the window shows first)."""
from __future__ import annotations

from dataclasses import dataclass, field

# The first denoiser here is the pixel editor's model: the general one denoises letters of any
# 5x7 font (docs/general-denoiser.md), where font3-dae snaps everything to a Font3 glyph; the
# local one takes over for drawings unlike all of its training glyphs.
DEMO_MODELS = ("font3-ae2d", "general-5x7-dae", "font3-dae", "general-5x7-local")


@dataclass
class Startup:
    """What opening the window loads on a worker: the models (demos first), the problems with those that did not
    open, and the devices torch can use."""
    models: list = field(default_factory=list)       # TrainedModel, demo models first
    last_session: bool = False                       # the last one is the last session's model
    problems: list[str] = field(default_factory=list)   # one sentence per model that did not open
    devices: list = field(default_factory=list)      # (key, label) of the devices torch can use
    device_name: str = ""
    torch: str = ""


def open_startup(extra_paths=()) -> Startup:
    """Imports torch, opens the demo models (with one torch thread) and `extra_paths` (the last session's model,
    --model); a model that fails to open becomes a sentence in `problems`."""
    import torch

    from aegui.core.train import devices as D
    from aegui.core.train.threads import one_thread
    out = Startup(devices=D.choices(), device_name=D.describe(D.resolve_device("auto")), torch=torch.__version__)
    # Opening a demo model runs it over its shown samples: tiny operations, which on several
    # OpenMP threads wait for a core whenever another process wants one (train/threads.py). A
    # model of the user's may be big enough to want them all.
    with one_thread():
        _open_demos(out)
    _open_paths(out, extra_paths)
    return out


def _open_demos(out: Startup) -> None:
    from aegui.core.files.errors import user_message
    from aegui.core.files.paths import models_dir
    from aegui.core.runs.trained import open_trained
    for name in DEMO_MODELS:
        try:
            model = open_trained(models_dir() / name)
        except Exception as e:   # noqa: BLE001 - a broken demo must not stop the app
            out.problems.append(user_message(e, models_dir() / name))
            continue
        model.demo = True
        out.models.append(model)


def _open_paths(out: Startup, paths) -> None:
    from aegui.core.files.errors import user_message
    from aegui.core.runs.trained import open_trained
    for path in paths:
        try:
            out.models.append(open_trained(path))
            out.last_session = True
        except Exception as e:   # noqa: BLE001 - nor a broken model of the user's
            out.problems.append(user_message(e, path))
