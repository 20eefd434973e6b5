"""`aegui report` when a write fails: a full disk at any of the report's writes, a page that is a
folder, a figure it may not write. Each is said on stderr in one sentence naming the path, even
with --quiet, and exits non-zero; a full disk stops the report (every experiment after it would
train, then fail the same way), and nothing half-saved is left (no .model.incoming/ staging
folder, no temporary file). Before, --quiet printed nothing (only failed.json said so, without a
path: "[Errno 28] No space left on device"), and a failed model save left an empty
.model.incoming/ behind.

The full disk is the writer raising ENOSPC (as a write on a full disk does, naming no file) at
the first write of the named file; tmpfs mounts of 4 to 96 KiB gave the same messages by hand."""
import errno
from pathlib import Path

import pytest

from aegui.core.files import atomic, fileset
from aegui.core.files.lock import lock_path

from core_helpers import last_json, run_cli
from report_helpers import NAME, write_report


def _full_disk_at(monkeypatch, name: str, error=errno.ENOSPC) -> list:
    """The first write of a file called `name` fails as on a full disk; returns the paths it hit."""
    real = atomic.atomic_write_bytes
    hit = []

    def writer(path, data):
        if Path(path).name == name and not hit:
            hit.append(Path(path))
            raise OSError(error, "No space left on device" if error == errno.ENOSPC else "Permission denied")
        return real(path, data)

    monkeypatch.setattr(atomic, "atomic_write_bytes", writer)
    monkeypatch.setattr(fileset, "atomic_write_bytes", writer)
    return hit


def _left_behind(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.name.endswith((".incoming", ".tmp")) or p.name == ".report.lock")


# The file whose first write fails -> the path the sentence names: the file itself where the
# report writes it; the experiment's folder where a preset job or a model save writes it (their
# writers name no file on a full disk).
SITES = {
    "key.txt": "999-glyphs/work/key.txt",
    "model.safetensors": "999-glyphs",          # the first saved model's weights, staged
    "MANIFEST.json": "999-glyphs",              # the model save's commit point
    "run.json": "999-glyphs",
    "runs.csv": "999-glyphs",
    "curves.png": "999-glyphs/curves.png",
    "done.json": "999-glyphs/done.json",
    "index.html": "index.html",
}


@pytest.mark.parametrize("name", SITES)
def test_a_full_disk_is_said_with_quiet_and_leaves_no_half_save(tmp_path, capsys, monkeypatch, name):
    path = write_report(tmp_path)
    out = tmp_path / "out"
    hit = _full_disk_at(monkeypatch, name)
    status = run_cli(["report", path, "--out", out, "--quiet"])
    captured = capsys.readouterr()
    assert hit, f"no write of {name}"
    assert status == 2, (status, captured.err)
    err = captured.err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    assert f"{out / SITES[name]}" in err and "disk is full" in err, err
    assert _left_behind(out) == [], _left_behind(out)


def test_a_failed_experiment_is_said_with_quiet(tmp_path, capsys, monkeypatch):
    """A table that may not be written (not a full disk: the report goes on) fails its experiment:
    --quiet still says so on stderr, naming where, and exits 1; failed.json says the same."""
    path = write_report(tmp_path)
    out = tmp_path / "out"
    _full_disk_at(monkeypatch, "runs.csv", errno.EACCES)
    assert run_cli(["report", path, "--out", out, "--quiet"]) == 1
    captured = capsys.readouterr()
    line = captured.err.strip()
    assert line.startswith(f"aegui: [1/1] {NAME}: FAILED: {out / NAME}") and "permission denied" in line, line
    assert len(line.splitlines()) == 1
    assert [e["state"] for e in last_json(captured.out)["experiments"]] == ["failed"]
    assert line.split("FAILED: ")[1] in (out / NAME / "failed.json").read_text()
    assert _left_behind(out) == []


@pytest.mark.parametrize("where", ["index.html", "report.md", "report.json"])
def test_a_page_that_is_a_folder_is_named_before_any_work(tmp_path, capsys, where):
    """index.html (or report.md, report.json) a folder: the report stops before it trains, with
    one sentence naming the page, not the temporary file the writer renames (as it did:
    ".index.html.XXXX.tmp: Is a directory"), and what to do."""
    path = write_report(tmp_path)
    out = tmp_path / "out"
    (out / where).mkdir(parents=True)
    assert run_cli(["report", path, "--out", out, "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    assert f"{out / where}: is a folder" in err and ".tmp" not in err, err
    assert not (out / NAME).exists() and not lock_path(out, "report").exists()


def test_a_page_that_became_a_folder_meanwhile_is_named(tmp_path):
    """The same when the folder appears while the report runs: the page writer names the page."""
    from aegui.core.analyses.report import run as R
    from aegui.core.analyses.report.files import ReportError
    from aegui.core.analyses.report.page import write_pages
    path = write_report(tmp_path)
    out = tmp_path / "out"
    (out / "index.html").mkdir(parents=True)
    with pytest.raises(ReportError) as err:
        write_pages(R.ReportJob(R.load_report(path), out))
    assert str(err.value).startswith(f"{out / 'index.html'}: is a folder") and ".tmp" not in str(err.value)
