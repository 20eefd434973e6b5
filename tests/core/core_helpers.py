"""Plain helpers for the core and CLI tests (fixtures live in conftest.py)."""
import json
from pathlib import Path

from aegui.core.schema.experiment import Experiment
from aegui.core.config.validation import with_changes

ROOT = Path(__file__).resolve().parents[2]
PRESETS = ROOT / "resources" / "presets"
SMALL_LAYERS = (35, 16, 2, 16, 35)


def small_experiment(**sections) -> Experiment:
    """A small, fast, CPU experiment on Font3; `sections` as in with_changes (merged)."""
    base = {"model": {"layers": SMALL_LAYERS},
            "train": {"epochs": 60, "check_every": 10, "device": "cpu", "seeds": 1}}
    for name, values in sections.items():
        base.setdefault(name, {}).update(values)
    return with_changes(Experiment(), **base)


def run_cli(argv) -> int:
    """aegui's main() in-process; argparse errors exit through SystemExit, the rest return."""
    from aegui.cli import main
    try:
        return main([str(a) for a in argv])
    except SystemExit as e:
        return e.code


def last_json(text: str) -> dict:
    """The JSON object a command printed last."""
    return json.loads(text.strip().splitlines()[-1])


def ctrl_c_in_a_callback(script: str) -> str:
    """A child script that sends itself SIGINT (the line `os.kill(os.getpid(), signal.SIGINT)`),
    changed so that the Ctrl-C lands inside a weakref callback instead, as one does when it comes
    while importlib frees a module's lock: the callback raises the signal, so Python's handler
    raises KeyboardInterrupt inside it, where Python prints "Exception ignored" and goes on."""
    kill = next(line for line in script.splitlines() if line.strip() == "os.kill(os.getpid(), signal.SIGINT)")
    pad = kill[:len(kill) - len(kill.lstrip())]
    swallowed = ["import weakref", "class Lock: pass", "lock = Lock()",
                 "ref = weakref.ref(lock, lambda r: signal.raise_signal(signal.SIGINT))", "del lock"]
    return script.replace(kill, "\n".join(pad + line for line in swallowed))
