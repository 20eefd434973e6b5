"""What every command shares: the exit statuses, the error that prints as one line, the parser that
exits with status 2, and the option types."""
from __future__ import annotations

import argparse

EXIT_BAD_INPUT = 2
EXIT_CANCELLED = 130


class UserError(Exception):
    """Bad input from the user: printed as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(EXIT_BAD_INPUT, f"aegui: error: {message} (see `{self.prog} --help`)\n")


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


def parse_level(text: str) -> float:
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"noise level {text!r} is not a number; use e.g. 0.1 or 10%") from None
    if text.endswith("%") or value > 1:
        value /= 100
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"noise level {text!r} must be between 0 and 1 (or 0% and 100%)")
    return value


def parse_point(text: str) -> list[float]:
    try:
        return [float(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--z {text!r} must be numbers separated by commas, e.g. 0.5,-1") from None


def parse_dims(text: str) -> tuple[int, int]:
    try:
        dims = tuple(int(v) for v in text.split(","))
    except ValueError:
        dims = ()
    if len(dims) != 2 or min(dims) < 0:
        raise argparse.ArgumentTypeError(f"--dims {text!r} must be two latent dimensions, e.g. 0,1")
    return dims


def parse_range(text: str) -> tuple[float, float]:
    values = parse_point(text)
    if len(values) != 2 or not values[0] < values[1]:
        raise argparse.ArgumentTypeError(f"--range {text!r} must be two numbers LO,HI with LO < HI, e.g. -2.5,2.5")
    return values[0], values[1]


def load_model_dir(path):
    from aegui.core.files.storage import load_model
    return load_model(path)
