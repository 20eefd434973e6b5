"""A sweep's runs checked as the course report checks them (report/health.py): whether each
diverged, did not learn (its loss fell under the least fall from its first check) or is dead (no
better than the majority picture: checked on font glyphs only, whose data loads at once, and not
where the font can no longer be read). The window's table, legend and summary and the CLI say how
many of a config's runs did not train; unlike a diverged run's NaN outputs, an untrained model's
numbers are real, so a sweep's means keep them."""
from __future__ import annotations


def learn_fall(experiment) -> float:
    """The least fall of a run's loss from its first check, in %, below which it did not learn
    (less for a VAE, whose KL term keeps its loss high)."""
    from aegui.core.analyses.report.health import LEARN_FALL, kind_of_run
    return LEARN_FALL[kind_of_run(experiment)] * 100


def by_check(healths) -> dict[str, int]:
    """How many of these finite runs' healths failed a check, by what failed ("dead" before "did
    not learn" where a run did both)."""
    out = {"dead": 0, "did not learn": 0}
    for h in healths:
        if h.reason:
            out["dead" if h.reason.startswith("dead") else "did not learn"] += 1
    return out


class SweepHealth:
    """The health of a sweep result's finished runs, worked out once (SweepResult.health())."""

    def __init__(self, result):
        from aegui.core.analyses.report.health import sweep_health
        self.result = result
        self.of = sweep_health(result, only_fonts=True)      # run number -> Health

    def learn_fall(self, config: int) -> float:
        """learn_fall() of a config's experiment."""
        return learn_fall(self.result.configs[config].experiment)

    def failed(self, config: int) -> dict[str, int]:
        """How many of a config's runs that did not diverge failed a check, by what failed (by_check)."""
        return by_check(self.of[r.run] for r in self.result.runs_of(config) if not r.diverged)

    def none_learned(self, config: int) -> bool:
        """Whether a config has runs and every one diverged or failed a check."""
        runs = self.result.runs_of(config)
        return bool(runs) and all(r.diverged or not self.of[r.run].ok for r in runs)
