"""Entry point of the packaged app (PyInstaller, installer/aegui.spec).

    aegui [--smoke] [--screenshot FILE.png] [--lang es] ...   the app, exactly as `python main.py ...`
    aegui train|eval|decode ...                               the command line, as `python -m aegui ...`

Like main.py it hands the app a start time, so --smoke's window_shown_s is measured from
process start. Here that is the real start of the process where the OS says when it was
(Linux: /proc/self/stat), which also counts the bootloader and the interpreter's own start;
elsewhere it is the first line of this script, as in main.py.
"""
import time

START = time.perf_counter()

import os  # noqa: E402
import sys  # noqa: E402


def process_start() -> float:
    """The process's start on the time.perf_counter() clock (Linux; else this script's start)."""
    try:
        with open("/proc/self/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")   # field 22: starttime, ticks since boot
        now_perf = time.perf_counter()
        elapsed = time.clock_gettime(time.CLOCK_BOOTTIME) - started   # tick (10 ms) resolution
        if 0 <= elapsed < 60:
            return now_perf - elapsed
    except (OSError, ValueError, IndexError, AttributeError):
        pass
    return START


def main(argv) -> int:
    if argv and not argv[0].startswith("-"):
        from aegui.cli import main as cli_main    # train / eval / decode
        return cli_main(argv)
    start = process_start()
    from aegui.qt.startup.app import run
    return run(argv, start=start)


if __name__ == "__main__":
    try:
        from aegui.cli import whole_import
        whole_import.install()      # Ctrl-C while numpy or torch imports: answered once it is in
        code = main(sys.argv[1:])
    except KeyboardInterrupt:
        # Ctrl-C while the command or the window starts (importing aegui.cli, Qt): one line.
        print("\naegui: interrupted", file=sys.stderr)
        code = 130
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # exiting: a late Ctrl-C must not print a traceback
    sys.exit(code)
