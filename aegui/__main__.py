import signal
import sys


def _run() -> int:
    try:
        from aegui.cli import main
        return main()
    except KeyboardInterrupt:
        # Ctrl-C while starting (importing torch) or at a point no command catches: one line.
        print("\naegui: interrupted", file=sys.stderr)
        return 130


code = _run()
# Exiting now: a late Ctrl-C during the interpreter's shutdown must not print a traceback.
signal.signal(signal.SIGINT, signal.SIG_IGN)
sys.exit(code)
