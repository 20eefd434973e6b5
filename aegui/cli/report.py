"""`aegui report NAME --out DIR`: run the experiments of a course document (or all five) and write
the page that sets each figure beside what the document reports (core/analyses/report/run.py).

Progress goes to the terminal; Ctrl-C stops the experiment under way (its finished runs are
kept) and writes the page of what finished; running the same command again picks up where it
stopped (finished experiments are not run again). The last stdout line is one JSON object.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from aegui.cli.common import EXIT_CANCELLED, UserError, catch_sigint


def add_parsers(sub) -> None:
    """Adds `report`: a course document's experiments run and written as a report page."""
    r = sub.add_parser("report", help="run a course document's experiments and write the report page (HTML + PNG/CSV)",
                       description="Run every experiment of a course document with aegui's presets and write "
                       "DIR/index.html (each experiment's figures and tables next to what the document reports, the "
                       "settings and the time), DIR/report.md and DIR/report.json. Resumable: experiments that "
                       "finished before are not run again; Ctrl-C keeps what finished.")
    r.add_argument("name", help="a course document: 000 ... 004, seed-001, its file (001_dbabd43b1e3a834f.txt, or "
                   "its path), 'all', or a report JSON")
    r.add_argument("--out", required=True, help="output folder (reused to resume)")
    r.add_argument("--only", default="", help="comma-separated experiment ids to run (e.g. 001-architectures)")
    r.add_argument("--rerun", default="", help="comma-separated experiment ids to run again even if finished")
    r.add_argument("--markdown", help="also write the Markdown table here, its picture links relative to it "
                   "(docs/course-reports.md)")
    r.add_argument("--list", action="store_true", help="list the experiments and their state; run nothing")
    r.add_argument("--quiet", action="store_true", help="no progress on the terminal (a failure is still said)")
    r.add_argument("--ray", nargs="?", const="local", metavar="local|ADDRESS",
                   help="train each run as a Ray task: 'local' (or nothing) starts Ray on this computer for the "
                   "report; ADDRESS (host:6379, ray://host:10001) uses that cluster. Needs the cluster extra")
    r.add_argument("--cpus", type=int, help="CPUs of the Ray instance --ray local starts (default: all)")


def _ids(text: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in text.split(",") if t.strip())


def _describe(p) -> str:
    """One line for a running report's ReportProgress, from its preset job's own item (`detail`)."""
    from aegui.core.analyses.compare.runs import CompareProgress
    from aegui.core.analyses.classify.classifier import ClassifierProgress
    from aegui.core.analyses.classify.probe import ProbeRunProgress
    from aegui.core.analyses.sweeps.sweep import SweepProgress
    from aegui.core.analyses.report.on_ray import ClusterProgress, nodes_line
    d = p.detail
    head = f"[{p.index}/{p.count}] {p.experiment}"
    if isinstance(d, ClusterProgress):
        return f"{head}: {d.runs_done}/{d.runs} runs" + (f"; {nodes_line(d.nodes, d.waiting)}" if d.nodes or d.waiting
                                                          else "")
    if isinstance(d, CompareProgress):
        inner = f"run {d.run}/{d.runs}"
        if d.epoch is not None:
            inner += f" epoch {d.epoch}/{d.epochs}"
    elif isinstance(d, SweepProgress) and d.group:
        inner = f"group {d.group}/{d.groups} epoch {d.epoch}/{d.epochs}"
    elif isinstance(d, ProbeRunProgress) and d.stage is not None:
        inner = f"{d.stage} epoch {'?' if d.epoch is None else d.epoch}/{'?' if d.epochs is None else d.epochs}"
    elif d.state == "pretraining":
        inner = f"pretraining epoch {d.epoch}/{d.epochs}"
    else:
        inner = d.state
    if isinstance(d, ClassifierProgress) and d.seeds > 1:
        inner = f"seed {d.seed + 1}/{d.seeds}: {inner}"
    return f"{head}: {inner}"


def cmd_report(args) -> int:
    """`aegui report`: runs (or resumes) a course document's experiments into --out and writes the page,
    Markdown and JSON; --list only shows each experiment's state. Returns the exit status."""
    from aegui.core.analyses.report.files import ReportError
    from aegui.core.analyses.report.run import ReportJob, holding_folder, load_report
    from aegui.core.analyses.sweeps.tasks import ClusterUnavailable
    from aegui.core.files.errors import user_message
    from aegui.core.jobs.job import CANCELLED
    if args.markdown is not None and Path(args.markdown).is_dir():
        # Found only when the page is written, after hours of training, as a temp file's error.
        raise UserError(f"--markdown {args.markdown}: is a folder; name the Markdown file to write, "
                        f"e.g. {Path(args.markdown) / 'report.md'}")
    from aegui.core.analyses.report.on_ray import cluster_address
    starts_ray = args.ray is not None and cluster_address(args.ray) is None
    if args.cpus is not None and not (1 <= args.cpus <= 4096 and starts_ray):
        raise UserError("--cpus needs --ray local and a whole number from 1 to 4096")
    specs = load_report(args.name)
    if args.list:
        return _list(ReportJob(specs, args.out, only=_ids(args.only), rerun=_ids(args.rerun)))
    try:
        job = ReportJob(specs, args.out, only=_ids(args.only), rerun=_ids(args.rerun), markdown=args.markdown,
                        ray=args.ray, cpus=args.cpus)
    except ClusterUnavailable as e:     # Ray not installed: said before any work
        raise UserError(str(e)) from None
    try:
        # Held through the page written after a second Ctrl-C too (the job's steps hold it again).
        with holding_folder(job.out_dir):
            last = _run(job, args)
    except ReportError as e:        # another report in the folder, a page or a disk that takes no more
        raise UserError(str(e)) from None
    except OSError as e:
        raise UserError(user_message(e)) from None
    if last is None:
        raise UserError("the report ran nothing")
    pages = {k: str(v) for k, v in (last.result or {}).items()}
    summary = {"report": [s.id for s in specs], "out": str(args.out), "pages": pages, "state": last.state,
               "experiments": []}
    failed = False
    for spec, exp in job.todo():
        state, record = job.state(spec, exp)
        entry = {"id": job.qualified(spec, exp),
                 "state": "waiting for data" if state == "waiting for its data" else state}
        failed |= state == "failed"
        if state == "done":
            entry["seconds"] = record["seconds"]
        summary["experiments"].append(entry)
    if not args.quiet:
        print(f"aegui: wrote {pages.get('html', '')}", file=sys.stderr)
    print(json.dumps(summary))
    if last.state == CANCELLED:
        return EXIT_CANCELLED
    return 1 if failed else 0


def _list(job) -> int:
    for spec, exp in job.todo():
        state, record = job.state(spec, exp)
        shown = f"done ({record['seconds']:g} s)" if state == "done" else "stale" if state == "stale" else "to run"
        print(f"{job.qualified(spec, exp):32} {shown:16} {exp.title}")
        if record.get("error") and state == "not run":     # a damaged file, named
            print(f"  {record['error']}")
        if state == "stale":        # what changed since it was made
            print(f"  {record['reason']}")
    return 0


def _run(job, args):
    """Runs the report with its progress on stderr; the last progress item. --quiet leaves out
    the progress, never a failure: a failed experiment is said on stderr (and exits 1)."""
    from aegui.core.analyses.report.run import ReportProgress
    from aegui.core.jobs.job import CANCELLED
    tty = not args.quiet and sys.stderr.isatty()
    previous = catch_sigint(job, "finished experiments and runs are kept; the page shows what finished")
    last, last_draw = None, 0.0
    try:
        for item in job.steps():
            state = item.state
            if state == "running":
                now = time.monotonic()
                if tty and now - last_draw > 0.2:
                    last_draw = now
                    bar = "#" * int(item.fraction * 20)
                    sys.stderr.write(f"\r\033[K[{bar:<20}] {_describe(item)}"[:160])
                    sys.stderr.flush()
                continue
            if tty:
                sys.stderr.write("\r\033[K")
            said = state == "failed" or not args.quiet      # a failure is said even with --quiet
            if said and state in ("experiment_done", "skipped", "needs_data", "failed", "remade"):
                what = {"experiment_done": f"done in {item.seconds:.0f} s", "skipped": "already done",
                        "needs_data": "waits for its data", "failed": "FAILED", "remade": "damaged"}[state]
                print(f"aegui: [{item.index}/{item.count}] {item.experiment}: {what}"
                      + (f": {item.message}" if state in ("needs_data", "failed", "remade") else ""), file=sys.stderr)
            last = item
    except KeyboardInterrupt:       # the second Ctrl-C: stop at once; what finished is on disk
        from aegui.core.analyses.report.page import write_pages
        if tty:
            sys.stderr.write("\r\033[K")
        last = ReportProgress(state=CANCELLED, result=write_pages(job))
    finally:
        if previous is not None:
            import signal
            signal.signal(signal.SIGINT, previous)
    return last


HANDLERS = {"report": cmd_report}
