"""What each report experiment concludes: a one-paragraph summary of aegui's numbers ("aegui"),
and findings, each a claim of the course document set against what aegui measured, agreeing or
differing (None where the document gives nothing to compare with). `conclude` picks the check a
report entry names ("check"), else a summary for its kind. Every check reads only the numbers
report_render measured (rendered["measured"]), so it can be read without torch."""
from __future__ import annotations

from aegui.core.analyses.report.verdicts.checks_glyphs import GLYPH_CHECKS
from aegui.core.analyses.report.verdicts.checks_mnist import MNIST_CHECKS
from aegui.core.analyses.report.verdicts.checks_vae import VAE_CHECKS
from aegui.core.analyses.report.verdicts.claims import generic

CHECKS = {**GLYPH_CHECKS, **VAE_CHECKS, **MNIST_CHECKS}


def conclude(exp, result, rendered: dict) -> dict:
    """The findings of a row: its document's check run on the measured numbers, with a generic paragraph when
    the check writes none; a result missing what the check reads becomes a finding saying so."""
    m = rendered.get("measured", {})
    check = CHECKS.get(exp.check)
    try:
        out = check(m) if check is not None else {}
    except (KeyError, ValueError, TypeError, IndexError, StopIteration) as err:
        # A result missing what its check reads (a cancelled run, a changed preset): say so on
        # the page instead of losing the experiment.
        out = {"findings": [{"claim": "the document's claims", "measured": f"could not be checked: {err!r}",
                             "agrees": None}]}
    if "aegui" not in out:
        out["aegui"] = generic(m)
    out.setdefault("findings", [])
    return out
