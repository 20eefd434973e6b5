"""The window's dataset download: the dialog fetches a catalogue dataset from a local server on
127.0.0.1 with a progress bar and hands the training file to the builder; cancel and a server
that is down leave nothing behind."""
import pytest

from fetch_server import serve_tiny


@pytest.fixture
def served(tmp_path, monkeypatch):
    monkeypatch.setenv("AEGUI_HOME", str(tmp_path / "home"))
    with serve_tiny(tmp_path) as info:
        yield info


def dialog(qtbot, on_train=None):
    from aegui.qt.builder.fetch_dialog import FetchDialog
    d = FetchDialog(on_train=on_train)
    qtbot.addWidget(d)
    d.combo.setCurrentIndex(d.combo.findData("tiny"))
    return d


def test_download_then_train_on_it(qtbot, served, tmp_path):
    opened = []
    d = dialog(qtbot, opened.append)
    assert "Not downloaded yet" in d.state.text() and not d.train_btn.isEnabled()
    assert "test license" in d.license.text()
    d.start()
    qtbot.waitUntil(lambda: d.download_btn.isEnabled(), timeout=20000)   # set by the finished / errored slots
    assert "Downloaded and verified" in d.state.text(), d.state.text()
    assert d.bar.value() == 1000 and d.download_btn.isEnabled()
    folder = tmp_path / "home" / "datasets" / "tiny"
    assert sorted(p.name for p in folder.iterdir()) == sorted(f.name for f in served["entry"].files)
    d.show()
    d.grab().save(str(tmp_path / "fetch-dialog.png"))
    d.train_btn.click()
    assert opened == [folder / "train-images-idx3-ubyte.gz"]


def test_server_down_shows_the_manual_hint(qtbot, served, tmp_path):
    served["server"].shutdown()
    served["server"].server_close()
    d = dialog(qtbot)
    d.start()
    qtbot.waitUntil(lambda: d.download_btn.isEnabled(), timeout=20000)   # set by the finished / errored slots
    assert "download http://127.0.0.1" in d.state.text() and "by hand" in d.state.text()
    assert d.bar.value() == 0
    folder = tmp_path / "home" / "datasets" / "tiny"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_cancel_keeps_nothing(qtbot, served, tmp_path, monkeypatch):
    from aegui.core.data import fetch as F
    d = dialog(qtbot)
    d.cancel()           # nothing running: harmless
    real = F.FetchJob
    monkeypatch.setattr(F, "FetchJob", lambda name: _cancelled_job(real))
    d.start()
    qtbot.waitUntil(lambda: d.download_btn.isEnabled(), timeout=20000)   # set by the finished / errored slots
    assert "Cancelled" in d.state.text()
    folder = tmp_path / "home" / "datasets" / "tiny"
    assert not folder.exists() or list(folder.iterdir()) == []
    assert F.missing("tiny")


def _cancelled_job(FetchJob):
    job = FetchJob("tiny")
    job.cancel()         # as if Cancel was pressed before the first bytes arrived
    return job


def test_menu_entry_in_the_window(qtbot):
    from aegui.qt.main_window import MainWindow
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.menus.fetch_dataset_action in w.menus.menu_dataset.actions()
    assert w.menus.fetch_dataset_action.text() == "Catalogue dataset (download)…"
