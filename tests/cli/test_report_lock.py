"""`aegui report`: one report at a time in a folder. A second run into a folder where another is
under way is refused at once (exit 2, one sentence naming the first: its process and when it
started), as `aegui train` refuses a model folder another writes; a lock left by a process that
died does not block. Before, both ran the same experiments for as long as they took, writing
over each other's files, and one ended with exit 1 and nothing said."""
import re
import subprocess
import sys
from datetime import datetime

from aegui.core.files.lock import lock_path

from core_helpers import ROOT, last_json, run_cli
from report_helpers import NAME, finished_report, write_report

# A report under way, stopped inside its first experiment until told to go on (stdin closed).
UNDER_WAY = """
import sys
from aegui.core.analyses.report import run as R
job = R.ReportJob(R.load_report(sys.argv[1]), sys.argv[2])
paused = False
for item in job.steps():
    if item.state == "running" and not paused:
        print("running", flush=True)
        sys.stdin.read()
        paused = True
print(item.state, flush=True)
"""


def _one_sentence(err: str) -> str:
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err.strip()


def test_a_second_report_into_the_folder_is_refused_at_once(tmp_path, capsys):
    path = write_report(tmp_path)
    out = tmp_path / "out"
    before = datetime.now().replace(microsecond=0)
    first = subprocess.Popen([sys.executable, "-c", UNDER_WAY, str(path), str(out)], cwd=ROOT,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert first.stdout.readline().strip() == "running"
        assert run_cli(["report", path, "--out", out, "--quiet"]) == 2
        captured = capsys.readouterr()
        err = _one_sentence(captured.err)
        assert captured.out == ""
        assert str(out) in err and f"process {first.pid}" in err and "another aegui report" in err, err
        started = re.search(r"started (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)", err)
        assert started, err
        assert before <= datetime.strptime(started.group(1), "%Y-%m-%d %H:%M:%S") <= datetime.now(), err
        assert not (out / NAME / "done.json").exists()          # the second touched nothing
    finally:
        first.stdin.close()
        tail = first.stdout.read()
        first.wait(timeout=300)
    assert first.returncode == 0 and tail.strip() == "finished", tail
    assert not lock_path(out, "report").exists()
    assert run_cli(["report", path, "--out", out, "--quiet"]) == 0
    assert [e["state"] for e in last_json(capsys.readouterr().out)["experiments"]] == ["done"]


def test_a_lock_left_by_a_dead_process_does_not_block(tmp_path, capsys):
    path, out = finished_report(tmp_path)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait(timeout=60)
    lock_path(out, "report").write_text(f"{dead.pid}\n")
    assert run_cli(["report", path, "--out", out, "--rerun", "glyphs", "--quiet"]) == 0, capsys.readouterr().err
    assert [e["state"] for e in last_json(capsys.readouterr().out)["experiments"]] == ["done"]
    assert not lock_path(out, "report").exists()


def test_listing_does_not_wait_for_a_report_under_way(tmp_path, capsys):
    """--list only reads: it answers while another report holds the folder."""
    from aegui.core.files import lock
    path, out = finished_report(tmp_path)
    held = lock.acquire(out, "report")
    try:
        assert run_cli(["report", path, "--out", out, "--list"]) == 0
    finally:
        lock.release(held)
    assert "done" in capsys.readouterr().out
