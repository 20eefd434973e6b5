"""A sweep or a search as the window runs it (aegui.qt.workers.threads.JobRunner iterates it on a worker
thread): the runner's progress plus a fresh copy of what has finished so far, which the GUI
thread may read while the runner goes on, and on the last item where the results were autosaved.
The window only shows these items; the CLI drives the runners itself and writes where it is told.
"""
from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from aegui.core.analyses.sweeps.sweep import SweepProgress
from aegui.core.analyses.sweeps.search import SearchProgress
from aegui.core.files.paths import safe_name
from aegui.core.jobs.job import Job


@dataclass(frozen=True)
class Autosave:
    """Where the last item's results were written (nothing while running, or with nothing to save)."""
    folder: str | None = None      # written here
    failed: str | None = None      # ... or not: the folder they could not be written to
    error: str = ""                # why (the system's words)


@dataclass(kw_only=True)
class SweepJobProgress(SweepProgress):
    """A sweep's progress as the window gets it: the runs finished so far, and where the results were autosaved.
    """
    run_results: list = field(default_factory=list)    # the runs finished so far (a copy)
    autosave: Autosave = Autosave()


@dataclass(kw_only=True)
class SearchJobProgress(SearchProgress):
    """A search's progress as the window gets it: the trials so far, and where the results were autosaved."""
    search: object = None          # the SearchResult so far (a copy with its own list of trials)
    autosave: Autosave = Autosave()


def _autosave(root: Path | None, result, items: list, write, fallback: str) -> Autosave:
    if root is None or not items:
        return Autosave()
    slug = safe_name(result.sweep.name, fallback, 40)
    folder = Path(root) / f"{time.strftime('%Y%m%d-%H%M%S')}-{slug}"
    try:
        write(result, folder)
    except OSError as e:
        return Autosave(failed=str(folder), error=str(e))
    return Autosave(folder=str(folder))


class SweepJob(Job):
    """A grid sweep; with `ray` ({"address": ADDRESS or None}) its groups run as Ray tasks
    (RaySweepRunner). Its results are autosaved under `autosave_root` (None: not saved)."""

    def __init__(self, sweep, autosave_root: Path | None, ray: dict | None = None):
        if ray is not None:
            from aegui.core.analyses.sweeps.on_ray import RaySweepRunner
            self.runner = RaySweepRunner(sweep, address=ray.get("address"))
        else:
            from aegui.core.analyses.sweeps.sweep import SweepRunner
            self.runner = SweepRunner(sweep)
        self.autosave_root = autosave_root

    def cancel(self) -> None:
        """Cancels the job and its runner; the finished groups stay in the result."""
        super().cancel()
        self.runner.cancel()

    def steps(self) -> Iterator[SweepJobProgress]:
        """The runner's progress, each one carrying a copy of the finished runs and, once a result is in, where
        it was autosaved."""
        from aegui.core.analyses.sweeps.files import write_results
        for p in self.runner.steps():
            saved = Autosave() if p.result is None else \
                _autosave(self.autosave_root, p.result, p.result.runs, write_results, "sweep")
            yield SweepJobProgress(**vars(p), run_results=list(self.runner.result.runs), autosave=saved)


class SearchJob(Job):
    """An Optuna search (a sweep with a "search" block), locally or on Ray; autosaved as SweepJob."""

    def __init__(self, sweep, autosave_root: Path | None, ray: dict | None = None):
        from aegui.core.analyses.sweeps.search import SearchRunner
        self.runner = SearchRunner(sweep, ray=ray is not None, address=(ray or {}).get("address"))
        self.autosave_root = autosave_root

    def cancel(self) -> None:
        """Cancels the job and its runner; the finished trials stay in the result."""
        super().cancel()
        self.runner.cancel()

    def steps(self) -> Iterator[SearchJobProgress]:
        """The runner's progress, each one carrying a copy of the search so far and, once a result is in, where
        it was autosaved."""
        from aegui.core.analyses.sweeps.search import write_search
        for p in self.runner.steps():
            search = copy.copy(self.runner.result)
            search.trials = list(self.runner.result.trials)
            saved = Autosave() if p.result is None else \
                _autosave(self.autosave_root, p.result, p.result.trials, write_search, "search")
            yield SearchJobProgress(**vars(p), search=search, autosave=saved)
