"""Where a sweep's results were saved: the whole path (elided in the middle when the panel is
narrow, whole in its tooltip), and a click opens the folder. Only the folder's name was given,
and nothing to click."""
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QDesktopServices

from tests.qt.experiments.test_experiments_panel import run_to_end, tiny_sweep


def test_the_saved_folder_is_shown_whole_and_opens_on_a_click(panel, qtbot, monkeypatch):
    run_to_end(qtbot, panel, tiny_sweep({"train.learning_rate": [0.01, 0.03]}, seeds=1, epochs=10))
    saved = panel.saved_path
    assert saved and Path(saved).is_dir()
    link = panel.saved_link
    qtbot.waitUntil(lambda: link.isVisible() and link.shown_path() == saved)   # room for all of it at 900 px
    assert link.toolTip() == saved
    panel.resize(420, 650)                                                  # narrow: the middle goes
    qtbot.waitUntil(lambda: link.shown_path() != saved)
    shown = link.shown_path()
    assert "…" in shown and shown.endswith(Path(saved).name) and shown.startswith(saved[:3]), shown
    assert link.toolTip() == saved
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True))
    qtbot.mouseClick(link, Qt.MouseButton.LeftButton, pos=QPoint(link.link_rect().center()))
    assert opened == [QUrl.fromLocalFile(saved)]


def test_the_folder_link_reads_on_the_dark_theme(qtbot, tmp_path):
    """Qt's default link blue on the dark theme's grey is hard to read: the link takes a light
    blue there (contrast at least 4.5:1), the palette's own in the light theme."""
    from aegui.qt import theme
    from aegui.qt.widgets.folder_link import FolderLink

    def luminance(c):
        def ch(v):
            v /= 255
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return 0.2126 * ch(c.red()) + 0.7152 * ch(c.green()) + 0.0722 * ch(c.blue())

    link = FolderLink()
    qtbot.addWidget(link)
    link.set_path(str(tmp_path))
    for name in ("dark", "light"):
        theme.apply(name)
        qtbot.waitUntil(lambda: link.link_colour().name() in link.text())
        fg, bg = link.link_colour(), link.palette().color(link.backgroundRole())
        hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
        assert (hi + 0.05) / (lo + 0.05) >= 4.5, (name, fg.name(), bg.name())
