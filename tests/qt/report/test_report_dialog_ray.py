"""The report dialog's *Run on: Ray cluster at*: with the address left empty the training runs go
to a Ray started on this computer for the report, the progress counts each node's runs, Cancel
stops every task (the Ray it started is shut down, none of its processes left) and keeps the
runs that finished, and Resume on this computer reads those back and trains only the rest."""
import json

import pytest

from ray_nodes import COMPARE_RUNS, ENV, SWEEP_RUNS, compare_runs, descendants, run_files, write_report

pytestmark = pytest.mark.cluster


def test_run_on_ray_cancel_and_resume_here(qtbot, tmp_path, monkeypatch):
    ray = pytest.importorskip("ray")
    import ray._private.services as services
    from aegui.qt.report.report_dialog import ReportDialog
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    # the Ray started here stays on the loopback (Ray would take the first interface's address)
    monkeypatch.setattr(services, "get_node_ip_address", lambda address=None: "127.0.0.1")
    assert not ray.is_initialized()
    path = write_report(tmp_path / "doc", epochs=12000)
    out = tmp_path / "out"
    d = ReportDialog(reports=[path])
    qtbot.addWidget(d)
    d.folder.set_path(out)
    d.show()
    qtbot.waitUntil(d.rows_read, timeout=30000)
    d.run_on.set_ray(True, "")
    assert d.run_on.address.isVisible()
    seen = []
    d.runner.progress.connect(lambda item: seen.append(d.detail.text()))
    before = descendants()
    d.run_btn.click()
    assert not d.run_on.isEnabled()
    qtbot.waitUntil(lambda: len(run_files(out)) >= 1, timeout=120000)
    with qtbot.waitSignal(d.runner.finished, timeout=60000):
        d.cancel_btn.click()
    assert d.detail.text().startswith("Cancelled after") and d.run_on.isEnabled()
    # "Experiment 1 of 2: Runs — 1 of 6 runs, node 3f2a9c1d: 1 done, 2 running, 3 queued  ·  9 s so far"
    assert any(" of 6 runs, node " in t and " done, " in t and " running" in t for t in seen), seen[-5:]
    assert not ray.is_initialized()         # the Ray it started is shut down, its tasks with it
    qtbot.waitUntil(lambda: not (descendants() - before), timeout=30000)
    kept = run_files(out)
    assert 1 <= len(kept) < COMPARE_RUNS + SWEEP_RUNS
    stamps = {n: (out / n).stat().st_mtime_ns for n in kept}

    d.run_on.set_ray(False)                  # Resume here, from the runs the cluster finished
    with qtbot.waitSignal(d.page_written, timeout=120000):
        d.run_btn.click()
    assert d.detail.text().startswith("Finished in")
    # the sweep's run files are read only on Ray; here it trains as one (its files, if any, left as they were)
    assert len(compare_runs(run_files(out))) == COMPARE_RUNS
    assert all((out / n).stat().st_mtime_ns == t for n, t in stamps.items())
    done = json.loads((out / "998-runs" / "done.json").read_text())
    assert done["resumed"] and "ray" not in done
