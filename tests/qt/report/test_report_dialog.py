"""File > Export course report…: a course document's experiments run from the window into a folder
with progress and Cancel, finished experiments are not run again, and at the end the dialog says
where the page is and opens it. A tiny report document (two experiments of a few seconds) stands
in for the shipped ones."""
import json
from pathlib import Path

import threading

import pytest
from PySide6.QtCore import QUrl

BASE = {"name": "tiny", "data": {"fonts": ["Font3"]},
        "model": {"kind": "ae", "layers": [35, 16, 2, 16, 35], "init": "xavier"},
        "train": {"loss": "bce", "optimizer": "adam", "learning_rate": 0.02, "epochs": 20, "seed": 0,
                  "device": "cpu", "check_every": 10}}


@pytest.fixture
def tiny_report(tmp_path):
    (tmp_path / "sweep.json").write_text(json.dumps({
        "name": "tiny sweep", "base": BASE, "vary": {"train.learning_rate": [0.01, 0.03]}, "seeds": 1,
        "description": "tiny", "time_2cores_s": 5}))
    (tmp_path / "compare.json").write_text(json.dumps({
        "analysis": "compare", "name": "tiny compare", "base": BASE, "test": "none", "time_2cores_s": 70,
        "runs": [{"label": "plain", "changes": {}}, {"label": "deeper", "changes": {"train": {"epochs": 30}}}]}))
    path = tmp_path / "998.json"
    path.write_text(json.dumps({"document": "998_test.txt", "id": "998", "title": "A tiny course document",
                                "about": "Two tiny experiments.", "experiments": [
        {"id": "sweep", "title": "A tiny sweep", "preset": "sweep.json", "document": "The doc's sweep.",
         "figures": ["curves"]},
        {"id": "compare", "title": "A tiny comparison", "preset": "compare.json", "document": "The doc's figure.",
         "figures": ["curves"]}]}))
    return path


def make_dialog(qtbot, tiny_report, out):
    from aegui.qt.report.report_dialog import ReportDialog
    d = ReportDialog(reports=[tiny_report])
    qtbot.addWidget(d)
    d.folder.set_path(out)
    d.show()
    qtbot.waitUntil(d.rows_read, timeout=30000)
    return d


def states(d, qtbot=None) -> list[str]:
    """The State column, once read for the folder and document chosen (read on a worker)."""
    if qtbot is not None:
        qtbot.waitUntil(d.rows_read, timeout=30000)
    return [d.table.topLevelItem(i).text(1) for i in range(d.table.topLevelItemCount())]


def test_export_runs_the_document_and_opens_the_page(qtbot, tiny_report, tmp_path, monkeypatch):
    from PySide6.QtGui import QDesktopServices
    out = tmp_path / "out"
    d = make_dialog(qtbot, tiny_report, out)
    assert d.document.currentText() == "998: A tiny course document"
    assert "A tiny course document" in d.about.text() and "2 experiments" in d.about.text() and "1 min 15 s" in d.about.text()
    assert states(d, qtbot) == ["to run", "to run"] and d.run_btn.text() == "Run" and not d.open_btn.isEnabled()
    seen = []
    d.runner.progress.connect(lambda item: seen.append(d.detail.text()))
    with qtbot.waitSignal(d.page_written, timeout=120000) as page:
        d.run_btn.click()
        assert d.cancel_btn.isEnabled() and not d.run_btn.isEnabled() and not d.folder.isEnabled()
    assert page.args == [out / "index.html"] and (out / "index.html").is_file()
    assert seen[0].startswith("Experiment 1 of 2: A tiny sweep")     # the first item always comes through
    assert [s.startswith("done in ") for s in states(d, qtbot)] == [True, True]
    assert d.bar.value() == 1000 and d.detail.text().startswith("Finished in")
    assert str(out / "index.html") in d.note.text() and d.note.isVisible()
    assert d.open_btn.isEnabled() and d.open_btn.isDefault() and not d.cancel_btn.isEnabled()
    assert d.run_btn.text() == "Write the page again"
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url)))
    d.open_btn.click()
    assert opened == [QUrl.fromLocalFile(str(out / "index.html"))]
    page_text = (out / "index.html").read_text()
    assert "A tiny sweep" in page_text and "A tiny comparison" in page_text


def test_typing_a_folder_reads_its_rows_once_and_off_the_gui_thread(qtbot, tiny_report, tmp_path, monkeypatch):
    """Every keystroke in the folder field read every experiment's state on the GUI thread (0.5 s
    a character under load: 32 characters froze the dialog for over 10 s). Typed, a folder's rows
    are read once, when the typing settles, on a worker."""
    from aegui.core.analyses.report.run import ReportJob, load_report
    [spec] = load_report(tiny_report)
    typed = "report-typed-key-by-key-32-chars"
    assert len(typed) == 32
    ReportJob([spec], tmp_path / typed, only=("sweep",)).run()       # the folder typed has a finished sweep
    d = make_dialog(qtbot, tiny_report, tmp_path)
    assert states(d, qtbot) == ["to run", "to run"]
    reads, on_gui_thread = [], []
    real_state = ReportJob.state

    def counted(job, spec, exp):
        reads.append((job.out_dir, exp.id))
        on_gui_thread.append(threading.current_thread() is threading.main_thread())
        return real_state(job, spec, exp)
    monkeypatch.setattr(ReportJob, "state", counted)
    d.folder.line.setFocus()
    d.folder.line.end(False)
    qtbot.keyClicks(d.folder.line, "/" + typed[:-1])
    qtbot.keyClicks(d.folder.line, typed[-1])
    assert d.folder.path() == str(tmp_path / typed)
    qtbot.waitUntil(lambda: d.rows_read() and states(d)[0].startswith("done in "), timeout=30000)
    assert states(d)[1] == "to run" and d.run_btn.text() == "Resume"
    folders = {folder for folder, _ in reads}
    assert folders == {tmp_path / typed}, f"rows read {len(reads) // 2} times, for {len(folders)} folders"
    assert len(reads) == 2 and not any(on_gui_thread), (len(reads), on_gui_thread)


def test_progress_names_the_experiment_its_run_and_epoch():
    from aegui.core.analyses.classify.classifier import ClassifierProgress
    from aegui.core.analyses.compare.runs import CompareProgress
    from aegui.core.analyses.report.run import ReportProgress
    from aegui.qt import i18n
    from aegui.qt.report.report_dialog import describe
    item = ReportProgress(state="running", index=2, count=3, title="Each kind of autoencoder with its own loss",
                          detail=CompareProgress(state="running", run=1, runs=4, epoch=7, epochs=20))
    assert describe(item) == "Experiment 2 of 3: Each kind of autoencoder with its own loss — run 1 of 4, epoch 7 of 20"
    item.detail = ClassifierProgress(state="running", stage="fine-tuned", epoch=3, epochs=20)
    assert describe(item).endswith("— fine-tuning, epoch 3 of 20")
    i18n.set_language("es")
    assert describe(item) == ("Experimento 2 de 3: Cada tipo de autoencoder con su propia pérdida — ajuste fino, "
                              "época 3 de 20")


def test_finished_experiments_are_not_run_again_and_cancel_keeps_them(qtbot, tiny_report, tmp_path, monkeypatch):
    from aegui.core.analyses.report.run import ReportJob, load_report
    out = tmp_path / "out"
    ReportJob(load_report(tiny_report), out, only=("sweep",)).run()       # an earlier, partial run
    done = out / "998-sweep" / "done.json"
    before = done.stat().st_mtime_ns
    d = make_dialog(qtbot, tiny_report, out)
    assert states(d, qtbot)[0].startswith("done in ") and states(d)[1] == "to run" and d.run_btn.text() == "Resume"
    assert d.open_btn.isEnabled()                                         # the earlier page is there

    # Cancelled right after its first item (on the worker's side: the tiny job would finish before a
    # click could reach it): the comparison does not run, the finished sweep stays.
    real_steps = ReportJob.steps

    def steps_then_cancel(job):
        for i, item in enumerate(real_steps(job)):
            yield item
            if i == 0:
                job.cancel()
    monkeypatch.setattr(ReportJob, "steps", steps_then_cancel)
    with qtbot.waitSignal(d.page_written, timeout=120000):
        d.run_btn.click()
        d.cancel_btn.click()
        assert d.detail.text().startswith("Cancelling")
    assert d.detail.text().startswith("Cancelled after") and "Resume goes on from there" in d.note.text()
    assert states(d, qtbot)[0].startswith("done in ") and states(d)[1] == "to run"
    assert done.stat().st_mtime_ns == before and not (out / "998-compare" / "done.json").exists()

    # Resume: only the comparison runs.
    monkeypatch.setattr(ReportJob, "steps", real_steps)
    assert d.run_btn.isEnabled()
    with qtbot.waitSignal(d.page_written, timeout=120000):
        d.run_btn.click()
    assert [s.startswith("done in ") for s in states(d, qtbot)] == [True, True]
    assert done.stat().st_mtime_ns == before
    # Another folder starts afresh.
    d.folder.set_path(tmp_path / "elsewhere")
    assert states(d, qtbot) == ["to run", "to run"] and d.run_btn.text() == "Run" and not d.open_btn.isEnabled()


def test_the_file_menu_offers_the_course_documents(qtbot, tmp_path, aegui_home):
    from PySide6.QtCore import QSettings

    from aegui.qt import i18n
    from aegui.qt.window.main_window import MainWindow
    w = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat))
    qtbot.addWidget(w)
    assert w.menus.report_action in w.menus.menu_file.actions()
    assert w.menus.report_action.text() == "Export course report…"
    w.menus.report_action.trigger()
    d = w.menus.report_dialog
    assert d.isVisible() and [d.document.itemData(i) for i in range(d.document.count())] == \
        ["000", "001", "002", "003", "004"]
    assert d.document.currentText().startswith("000: Group report")
    assert d.folder.path().endswith("course-report-000") and d.table.topLevelItemCount() == 13
    # Under AEGUI_HOME (the window fixture's temp folder), not ~/aegui-reports.
    assert Path(d.folder.path()) == aegui_home / "reports" / "course-report-000"
    d.document.setCurrentIndex(4)
    assert d.folder.path().endswith("course-report-004") and d.table.topLevelItemCount() == 4
    i18n.set_language("es")
    assert w.menus.report_action.text() == "Exportar informe del curso…"
    assert d.document.currentText() == "004: Informe: convolucional frente a lineal en MNIST"   # its short title
    assert d.table.topLevelItem(0).text(0).startswith("Figura 2")
    d.close()
    w.menus.report_action.trigger()
    assert w.menus.report_dialog is d and d.isVisible()     # one dialog, shown again


def test_every_course_document_and_experiment_title_has_its_spanish():
    from aegui.core.analyses.report.run import load_report
    from aegui.qt.i18n import read_catalogue
    spanish = read_catalogue("es")
    titles = [t for spec in load_report("all") for t in (spec.title, *(e.title for e in spec.experiments))]
    assert [t for t in titles if t not in spanish] == []


def test_cancel_leaves_the_bar_where_the_report_stopped(qtbot, tiny_report, tmp_path, monkeypatch):
    """After Cancel the bar showed full, which read as "finished": it stays at the share done and
    says it stopped there."""
    from aegui.core.analyses.report.run import ReportJob, load_report
    out = tmp_path / "out"
    ReportJob(load_report(tiny_report), out, only=("sweep",)).run()       # the first of two is done
    d = make_dialog(qtbot, tiny_report, out)
    real_steps = ReportJob.steps

    def steps_then_cancel(job):
        for i, item in enumerate(real_steps(job)):
            yield item
            if i == 0:
                job.cancel()
    monkeypatch.setattr(ReportJob, "steps", steps_then_cancel)     # cancelled with the first of two done
    with qtbot.waitSignal(d.page_written, timeout=120000):
        d.run_btn.click()
    assert d.detail.text().startswith("Cancelled after")
    assert d.bar.value() == 500, d.bar.value()
    assert d.bar.isTextVisible() and d.bar.text() == "Stopped at 50 %", d.bar.text()


def test_the_experiment_under_way_is_marked_in_the_list(qtbot, tiny_report, tmp_path, monkeypatch):
    """While an experiment runs its row says so (in bold), and only its row."""
    from aegui.qt.workers import threads
    monkeypatch.setattr(threads, "PROGRESS_INTERVAL", 0.0)    # every item reaches the dialog, however fast
    out = tmp_path / "out"
    d = make_dialog(qtbot, tiny_report, out)
    seen = []

    def look(item):
        if item.state == "running":
            rows = [d.table.topLevelItem(i) for i in range(d.table.topLevelItemCount())]
            seen.append((item.index, [(r.text(1), r.font(0).bold()) for r in rows]))
    d.runner.progress.connect(look)
    with qtbot.waitSignal(d.page_written, timeout=120000):
        d.run_btn.click()
    assert {index for index, _ in seen} == {1, 2}
    for index, rows in seen:
        for i, (state, bold) in enumerate(rows):
            if i == index - 1:
                assert state == "running now…" and bold, rows
            else:
                assert state != "running now…" and not bold, rows
    assert all(not d.table.topLevelItem(i).font(0).bold() for i in range(2))    # none once it ended


def test_the_document_choice_and_the_rows_are_whole_on_small_and_usual_screens(qtbot):
    """The course documents' titles were cut in the combo ("004: Report: convolutional vs linear
    autoencoder on MNIST, grid sea") and long experiment titles at the end of their rows, in
    both languages, at the dialog's size on a 1024x700 and a 1280x800 screen."""
    from PySide6.QtCore import QSize

    from aegui.qt import i18n
    from aegui.qt.window.layout_check import layout_problems
    from aegui.qt.report.report_dialog import ReportDialog, fitting_size
    from aegui.qt.window.window_matrix import settle
    found = {}
    for lang in ("en", "es"):
        i18n.set_language(lang)
        d = ReportDialog()
        qtbot.addWidget(d)
        d.show()
        for screen in (QSize(1024, 700), QSize(1280, 800)):
            size = fitting_size(screen)
            assert size.width() <= screen.width() and size.height() <= screen.height()
            d.resize(size)
            for doc in range(d.document.count()):
                d.document.setCurrentIndex(doc)
                settle()
                problems = layout_problems(d)
                if problems:
                    found[f"{lang} {screen.width()}x{screen.height()} {d.document.itemData(doc)}"] = problems
        d.close()
    assert not found, "\n".join(f"{k}: {v}" for k, v in found.items())
