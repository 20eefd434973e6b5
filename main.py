"""Launch aegui: `python main.py` (the app), `--smoke`, `--screenshot FILE.png [--size WxH --lang es --theme dark]`."""
import time

START = time.perf_counter()

import sys  # noqa: E402

from aegui.qt.app import run  # noqa: E402

if __name__ == "__main__":
    sys.exit(run(sys.argv[1:], start=START))
