"""File > Export course report… into a folder where another report is under way (`aegui report`
in a terminal, or another window): Run is refused at once, the dialog saying in its note which
process holds the folder and since when, and Run works again; before, both reports ran the same
experiments over each other's files."""
import subprocess
import sys

from core_helpers import ROOT
from report_helpers import write_report

# Another process holding the folder as a running report does (the report's lock, .report.lock).
HOLD = """
import sys
from aegui.core.files.lock import acquire
acquire(sys.argv[1], "report")
print("held", flush=True)
sys.stdin.read()
"""


def test_run_into_a_folder_another_report_holds_says_who_holds_it(qtbot, tmp_path):
    from aegui.qt.report.report_dialog import ReportDialog
    path = write_report(tmp_path)
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        d = ReportDialog(reports=[path])
        qtbot.addWidget(d)
        d.folder.set_path(out)
        d.show()
        d.run_btn.click()
        qtbot.waitUntil(lambda: not d.runner.is_running() and d.note.isVisible(), timeout=120000)
        text = d.note.text()
        assert f"process {holder.pid}" in text and "another aegui report" in text and str(out) in text, text
        assert "started" in text and d.run_btn.isEnabled()
        assert not (out / "index.html").exists() and not (out / "999-glyphs").exists()
    finally:
        holder.communicate("", timeout=60)
