"""Launch aegui: `python main.py` (the app), `--smoke`, `--screenshot FILE.png [--size WxH --lang es --theme dark]`."""
import time

START = time.perf_counter()

import signal  # noqa: E402
import sys  # noqa: E402


def _run() -> int:
    try:
        from aegui.cli import lost_ctrl_c, whole_import
        lost_ctrl_c.install()       # Ctrl-C Python would swallow in a callback: sent again
        whole_import.install()      # Ctrl-C while numpy or torch imports: answered once it is in
        from aegui.qt.startup.app import run
        return run(sys.argv[1:], start=START)
    except KeyboardInterrupt:
        # Ctrl-C while the window starts (importing Qt, torch): one line, no traceback.
        print("\naegui: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    code = _run()
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # exiting: a late Ctrl-C must not print a traceback
    sys.exit(code)
