"""Two Rays one after the other in one process, the first with Ray's own default authentication
(token: Ray turns it on for a Ray started here and sets RAY_AUTH_MODE for the whole process), the
second with RAY_AUTH_MODE=disabled (as a lab's cluster may run). Ray kept the first mode in the
process: the second driver refused its own node, its actor was cancelled before it ran and the
test process exited mid-suite. Each RayConnection now reads the mode afresh and gives back the
environment it found. Run in a child process of its own, so what earlier tests did to this one
cannot hide or cause the fault."""
import os
import subprocess
import sys
import textwrap

import pytest

from core_helpers import ROOT

pytestmark = pytest.mark.cluster

SCRIPT = textwrap.dedent("""
    import os
    from aegui.core.analyses.report.on_ray import RaySession

    def tracked():
        with RaySession(None, num_cpus=1) as session:
            tracker = session.tracker()
            assert tracker is not None
            tracker.started.remote(7, "here")
            got = session.ray.get(tracker.snapshot.remote(), timeout=120)
            assert got == {7: "here"}, got
        return os.environ.get("RAY_AUTH_MODE")

    os.environ.pop("RAY_AUTH_MODE", None)
    after_default = tracked()          # Ray's default: token
    os.environ["RAY_AUTH_MODE"] = "disabled"
    after_disabled = tracked()
    print("both tracked")
    # the environment given back as each found it
    assert (after_default, after_disabled) == (None, "disabled"), (after_default, after_disabled)
""")


def test_a_ray_with_auth_off_after_one_with_ray_s_default_token_auth(tmp_path):
    pytest.importorskip("ray")
    env = {**os.environ, "HOME": str(tmp_path), "RAY_USAGE_STATS_ENABLED": "0", "PYTHONPATH": str(ROOT)}
    env.pop("RAY_AUTH_MODE", None)
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, cwd=tmp_path, capture_output=True, text=True,
                         timeout=280)
    assert out.returncode == 0 and "both tracked" in out.stdout, (out.returncode, out.stdout[-2000:],
                                                                   out.stderr[-3000:])
    assert (tmp_path / ".ray" / "auth_token").is_file()    # the first did run with a token (in this HOME)
