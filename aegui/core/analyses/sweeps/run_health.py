"""A sweep's runs checked as the course report checks them (report/health.py): whether each
diverged, did not learn (its loss fell under the least fall from its first check) or is dead (no
better than the majority picture: checked on font glyphs only, whose data loads at once, and not
where the font can no longer be read). The window's table, legend and summary and the CLI say how
many of a config's runs did not train; unlike a diverged run's NaN outputs, an untrained model's
numbers are real, so a sweep's means keep them."""
from __future__ import annotations


class SweepHealth:
    """The health of a sweep result's finished runs, worked out once (SweepResult.health())."""

    def __init__(self, result):
        from aegui.core.analyses.report.health import sweep_health
        self.result = result
        self.of = sweep_health(result, only_fonts=True)      # run number -> Health

    def learn_fall(self, config: int) -> float:
        """The least fall of a config's loss from its first check, in %, below which its run did
        not learn (less for a VAE, whose KL term keeps its loss high)."""
        from aegui.core.analyses.report.health import LEARN_FALL, kind_of_run
        return LEARN_FALL[kind_of_run(self.result.configs[config].experiment)] * 100

    def failed(self, config: int) -> dict[str, int]:
        """How many of a config's runs that did not diverge failed a check, by what failed ("dead"
        before "did not learn" where a run did both)."""
        out = {"dead": 0, "did not learn": 0}
        for r in self.result.runs_of(config):
            reason = self.of[r.run].reason
            if not r.diverged and reason:
                out["dead" if reason.startswith("dead") else "did not learn"] += 1
        return out

    def none_learned(self, config: int) -> bool:
        """Whether a config has runs and every one diverged or failed a check."""
        runs = self.result.runs_of(config)
        return bool(runs) and all(r.diverged or not self.of[r.run].ok for r in runs)
