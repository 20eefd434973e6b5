"""A failed download as the window shows it: nothing on the terminal, the whole advice readable
(every line, in the window's language, a sentence that starts with a capital and names the
dialog's button instead of a command, readable in the dark theme), and a button that checks the
folder the advice told the user to fill by hand. The server is on 127.0.0.1 and shut down."""
import re
import shutil

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from fetch_server import serve_tiny


@pytest.fixture
def down(tmp_path, monkeypatch):
    """The tiny catalogue entry whose server is down."""
    monkeypatch.setenv("AEGUI_HOME", str(tmp_path / "home"))
    with serve_tiny(tmp_path) as info:
        info["server"].shutdown()
        info["server"].server_close()
        yield info


@pytest.fixture
def spanish(down):
    """Spanish for one test, back to English before the tiny entry leaves the catalogue (the
    dialog retranslates its entry on the switch)."""
    from aegui.qt import i18n
    i18n.set_language("es")
    yield
    i18n.set_language("en")


def failed_dialog(qtbot, on_train=None, show=True):
    from aegui.qt.builder.fetch_dialog import FetchDialog
    d = FetchDialog(on_train=on_train)
    qtbot.addWidget(d)
    d.combo.setCurrentIndex(d.combo.findData("tiny"))
    if show:
        d.show()
        qtbot.waitExposed(d)
    d.start()
    qtbot.waitUntil(lambda: d.download_btn.isEnabled(), timeout=20000)   # set by the finished / errored slots
    QApplication.processEvents()
    return d


def message_label(d):
    """The label that shows the error (the dialog's error note; its state line before it had one)."""
    return getattr(d, "error", d.state)


def plain(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def test_a_failed_download_prints_no_traceback(qtbot, down, capfd):
    failed_dialog(qtbot, show=False)
    err = capfd.readouterr().err
    assert "Traceback" not in err and "FetchError" not in err, err


def test_the_whole_error_is_shown(qtbot, down):
    d = failed_dialog(qtbot)
    label = message_label(d)
    assert "by hand" in plain(label.text())
    # Every wrapped line has its room: the label is as tall as its text needs at its width, and
    # it lies inside the dialog.
    assert label.height() >= label.heightForWidth(label.width()), (label.height(), label.heightForWidth(label.width()))
    assert label.geometry().bottom() < d.height()
    d.resize(d.width() + 200, d.height())
    QApplication.processEvents()
    assert label.height() >= label.heightForWidth(label.width())


def test_the_error_speaks_to_a_window_user_in_spanish(qtbot, down, spanish):
    from aegui.core.data.catalogue import ENTRIES
    from aegui.qt import i18n
    d = failed_dialog(qtbot)
    text = plain(message_label(d).text())
    assert "aegui data" not in text and "`" not in text          # no command for a window user
    assert text[:1].isupper() and not text.startswith("FetchError")
    assert "a mano" in text and "«Usar archivos que tengo…»" in text, text
    assert d.folder_btn.text() == "Usar archivos que tengo…"
    # the catalogue's titles too
    titles = {d.combo.itemData(i): d.combo.itemText(i) for i in range(d.combo.count())}
    assert titles["mnist"] != ENTRIES["mnist"].title and titles["mnist"].startswith("MNIST, dígitos manuscritos")
    i18n.set_language("en")
    assert d.combo.itemText(d.combo.findData("mnist")) == ENTRIES["mnist"].title


def _luminance(c: QColor) -> float:
    def lin(v):
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    return 0.2126 * lin(c.red()) + 0.7152 * lin(c.green()) + 0.0722 * lin(c.blue())


def text_contrast(widget) -> float:
    """The contrast ratio (WCAG) of the text drawn in `widget` against its background: the most
    common colour is the background, the text's is the one farthest from it."""
    img = widget.grab().toImage()
    counts = {}
    for y in range(3, img.height() - 3):
        for x in range(3, img.width() - 3):
            rgb = img.pixel(x, y)
            counts[rgb] = counts.get(rgb, 0) + 1
    bg = _luminance(QColor(max(counts, key=counts.get)))
    ratios = [(max(bg, _luminance(QColor(c))) + 0.05) / (min(bg, _luminance(QColor(c))) + 0.05)
              for c, n in counts.items() if n >= 5]
    return max(ratios)


def test_the_error_is_readable_in_the_dark_theme(qtbot, down):
    from aegui.qt import theme
    theme.apply("dark")
    d = failed_dialog(qtbot)
    assert text_contrast(message_label(d)) >= 4.5


def test_a_folder_filled_by_hand_is_checked_and_trained_on(qtbot, down, monkeypatch):
    """The advice says which files go in which folder; the dialog's button checks that folder."""
    from PySide6.QtWidgets import QFileDialog

    from aegui.core.data.fetch import dataset_dir
    opened = []
    d = failed_dialog(qtbot, opened.append)
    advised = dataset_dir("tiny")
    assert str(advised) in plain(message_label(d).text())
    advised.mkdir(parents=True, exist_ok=True)
    for f in down["root"].iterdir():          # the user downloads them by hand
        shutil.copy(f, advised / f.name)
    asked = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda parent, title, start, *a: asked.append(start) or start))
    d.folder_btn.click()
    assert asked == [str(advised)]            # the chooser opens where the advice said
    qtbot.waitUntil(lambda: d.train_btn.isEnabled(), timeout=20000)
    assert "Checked" in d.state.text() and not d.error.isVisible()
    d.train_btn.click()
    assert opened == [advised / "train-images-idx3-ubyte.gz"]


def _rows(d) -> tuple:
    """The dialog's size and where its rows are (top, height), top to bottom, once its layout has
    settled (layout passes and posted events until two readings agree, a bounded loop). A row
    taller than its text shows it amid a stretched gap."""
    def read():
        rows = [w for w in (d.combo, d.license, d.citation, d.state, d.error, d.bar, d.detail, d.download_btn,
                            d.buttons) if w.isVisible()]
        return (d.width(), d.height()), [(w.y(), w.height()) for w in rows]
    last = None
    for _ in range(20):
        QApplication.sendPostedEvents()
        QApplication.processEvents()
        now = read()
        if now == last:
            break
        last = now
    return last


def test_the_dialog_closes_up_once_the_error_is_gone(qtbot, down):
    """A failed download grows the dialog to show the whole advice. Once the error is gone (another
    dataset picked, then this one again) the dialog is back to its size and its rows where they were:
    the error's room was kept, spread between the rows as stretched gaps."""
    from PySide6.QtCore import Qt

    from aegui.qt.builder.fetch_dialog import FetchDialog
    d = FetchDialog()
    qtbot.addWidget(d)
    d.combo.setCurrentIndex(d.combo.findData("tiny"))
    d.show()
    qtbot.waitExposed(d)
    before = _rows(d)
    qtbot.mouseClick(d.download_btn, Qt.LeftButton)
    qtbot.waitUntil(lambda: d.download_btn.isEnabled() and d.error.isVisible(), timeout=20000)
    size, _gaps = _rows(d)
    assert size[1] > before[0][1]           # room for the advice
    away, back = (Qt.Key_Up, Qt.Key_Down) if d.combo.currentIndex() > 0 else (Qt.Key_Down, Qt.Key_Up)
    qtbot.keyClick(d.combo, away)
    qtbot.keyClick(d.combo, back)
    assert d.name() == "tiny" and not d.error.isVisible()
    after = _rows(d)
    assert after == before, f"size and gaps after the error {after}, before it {before}"
