"""The course report: every experiment of one course document (../shared/seeds/NNN_*.txt) run
with aegui's presets, each figure and table written next to what the document reports, with
the settings and the time it took (`aegui report NAME --out DIR`).

A report file (resources/reports/NNN.json) lists the document's experiments::

    {"document": "001_dbabd43b1e3a834f.txt", "id": "001", "title": "...", "about": "...",
     "experiments": [
        {"id": "architectures", "title": "...",
         "preset": "../sweeps/seed001-architectures.json",   # a sweep, compare or classifier preset
         "document": "what the document reports (its figures are not in its text: its numbers and
                      conclusions, in our words)",
         "figures": ["curves", "bars"],                        # see report_render
         "check": "001-architectures",                        # see report_checks
         "tolerance": 0.001,         # optional: made again from scratch, its numbers agree within 0.1 %
                                     # ("seeds": its means over seeds agree, report/seed_drift.py)
         "expected_failure": ["bad"]}]}   # optional: runs the document means to fail (report/health.py)

Running (ReportJob): experiments in order; each writes DIR/<id>/ (its PNG and CSV files, and
work/ with the trained models and raw runs) and, last, DIR/<id>/done.json with its summary,
findings, settings, time and every run's health (report/health.py: whether it trained, and why not). A finished experiment whose preset is unchanged is not run again
(resumable: a cancel or a crash loses at most the experiment under way, and the compare and
classifier presets keep their finished runs inside it too). "Unchanged" is the row's key
(report/keys.py): its preset, the data it reads, the numerics revisions of the aegui components
that compute it and the libraries' versions. A row finished with another key is "stale": listed
and shown as such, and run again, its saved runs (work/) with it unless only the report's own
checks and figures changed. An experiment whose data is not on
this machine (Fashion-MNIST when it was never fetched) is recorded as waiting for its data and
tried again next time. After every experiment the page is written again: DIR/index.html,
DIR/report.md (a table for docs/course-reports.md) and DIR/report.json.

With `ray` ("local" or a cluster's address; `aegui report --ray`) each row's training runs are Ray
tasks, one a run, their files written here as they come back (report/on_ray.py says which rows go
per run and which whole). Every row's runs are sent before the first row is combined, so a free
node never waits for the rows before it.

One report at a time in a folder: the job holds DIR/.report.lock (files/lock.py, the lock of a
model folder) while it runs, and another is refused at once (ReportError naming its process and
when it started). A write that fails on a full disk stops the report (ReportError naming the
path): the experiments after it would train for their minutes or hours, then fail the same way.

Job shape (for the window's worker, like the sweeps' jobs)::

    job = ReportJob(load_report("001"), "out/001")
    for p in job.steps(): ...   # ReportProgress: "running" (experiment, title, index, count, and
                                # the preset job's own progress as `detail`), "experiment_done" |
                                # "skipped" | "needs_data" | "failed" | "remade" (with a `message`),
                                # and last "finished" | "cancelled" with the pages as `result`
    job.cancel()                # stops the experiment under way (its finished runs are kept)
"""
from __future__ import annotations

import errno
import json
import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from aegui.core.analyses.report.drift import SEEDS
from aegui.core.analyses.report.files import DONE, FAILED, WAITING
from aegui.core.schema.experiment import ConfigError
from aegui.core.jobs.job import CANCELLED, FINISHED, Job, Progress

EXPERIMENT_KEYS = ("id", "title", "preset", "document", "figures", "check", "options", "tolerance",
                   "expected_failure")
REPORT_KEYS = ("document", "id", "title", "short", "about", "experiments")


@dataclass(frozen=True)
class ReportExperiment:
    id: str
    title: str
    preset: Path
    document: str
    figures: tuple[str, ...] = ()
    check: str = ""
    options: dict = field(default_factory=dict, hash=False, compare=False)
    # The relative difference within which the row's numbers are the same when it is made again
    # from scratch (stated on the page; tests/cli/test_report_reproduces.py holds the page to it),
    # or SEEDS: its means over seeds are (report/seed_drift.py).
    tolerance: float | str | None = None
    # The runs the document means to fail (a text each run label, seed left out, contains; "*":
    # every run): their failure is the claim, so they count in the means and a finding on them is
    # judged, not "not comparable" (report/health.py).
    expected_failure: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportSpec:
    id: str
    document: str
    title: str
    about: str
    experiments: tuple[ReportExperiment, ...]
    source: str | None = None
    short: str = ""          # a few words that tell the documents apart where the title has no room


def reports_dir() -> Path:
    from aegui.core.files.paths import resources_dir
    return resources_dir() / "reports"


def report_names() -> list[str]:
    return sorted(p.stem for p in reports_dir().glob("*.json"))


def resolve(name) -> list[Path]:
    """The report files a name means: "all", "001", "seed-001", a course document's file name
    or path ("001_dbabd43b1e3a834f.txt": its number picks the report), or a report JSON path."""
    text = str(name).strip()
    if text.lower() == "all":
        return sorted(reports_dir().glob("*.json"))
    p = Path(text).expanduser()
    if p.suffix == ".json" and p.is_file():
        return [p]
    found = re.match(r"^(?:seed[-_ ]?)?(\d{3})(?:[_.].*)?$", p.name, re.IGNORECASE)
    if found and (reports_dir() / f"{found.group(1)}.json").is_file():
        return [reports_dir() / f"{found.group(1)}.json"]
    known = ", ".join(report_names())
    raise ConfigError("report", f"{text!r} names no course document; give one of {known}, 'all', a course "
                      "document's file (e.g. 001_dbabd43b1e3a834f.txt) or a report JSON")


def spec_from_dict(raw, source: str | None = None, base_dir=None) -> ReportSpec:
    def bad(key, problem):
        raise ConfigError(key, problem, source)

    if not isinstance(raw, dict):
        bad("(top level)", "a report file must be a JSON object")
    unknown = sorted(set(raw) - set(REPORT_KEYS))
    if unknown:
        bad(unknown[0], f"unknown key; a report file has: {', '.join(REPORT_KEYS)}")
    base = Path(base_dir) if base_dir is not None else Path(".")
    exps, seen = [], set()
    for i, e in enumerate(raw.get("experiments", [])):
        if not isinstance(e, dict):
            bad(f"experiments[{i}]", "must be an object")
        extra = sorted(set(e) - set(EXPERIMENT_KEYS))
        if extra:
            bad(f"experiments[{i}].{extra[0]}", f"unknown key; an experiment has: {', '.join(EXPERIMENT_KEYS)}")
        for key in ("id", "title", "preset", "document"):
            if not isinstance(e.get(key), str) or not e[key].strip():
                bad(f"experiments[{i}].{key}", "must be a non-empty string")
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", e["id"]) or e["id"] in seen:
            bad(f"experiments[{i}].id", f"{e['id']!r}: use lowercase letters, digits and dashes, once each")
        seen.add(e["id"])
        tolerance = e.get("tolerance")
        if tolerance is not None and tolerance != SEEDS and (isinstance(tolerance, bool) or not isinstance(
                tolerance, (int, float)) or not 0 <= tolerance < 1):
            bad(f"experiments[{i}].tolerance", f"must be a relative difference from 0 to 1 (e.g. 0.001 for 0.1 %), "
                f"or {SEEDS!r} (the row holds as another draw of its seeds)")
        failing = e.get("expected_failure", [])
        if not isinstance(failing, list) or not all(isinstance(t, str) and t.strip() for t in failing):
            bad(f"experiments[{i}].expected_failure", 'must be a list of texts of run labels (e.g. ["bad"]), or ["*"]')
        preset = (base / e["preset"]).resolve()
        if not preset.is_file():
            bad(f"experiments[{i}].preset", f"{e['preset']}: no such preset file")
        _check_seeds(e.get("options", {}), preset, f"experiments[{i}].options", bad)
        exps.append(ReportExperiment(e["id"], e["title"], preset, e["document"], tuple(e.get("figures", ())),
                                     e.get("check", ""), dict(e.get("options", {})),
                                     tolerance if tolerance in (None, SEEDS) else float(tolerance),
                                     tuple(failing)))
    if not exps:
        bad("experiments", "list at least one experiment")
    for key in ("id", "document", "title"):
        if not isinstance(raw.get(key), str):
            bad(key, "must be a string")
    if not isinstance(raw.get("short", ""), str):
        bad("short", "must be a string")
    return ReportSpec(raw["id"], raw["document"], raw["title"], str(raw.get("about", "")), tuple(exps), source,
                      raw.get("short", "") or raw["title"])


def _check_seeds(options, preset: Path, where: str, bad) -> None:
    """A row's own seed count (options.seeds: the report's rule on seeds, where its preset's count
    is the one a user runs) is a whole number from 1 to 100, of a preset whose seeds are one count."""
    if not isinstance(options, dict):
        bad(where, "must be an object")
    if "seeds" not in options:
        return
    from aegui.core.analyses.presets import SEEDED_KINDS, read_preset
    from aegui.core.analyses.sweeps.sweep import check_seed_count
    check_seed_count(options["seeds"], bad, f"{where}.seeds")
    kind = read_preset(preset).kind
    if kind not in SEEDED_KINDS:
        bad(f"{where}.seeds", f"a {kind} preset's seeds are its own; only a {' or '.join(SEEDED_KINDS)} row's "
            "can be set here")


def row_preset(exp: ReportExperiment):
    """The PresetInfo a row runs: its preset, with the row's own seed count where it sets one."""
    from aegui.core.analyses.presets import read_preset
    return read_preset(exp.preset, seeds=exp.options.get("seeds"))


def load_report(name) -> list[ReportSpec]:
    from aegui.core.files.jsonfile import read_json
    return [spec_from_dict(read_json(p), str(p), p.parent) for p in resolve(name)]


def preset_documents(root: Path | None = None) -> dict[str, tuple[str, ...]]:
    """The course documents (report ids, "000"-"004") each preset belongs to, by file stem: the
    presets a report runs, the presets named after a document ("seed001-search"), and the quick
    variant of either ("scipy-optimizers-quick" with "scipy-optimizers"). A preset of no document
    is left out."""
    from aegui.core.analyses.presets import preset_files
    if root is None:
        from aegui.core.files.paths import resources_dir
        root = resources_dir()
    docs: dict[str, set[str]] = {}
    for spec in load_report("all"):
        for exp in spec.experiments:
            docs.setdefault(Path(exp.preset).stem, set()).add(spec.id)
    ids = {spec.id for spec in load_report("all")}
    for path in preset_files(root):
        stem = path.stem
        prefix = stem.split("-", 1)[0]
        if prefix.startswith("seed") and prefix[4:] in ids:
            docs.setdefault(stem, set()).add(prefix[4:])
        if stem.endswith("-quick") and stem[:-len("-quick")] in docs:
            docs.setdefault(stem, set()).update(docs[stem[:-len("-quick")]])
    return {stem: tuple(sorted(d)) for stem, d in sorted(docs.items())}


# ---------------------------------------------------------------- what makes a result reusable

def preset_key(exp: ReportExperiment) -> str:
    """The row's key: a hash of its preset, the data it reads, the numerics revisions of what
    computes it and the libraries' versions (report/keys.py). A row finished with this key is not run again;
    one finished with another is stale."""
    from aegui.core.analyses.report.keys import row_key
    return row_key(exp)[0]


def needed_data(exp: ReportExperiment) -> str | None:
    return missing_data(exp.preset)


def missing_data(preset) -> str | None:
    """Why a preset cannot run here (a catalogue dataset it names is neither fetched nor added),
    or None."""
    from aegui.core.files.jsonfile import read_json
    preset = Path(preset)
    raw = read_json(preset)
    text = json.dumps(raw)
    base = raw.get("base") if isinstance(raw, dict) else None
    if isinstance(base, str):
        text += (preset.parent / base).read_text(encoding="utf-8")
    from aegui.core.data.fetch import FetchError
    from aegui.core.data.local_files import dataset_files
    for name in sorted(set(re.findall(r'"catalogue":\s*"([^"]+)"', text))):
        try:
            dataset_files(name)
        except (FetchError, KeyError) as err:
            text = str(err).strip('"')
            why = f" ({text})" if "no longer checks out" in text or isinstance(err, KeyError) else ""
            return (f"needs {name}, which is not on this machine{why}: run `aegui data fetch {name}` (or `aegui data "
                    f"add {name} FOLDER` for files you already have), then the report again")
    return None


def _load() -> float | None:
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


# ---------------------------------------------------------------- the job

@dataclass(kw_only=True)
class ReportProgress(Progress):
    """ReportJob's: per experiment "running" (with its preset job's item as `detail`),
    "experiment_done" (`seconds`), "skipped", "needs_data", "failed" or "remade" (a damaged file
    made again), each `message` saying why; then "finished" / "cancelled" with the pages written
    ({"html": path, ...}) as `result`."""
    experiment: str = ""        # the experiment's qualified id (REPORT-EXPERIMENT)
    title: str = ""
    index: int = 0              # which experiment (1-based)
    count: int = 0
    message: str = ""
    # The preset job's own item while it runs: a SweepProgress, CurveProgress, ProbeRunProgress,
    # CompareProgress or ClassifierProgress (each has `epoch` and `epochs`).
    detail: Progress | None = None
    seconds: float = 0.0        # the experiment's time, when done


class ReportJob(Job):
    def __init__(self, specs, out_dir, *, only: tuple[str, ...] = (), rerun: tuple[str, ...] = (),
                 markdown=None, device: str | None = None, ray: str | None = None, cpus: int | None = None):
        self.specs = list(specs) if isinstance(specs, (list, tuple)) else [specs]
        self.out_dir = Path(out_dir)
        self.only, self.rerun = set(only), set(rerun)
        self.markdown = Path(markdown) if markdown is not None else None
        self.device = device
        # Where the training runs go: None, this process; "local" or a cluster's address, Ray
        # tasks (report/on_ray.py), `cpus` for a Ray started here.
        self.ray, self.cpus = ray, cpus
        self._cluster = None
        self._job = None
        if ray is not None:
            from aegui.core.analyses.sweeps.tasks import require
            require("ray")      # say how to install it before any work
        known = {self.qualified(s, e) for s in self.specs for e in s.experiments}
        for name in self.only | self.rerun:
            if name not in known and not any(name == e.id for s in self.specs for e in s.experiments):
                raise ConfigError("--only" if name in self.only else "--rerun",
                                  f"{name!r} is not an experiment of this report; it has {', '.join(sorted(known))}")

    @staticmethod
    def qualified(spec: ReportSpec, exp: ReportExperiment) -> str:
        return f"{spec.id}-{exp.id}"

    def folder(self, spec: ReportSpec, exp: ReportExperiment) -> Path:
        return self.out_dir / self.qualified(spec, exp)

    def todo(self) -> list[tuple[ReportSpec, ReportExperiment]]:
        pairs = [(s, e) for s in self.specs for e in s.experiments]
        if self.only:
            pairs = [(s, e) for s, e in pairs if e.id in self.only or self.qualified(s, e) in self.only]
        return pairs

    def cancel(self) -> None:
        super().cancel()
        job = self._job
        if job is not None:
            job.cancel()

    def done_record(self, spec, exp) -> dict | None:
        """done.json's record of a finished experiment, for this preset; None when it has not
        finished, or its done.json is damaged (see damaged())."""
        return self._done(spec, exp)[0]

    def damaged(self, spec, exp) -> str | None:
        """A sentence naming the experiment's done.json (or a file it lists) and what is wrong
        with it, or None: such an experiment is shown as not run and runs again."""
        return self._done(spec, exp)[1]

    def _done(self, spec, exp) -> tuple[dict | None, str | None]:
        record, why, _ = self._read(spec, exp)
        return record, why

    def _read(self, spec, exp) -> tuple[dict | None, str | None, dict | None]:
        """(the record finished with the row's key, a sentence naming a damaged done.json, the
        record of a stale row: finished with another key, its `reason` saying what changed)."""
        from aegui.core.analyses.report.files import read_done
        from aegui.core.analyses.report.keys import row_key, why_stale
        try:
            done = read_done(self.folder(spec, exp), None)
            key, parts = row_key(exp)
        except ConfigError as err:
            return None, str(err), None
        if done is None:
            return None, None, None
        if done.key == key:
            return done.record, None, None
        return None, None, {**done.record, "reason": why_stale(done.record, exp, parts)}

    def state(self, spec, exp) -> tuple[str, dict]:
        """(state, record) of one experiment in out_dir: "done" (done.json's record, for this
        row's key), "stale" (done.json's record, made with another key, and the `reason`: it runs
        again), "waiting for its data" / "failed" (their notes) or "not run" ({}, or {"error":
        the sentence naming a damaged file, which is made again on the next run})."""
        from aegui.core.analyses.report.files import read_note
        record, why, stale = self._read(spec, exp)
        if record is not None:
            return "done", record
        if why is not None:
            return "not run", {"error": f"{why}; it runs again next time"}
        for name, state in ((WAITING, "waiting for its data"), (FAILED, "failed")):
            try:
                note = read_note(self.folder(spec, exp) / name)
            except ConfigError as err:
                return "not run", {"error": f"{err}; it runs again next time"}
            if note is not None and stale is not None and name == WAITING:
                # the older run is still shown, as stale, with why its new run has not been made
                return "stale", {**stale, "reason": f"{stale['reason']}; its new run waits for its data: "
                                                    f"{note.get('reason', '')}"}
            if note is not None:
                return state, note
        if stale is not None:
            return "stale", stale
        return "not run", {}

    def steps(self) -> Iterator[ReportProgress]:
        """The report run, holding its folder (another report there is refused at once with
        ReportError, as is a page that cannot be written, before any work)."""
        from aegui.core.analyses.report.page import check_pages
        with holding_folder(self.out_dir):
            check_pages(self)
            if self.ray is None:
                yield from self._steps()
                return
            from aegui.core.analyses.report.on_ray import RaySession
            with RaySession(self.ray, self.cpus) as self._cluster:
                try:
                    yield from self._steps()
                finally:
                    self._cluster = None

    def _steps(self) -> Iterator[ReportProgress]:
        from aegui.core.analyses.report.files import check_done, discard
        from aegui.core.analyses.report.keys import made_by, row_key
        from aegui.core.analyses.report.page import write_pages
        start, pairs, reached = time.perf_counter(), self.todo(), 0.0     # reached: where a cancelled one stopped
        count, ahead = len(pairs), {}     # ahead, on a cluster: index -> the row's job, its runs already sent
        yield from self._sent_ahead(pairs, ahead, start)
        for index, (spec, exp) in enumerate(pairs, 1):
            reached = (index - 1) / count
            if self.cancelled:
                break
            name = self.qualified(spec, exp)
            folder = self.folder(spec, exp)

            def item(state: str, fraction: float, **fields) -> ReportProgress:     # about this experiment
                return ReportProgress(state=state, experiment=name, title=exp.title, index=index, count=count,
                                      fraction=fraction, elapsed=time.perf_counter() - start, **fields)

            done, why = self._done(spec, exp)
            if why is not None:
                yield item("remade", reached, message=f"{why}; running the experiment again")
            elif self._kept(spec, exp, done):
                yield item("skipped", index / count, message="finished before; not run again")
                continue
            key, made = row_key(exp), made_by(exp)     # taken before the run: what made the row
            why = needed_data(exp)
            if why is not None:
                _note_waiting(folder, key[0], why)
                yield item("needs_data", index / count, message=why)
                write_pages(self)
                continue
            for message in _made_ready(folder, exp):
                yield item("remade", reached, message=message)
            info = row_preset(exp)
            load_before, cpu0, wall0 = _load(), time.process_time(), time.perf_counter()
            started = datetime.now(timezone.utc).isoformat(timespec="seconds")
            try:
                job = ahead.pop(index, None) or self._preset_job(info, folder / "work")
                self._job = job
                if self.cancelled:
                    job.cancel()
                last = None
                for step in job.steps():
                    last = step
                    if step.state == "run_remade":      # a compare or classifier job's, with its message
                        yield item("remade", reached, message=step.message)
                    elif not step.ended:
                        reached = (index - 1 + step.fraction) / count
                        yield item("running", reached, detail=step)
                self._job = None
                result = None if last is None else last.result
                if self.cancelled or result is None or last.state == CANCELLED:
                    break
                seconds, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
                record = self._finish(spec, exp, info, result, folder)
                record.update(_how_it_ran(key, name, info, result, record, (seconds, cpu), load_before, started),
                              **made, **self._where_it_ran(job))
                # What is written is what the reader takes back (else it would run again each time).
                check_done(record, folder)
                discard(folder / FAILED)
                _write_json(folder / DONE, record)
            except Exception as err:   # noqa: BLE001 - one experiment's failure must not lose the others
                # Bad settings (ConfigError) or a figure that could not be drawn: recorded, shown
                # on the page, and tried again next time; the finished runs inside stay saved.
                self._job = None
                message = _failed(folder, key[0], err)      # a full disk stops the report here
                yield item("failed", index / count, message=message)
                write_pages(self)
                continue
            yield item("experiment_done", index / count, message=record.get("aegui", ""), seconds=seconds)
            write_pages(self)
        else:
            reached = 1.0
        pages = write_pages(self)
        yield ReportProgress(state=CANCELLED if self.cancelled else FINISHED, result=pages,
                             fraction=reached if self.cancelled else 1.0, elapsed=time.perf_counter() - start)

    def _kept(self, spec, exp, done) -> bool:
        """A row finished before (`done`, its record) and not asked to run again: it is skipped."""
        return done is not None and self.qualified(spec, exp) not in self.rerun and exp.id not in self.rerun

    def _sent_ahead(self, pairs, ahead: dict, start: float) -> Iterator[ReportProgress]:
        """On a cluster, _send_ahead's sentences as the report's items; elsewhere nothing."""
        if self._cluster is None:
            return
        for index, message in self._send_ahead(pairs, ahead):
            spec, exp = pairs[index - 1]
            yield ReportProgress(state="remade", experiment=self.qualified(spec, exp), title=exp.title, index=index,
                                 count=len(pairs), fraction=0.0, elapsed=time.perf_counter() - start,
                                 message=message)

    def _send_ahead(self, pairs, ahead: dict) -> Iterator[tuple[int, str]]:
        """On a cluster, every row this report will run gets its folder made ready and its runs sent before the
        first row is driven (the rows are still combined in order): a row's runs start as soon as the cluster has
        room, not after the rows before it, whose longest runs would otherwise hold every other node idle.
        Fills `ahead` (index -> the row's job) and yields (index, sentence) for what it clears out of the way. The
        first row whose job cannot be made or sent ends this: the row loop makes it again and says why."""
        for index, (spec, exp) in enumerate(pairs, 1):
            if self.cancelled:
                return
            done, why = self._done(spec, exp)
            if why is None and self._kept(spec, exp, done):
                continue
            if needed_data(exp) is not None:
                continue
            folder = self.folder(spec, exp)
            if why is not None:
                yield index, f"{why}; running the experiment again"
            for message in _made_ready(folder, exp):
                yield index, message
            try:
                job = self._preset_job(row_preset(exp), folder / "work")
                job.send()
            except Exception:   # noqa: BLE001 - the row loop meets it again and records it
                return
            ahead[index] = job

    def _preset_job(self, info, work: Path):
        """The job that makes a row: its preset's own job here, or its runs as Ray tasks."""
        if self._cluster is None:
            from aegui.core.analyses.presets import preset_job
            return preset_job(info, work)
        from aegui.core.analyses.report.on_ray import row_job
        return row_job(info, work, self._cluster, self.device)

    def _where_it_ran(self, job) -> dict:
        """done.json's `ray` field on a cluster: where, and how many of the row's runs each node
        trained (runs read back from an earlier report are not counted)."""
        if self._cluster is None:
            return {}
        return {"ray": {"where": self._cluster.where, "nodes": dict(getattr(job, "nodes", {}))}}

    def _finish(self, spec, exp, info, result, folder: Path) -> dict:
        from aegui.core.analyses.report.verdicts.checks import conclude
        from aegui.core.analyses.report.render import render
        from aegui.core.analyses.report.files import file_digests
        rendered = render(exp, info, result, folder)
        outcome = conclude(exp, result, rendered)
        record = {"files": rendered["files"], "figure": rendered.get("figure"), "tables": rendered.get("tables", []),
                  "measured": rendered.get("measured", {}), "settings": rendered.get("settings", {}),
                  "health": rendered.get("health", []), **outcome}
        # What each listed file was when written: a resume then tells a file cut short since from a whole one.
        record["digests"] = file_digests(record, folder)
        return record


def _note_waiting(folder: Path, key: str, why: str) -> None:
    """waiting.json in the experiment's folder (made where missing; a file or link in its place is
    removed), and nothing else touched: checked before anything is cleared, the older run (its
    done.json, figures and saved runs) stays on the page until a new one can be made."""
    from aegui.core.analyses.report.files import discard
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        discard(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _write_json(folder / WAITING, {"key": key, "reason": why})


def _clear_the_way(folder: Path) -> Iterator[str]:
    """Make the experiment's folder ready to write in, without its done.json; yields a sentence for
    each thing in the way it removes (a folder where a file goes, a file where the saved runs go)."""
    from aegui.core.analyses.report.files import discard, folders_in_the_way
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        discard(folder)         # the reader named it: a file where the experiment's folder belongs
    folder.mkdir(parents=True, exist_ok=True)
    discard(folder / DONE)
    for blocking in folders_in_the_way(folder):
        yield f"{blocking}: is a folder where the experiment writes a file; removing it"
        discard(blocking)
    if (folder / "work").exists() and not (folder / "work").is_dir():
        yield (f"{folder / 'work'}: is a file where the folder of the experiment's saved runs belongs; "
               "running them again")
        discard(folder / "work")


def _made_ready(folder: Path, exp) -> Iterator[str]:
    """The row's folder ready for a run: what is in the way cleared (a sentence each), its saved runs kept only
    under this runs key, and its note that it waits for data gone."""
    from aegui.core.analyses.report.files import discard
    from aegui.core.analyses.report.keys import runs_key
    yield from _clear_the_way(folder)
    _work_for(folder / "work", runs_key(exp))
    discard(folder / WAITING)


def _failed(folder: Path, key: str, err: Exception) -> str:
    """The message of an experiment that raised `err`, recorded in its failed.json, with no save
    left half-made in its folder. A full disk (or a note that cannot be written) stops the report
    (ReportError): every experiment after it would train for its minutes or hours, then fail the
    same way."""
    from aegui.core.analyses.report.files import ReportError
    from aegui.core.files.errors import user_message
    if isinstance(err, OSError):
        message = user_message(err, folder)     # a write names no file: the experiment's folder, then
    elif isinstance(err, (ConfigError, ReportError)):
        message = str(err)
    else:
        message = f"{type(err).__name__}: {err}"
    _drop_unfinished_saves(folder)
    # A cluster that cannot be reached (or loses a run again and again) fails every row after it too.
    stop = isinstance(err, OSError) and err.errno in NO_ROOM or isinstance(err, ReportError)
    try:
        _write_json(folder / FAILED, {"key": key, "error": message})
    except OSError as e:
        if not (stop and e.errno in NO_ROOM):      # else said once: the disk is full
            message = f"{message}; and {user_message(e, folder / FAILED)}"
        stop = True
    if stop:
        raise ReportError(f"{message} (the report stopped here; what finished is kept)")
    return message


NO_ROOM = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EROFS}


def _drop_unfinished_saves(folder: Path) -> None:
    """Drops the staging folders (.model.incoming/...) a failed save left in the experiment's
    folder: fileset.recover() finishes one that was committed and removes one that was not."""
    from aegui.core.files.fileset import recover
    if not folder.is_dir() or folder.is_symlink():
        return
    for stage in sorted(folder.rglob(".*.incoming")):
        if stage.is_dir() and not stage.is_symlink():
            try:
                recover(stage.parent, stage.name[1:-len(".incoming")])
            except OSError:
                pass        # as full as it was: the next save's recover() tries again


REPORT_LOCK = "report"      # the folder's lock file: .report.lock


@contextmanager
def holding_folder(out_dir):
    """One report at a time in a folder (the lock files.lock keeps for a model folder); another is
    refused with ReportError naming its process and when it started."""
    from aegui.core.analyses.report.files import ReportError
    from aegui.core.files import lock
    from aegui.core.files.errors import user_message
    out_dir = Path(out_dir)
    try:
        held = lock.acquire(out_dir, REPORT_LOCK)
    except lock.NotALock as e:      # something else sits at the lock's name: its own sentence says what
        raise ReportError(str(e)) from None
    except lock.FolderBusy as e:
        raise ReportError(_busy(out_dir, e)) from None
    except OSError as e:
        if out_dir.exists() and not out_dir.is_dir():
            raise ReportError(f"{out_dir}: is a file; the report needs a folder to write in") from None
        raise ReportError(user_message(e, out_dir)) from None
    try:
        yield held
    finally:
        lock.release(held)


def _busy(out_dir: Path, e) -> str:
    """The sentence for a folder whose lock another holds: its pid and when it took the lock (the
    lock file's time), read without following a link or waiting on a pipe."""
    import stat
    from aegui.core.files.lock import lock_path
    path = lock_path(out_dir, REPORT_LOCK)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        try:
            st = os.fstat(fd)
            text = os.read(fd, 64).decode("ascii", "replace") if stat.S_ISREG(st.st_mode) else ""
        finally:
            os.close(fd)
    except OSError:
        return str(e)           # the lock's own sentence: what is in the way
    pid = text.split()[0] if text.split() and text.split()[0].isdigit() else None
    if pid is None:
        return str(e)
    started = datetime.fromtimestamp(st.st_mtime).strftime("%Y-%m-%d %H:%M:%S")
    return (f"{out_dir}: another aegui report (process {pid}, started {started}) is writing in this folder; wait "
            "for it to finish or choose another folder")


WORK_KEY = "key.txt"     # in work/: the key of the row whose runs are saved there


def _work_for(work: Path, key: str) -> None:
    """Keeps the runs saved in work/ only when they were saved under this runs key (keys.runs_key:
    a cancelled run of this row, or a row whose checks or figures changed since); runs saved
    under another key were trained by other code, from other data or settings, so they are
    trained again rather than read back into a row said to be current."""
    from aegui.core.analyses.report.files import discard, write_bytes
    try:
        kept = work.is_dir() and not work.is_symlink() and (work / WORK_KEY).read_text(encoding="ascii") == key
    except (OSError, UnicodeDecodeError):
        kept = False
    if not kept:
        discard(work)
        work.mkdir(parents=True)
        write_bytes(work / WORK_KEY, key.encode("ascii"))


def _how_it_ran(key: tuple[str, dict], name: str, info, result, record: dict, spent: tuple[float, float],
                load_before, started: str) -> dict:
    """done.json's fields about the run itself: its key (and the key's parts), preset, times, load
    and machine."""
    seconds, cpu = spent
    return {"key": key[0], "key_parts": key[1], "experiment": name, "preset": info.stem, "kind": info.kind,
            "preset_name": info.name, "preset_description": info.description,
            "stated_s": info.time_2cores_s, **_times(record, result, seconds, cpu),
            "load_before": load_before, "load_after": _load(), "cores": os.cpu_count(),
            "started": started, "resumed": _resumed(result)}


def _write_json(path: Path, record: dict) -> None:
    """done.json or a waiting or failed note, written whole in place of whatever was there."""
    from aegui.core.analyses.report.files import discard, write_bytes
    discard(path)
    write_bytes(path, (json.dumps(record, indent=2) + "\n").encode("utf-8"))


def _times(record: dict, result, seconds: float, cpu: float) -> dict:
    """done.json's times: `seconds` is the experiment's, `wall_seconds` this call's."""
    # A result partly read back from an earlier run took its runs' own time, not this call's.
    work = record.get("measured", {}).get("seconds_all_runs") or 0.0
    return {"seconds": round(max(seconds, work) if _resumed(result) else seconds, 3),
            "wall_seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3)}


def _resumed(result) -> bool:
    """Whether some of the result's runs came from an earlier, interrupted report."""
    # A classifier over seeds keeps every seed's stages (seed 0's are also `stages`).
    seeds = getattr(result, "seed_stages", None) or [getattr(result, "stages", {})]
    runs = getattr(result, "runs", None) or [s for stages in seeds for s in stages.values()]
    return any(getattr(r, "loaded", False) for r in runs)
