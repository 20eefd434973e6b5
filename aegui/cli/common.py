"""What every command shares: the exit statuses, the error that prints as one line, the parser that
exits with status 2, and the option types."""
from __future__ import annotations

import argparse

from aegui.core.schema.experiment import clipped, shown

EXIT_BAD_INPUT = 2
EXIT_CANCELLED = 130


class UserError(Exception):
    """Bad input from the user: printed as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse's parser with aegui's exit status and a clipped one-line message for bad arguments."""
    def error(self, message):
        """Exits with EXIT_BAD_INPUT and the message cut to one line, pointing at --help."""
        # argparse repeats the value it refused, whole: one_line keeps a 1 MB argument out.
        self.exit(EXIT_BAD_INPUT, f"aegui: error: {clipped(message)} (see `{self.prog} --help`)\n")


def catch_sigint(runner, kept: str):
    """Ctrl-C cancels `runner` (kept says what survives); a second one stops at once. Returns the
    handler to restore, None off the main thread."""
    import signal
    import sys
    import threading

    def on_sigint(signum, frame):
        if runner.cancelled:        # a second Ctrl-C: stop at once
            raise KeyboardInterrupt
        runner.cancel()
        print(f"\naegui: cancelling; {kept} (Ctrl-C again to quit at once)", file=sys.stderr)

    if threading.current_thread() is threading.main_thread():
        return signal.signal(signal.SIGINT, on_sigint)
    return None


class Interrupts:
    """Ctrl-C for a command that saves what it made (train, teach). The first asks `stop` to end
    the run after its step, so the result is saved; the second raises KeyboardInterrupt where the
    command is, to cut a long step short (it still saves). While `saving()`, Ctrl-C only says the
    save goes on: a half-written model would lose the work. `count` says how many came (exit 130)."""

    def __init__(self, stop, kept: str):
        self.stop, self.kept = stop, kept
        self.count = 0
        self._saving = False
        self._previous = None

    def _on_sigint(self, signum, frame):
        import sys
        self.count += 1
        if self._saving:
            print("\naegui: saving; it ends in a moment", file=sys.stderr)
        elif self.count == 1:
            self.stop()
            print(f"\naegui: stopping; {self.kept} (Ctrl-C again to skip what is left)", file=sys.stderr)
        else:
            raise KeyboardInterrupt

    def __enter__(self):
        import signal
        import threading
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def __exit__(self, *exc):
        import signal
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False

    def saving(self):
        """From here on Ctrl-C lets the save finish."""
        self._saving = True

    @property
    def exit_code(self) -> int:
        """130 (EXIT_CANCELLED) once Ctrl-C was pressed, else 0."""
        return EXIT_CANCELLED if self.count else 0


def duration(seconds: float) -> str:
    """A time as a progress line says it: "40 s", "12 min", "3.5 h"."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def parse_seed(text: str) -> int:
    """--seed within the range the config's train.seed takes (config/fields.py): past 2^63 torch
    failed deep inside training with "Overflow when unpacking long long"."""
    from aegui.core.config.fields import FIELDS
    lo, hi = FIELDS["train.seed"].range
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--seed {text[:40]!r} is not a whole number") from None
    if not lo <= value <= hi:
        raise argparse.ArgumentTypeError(f"{text[:40]} is out of range; a seed is a whole number from {lo} to {hi}")
    return value


def out_folder(text: str):
    """--out as the folder a model's files go into; UserError when it names a file, before any
    work (teaching used to run, then fail with "Is a directory" and leave debris)."""
    from pathlib import Path
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise UserError(f"--out {text}: is a file; --out names a folder for model.safetensors, model.json "
                        "and the rest")
    if path.suffix.lower() in (".json", ".safetensors", ".csv", ".h"):
        raise UserError(f"--out {text}: names a {path.suffix} file; --out names a folder for the model's "
                        f"files, e.g. --out {path.with_suffix('')}")
    return path


def parse_level(text: str) -> float:
    """A noise level as a fraction: "0.1", "10%" and "10" all give 0.1; anything outside 0-100 % is refused."""
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"noise level {shown(text)} is not a number; use e.g. 0.1 or 10%") from None
    if text.endswith("%") or value > 1:
        value /= 100
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"noise level {shown(text)} must be between 0 and 1 (or 0% and 100%)")
    return value


def parse_point(text: str) -> list[float]:
    """--z: comma-separated numbers as a list of floats."""
    try:
        return [float(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--z {shown(text)} must be numbers separated by commas, "
                                         "e.g. 0.5,-1") from None


def parse_dims(text: str) -> tuple[int, int]:
    """--dims: two non-negative latent dimension indices, "I,J"."""
    try:
        dims = tuple(int(v) for v in text.split(","))
    except ValueError:
        dims = ()
    if len(dims) != 2 or min(dims) < 0:
        raise argparse.ArgumentTypeError(f"--dims {shown(text)} must be two latent dimensions, e.g. 0,1")
    return dims


def parse_range(text: str) -> tuple[float, float]:
    """--range: "LO,HI" with LO < HI, as a pair of floats."""
    values = parse_point(text)
    if len(values) != 2 or not values[0] < values[1]:
        raise argparse.ArgumentTypeError(f"--range {shown(text)} must be two numbers LO,HI with LO < HI, e.g. -2.5,2.5")
    return values[0], values[1]


def load_model_dir(path):
    """(network, experiment, metadata) of a saved model folder or its .json / .safetensors."""
    from aegui.core.runs.storage import load_model
    return load_model(path)
