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
    assert d.state.text() == "The download failed."
    assert 'href="http://127.0.0.1' in d.error.text() and "by hand" in d.error.text()
    assert "train-images-idx3-ubyte.gz" in d.error.text() and d.error.isVisible() is d.isVisible()
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
    from aegui.qt.window.main_window import MainWindow
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.menus.fetch_dataset_action in w.menus.menu_dataset.actions()
    assert w.menus.fetch_dataset_action.text() == "Catalogue dataset (download)…"


@pytest.fixture
def unpacked(served, tmp_path):
    """The tiny entry with the published SHA-256 of its unpacked files, and a folder (laid out as
    torchvision's root: tiny/MNIST/raw) holding them unpacked."""
    import gzip
    import hashlib
    from dataclasses import replace

    from aegui.core.data import catalogue
    raw = tmp_path / "course" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    files = []
    for f in served["entry"].files:
        data = gzip.decompress((served["root"] / f.name).read_bytes())
        (raw / f.unpacked_name).write_bytes(data)
        files.append(replace(f, unpacked="sha256:" + hashlib.sha256(data).hexdigest()))
    catalogue.ENTRIES["tiny"] = replace(served["entry"], files=tuple(files))
    return tmp_path / "course"


def choose(monkeypatch, folder):
    from PySide6.QtWidgets import QFileDialog
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(folder)))


def test_use_files_i_have_registers_an_unpacked_folder(qtbot, unpacked, monkeypatch):
    from aegui.core.data import local_files
    opened = []
    d = dialog(qtbot, opened.append)
    assert d.folder_btn.text() == "Use files I have…" and d.folder_btn.isEnabled()
    choose(monkeypatch, unpacked)
    d.folder_btn.click()
    qtbot.waitUntil(lambda: d.train_btn.isEnabled(), timeout=20000)
    raw = unpacked / "MNIST" / "raw"
    assert str(raw) in d.state.text() and "Checked" in d.state.text() and d.bar.value() == 1000
    assert local_files.registered_folders()["tiny"] == str(raw.resolve())
    d.train_btn.click()
    assert opened == [raw / "train-images-idx3-ubyte"]

    # Opened again later, the dialog says where the files are, and training checks them again first.
    again = []
    d2 = dialog(qtbot, again.append)
    assert str(raw.resolve()) in d2.state.text() and d2.train_btn.isEnabled()
    d2.train_btn.click()
    qtbot.waitUntil(lambda: again != [], timeout=20000)
    assert again == [raw.resolve() / "train-images-idx3-ubyte"]


def test_use_files_i_have_refuses_a_file_whose_bytes_differ(qtbot, unpacked, monkeypatch):
    from aegui.core.data import local_files
    bad = unpacked / "MNIST" / "raw" / "t10k-labels-idx1-ubyte"
    data = bytearray(bad.read_bytes())
    data[-1] ^= 1
    bad.write_bytes(bytes(data))
    opened = []
    d = dialog(qtbot, opened.append)
    d.show()
    choose(monkeypatch, unpacked)
    d.folder_btn.click()
    qtbot.waitUntil(lambda: d.download_btn.isEnabled(), timeout=20000)
    assert d.state.text() == "The folder was not added."
    assert d.error.isVisible() and str(bad) in d.error.text() and "bytes differ" in d.error.text()
    assert "aegui data" not in d.error.text()
    assert not d.train_btn.isEnabled() and "tiny" not in local_files.registered_folders() and opened == []
    # a folder without the files names what it looks for
    empty = unpacked.parent / "empty"
    empty.mkdir()
    choose(monkeypatch, empty)
    d.folder_btn.click()
    qtbot.waitUntil(lambda: d.download_btn.isEnabled(), timeout=20000)
    assert "holds no" in d.error.text() and "train-images-idx3-ubyte.gz / train-images-idx3-ubyte" in d.error.text()
