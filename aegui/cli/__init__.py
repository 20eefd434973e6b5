"""Command line: `aegui` (no arguments) opens the app; `aegui train|eval|export|import|teach|decode|sweep|data|replay|report ...`
run headless.

Bad input ends with exit status 2 and one line on stderr that names the file, field or
line and what to do; never a traceback.
"""
from __future__ import annotations

import sys

# Nothing else is imported with this module: the `aegui` script imports it before main() runs,
# and a Ctrl-C while the commands' modules came in (numpy, the config fields: half a second)
# escaped main()'s handler as a KeyboardInterrupt traceback. main() imports them.


def groups() -> tuple:
    """The command modules, each with its add_parsers(sub) and HANDLERS."""
    from aegui.cli import analyses, data, decode, export, importing, replay, report, sweep, teach, train
    return (train, export, importing, decode, sweep, analyses, data, replay, teach, report)


def build_parser():
    """The `aegui` argument parser with every command group's subcommands; parse errors exit with status 2 and
    one line."""
    import aegui
    from aegui.cli.common import Parser
    p = Parser(prog="aegui", description="aegui, the autoencoder studio. With no command, opens the app.")
    p.add_argument("--version", action="version", version=f"aegui {aegui.__version__}")
    sub = p.add_subparsers(dest="command", parser_class=Parser)
    for group in groups():
        group.add_parsers(sub)
    return p


def _glue_negative_points(argv):
    """`--z -1,0.5` as `--z=-1,0.5`: argparse takes a value that starts with '-' and is not a
    plain number for an option and fails."""
    out = []
    for arg in argv:
        if out and out[-1] in ("--z", "--range") and arg[:1] == "-" and arg[1:2].isdigit() or \
                out and out[-1] in ("--z", "--range") and arg[:2] == "-.":
            out[-1] = f"{out[-1]}={arg}"
        else:
            out.append(arg)
    return out


def _pipe_closed() -> int:
    """The reader of our output went away (`aegui data list | head`): end quietly. Python's own
    recipe: point stdout at devnull so the flush at exit does not fail a second time."""
    import os
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 1


def main(argv=None) -> int:
    """The command line; `argv` None: run as the program (the `aegui` script), sys.argv's."""
    whole = resender = None
    try:
        if argv is None:
            # Headless training on a busy machine (a lab's, a sweep's or the report's own processes):
            # idle OpenMP threads sleep soon instead of keeping a core from the thread they wait for.
            from aegui.core.train.threads import idle_threads_sleep
            idle_threads_sleep()
        from aegui.cli import lost_ctrl_c, whole_import
        resender = lost_ctrl_c.install()
        whole = whole_import.install()
        return _main(argv)
    except KeyboardInterrupt:
        # Ctrl-C while starting (importing torch) or where no command catches it: one line.
        print("\naegui: interrupted", file=sys.stderr)
        return 130      # common.EXIT_CANCELLED (its import may be what was interrupted)
    finally:
        if whole is not None:
            whole_import.uninstall(whole)
        if resender is not None:
            lost_ctrl_c.uninstall(resender)
        if argv is None:
            _exiting()


def _exiting() -> None:
    """The program ends when main() returns: a Ctrl-C during the interpreter's exit must not
    print a traceback (as aegui/__main__.py and main.py do after their main)."""
    import signal
    import threading
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _main(argv=None) -> int:
    from aegui.cli.common import EXIT_BAD_INPUT, UserError
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0].startswith("--") and argv[0] not in ("--help", "-h", "--version"):
        from aegui.qt.startup.app import run
        return run(argv)
    args = build_parser().parse_args(_glue_negative_points(argv))
    from aegui.core.schema.experiment import ConfigError, clipped
    from aegui.core.data.glyphs import FontParseError
    from aegui.core.runs.storage import ModelFileError
    handlers = {name: fn for group in groups() for name, fn in group.HANDLERS.items()}
    try:
        status = handlers[args.command](args)
        sys.stdout.flush()      # a closed pipe shows here for output still buffered, not at exit
        return status
    except BrokenPipeError:
        return _pipe_closed()
    except (UserError, ConfigError, FontParseError, ModelFileError) as e:
        print(f"aegui: error: {clipped(str(e))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as e:
        # One sentence as every reader words it (errors.user_message): the file, then what to do.
        from aegui.core.files.errors import user_message
        print(f"aegui: error: {user_message(e)}", file=sys.stderr)
        return EXIT_BAD_INPUT
