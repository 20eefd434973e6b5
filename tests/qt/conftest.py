import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QtMsgType, qInstallMessageHandler

CRASH_NOTE = Path(__file__).resolve().parents[2] / ".pytest-crash.txt"   # see tests/conftest.py


def _qt_message(kind, context, message):
    # pytest captures stderr and a qFatal aborts before the capture is shown: keep the words.
    if kind == QtMsgType.QtFatalMsg:
        with CRASH_NOTE.open("a") as f:
            f.write(f"Qt: {message}\n")
    if not message.startswith("This plugin does not support"):   # the offscreen platform's
        print(message, file=sys.stderr, flush=True)                  # shrug at window hints


qInstallMessageHandler(_qt_message)


@pytest.fixture(autouse=True, scope="session")
def gc_in_gui_thread(qapp):
    """As the app does: dead widgets of earlier tests must not be freed in a worker thread."""
    from aegui.qt.workers import collector
    collector.start()


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item):
    """The windows a test closed are deleted before the next test. pytest-qt closes them and asks
    for deleteLater(), which only an event loop that is left ever carries out (processEvents()
    does not), and the window freezes what is alive once its models are loaded
    (aegui.qt.workers.collector.freeze_survivors: later collections skip it): every earlier test's window
    stayed alive, 60,000 widgets by the end of a session, each layout check slower than the last."""
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.unfreeze()
    # Their reference cycles still hold wrappers of the layout and view items Qt freed with them
    # (PySide is not told when Qt deletes an item Qt made): a wrapper left registered at a freed
    # address is what the next object there comes back as. Freed now, before the next test
    # makes objects.
    gc.collect()


@pytest.fixture(autouse=True)
def collection_stays_in_the_gui_thread():
    """A test that turns automatic garbage collection back on (gc.enable()) must fail here, not
    hundreds of tests later: it then collects in whichever thread allocates (aegui/qt/workers/collector.py
    says why it is off). When one test left it on, QApplication.allWidgets() later held a freed
    widget and the session died of a segfault in an unrelated test (theme.apply, ~200 tests on);
    how the widget came to be freed under the walk was not caught."""
    import gc
    yield
    if gc.isenabled():
        gc.disable()
        pytest.fail("this test left automatic garbage collection on; the app runs it in the GUI thread only")


@pytest.fixture(autouse=True)
def fixed_free_memory(monkeypatch):
    """The builder writes "Memory: about 97 MB of 22.3 GB free": the free RAM read as the test
    runs, which moves with whatever else the machine runs (two texts read a second apart differed
    in their last digit under load). Qt tests see a fixed 16 GB free; a test that sets its own
    limit (test_memory_label.py) overrides it."""
    from aegui.core.train import memory
    monkeypatch.setenv(memory.ENV_LIMIT, "16G")


@pytest.fixture(autouse=True)
def english():
    """Every Qt test starts and ends in English, whatever a test switched to."""
    from aegui.qt import i18n
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture(autouse=True)
def light_theme(qapp):
    """A test that switched to the dark theme must not leave it to the next (notes pick their
    colours from the palette)."""
    yield
    if qapp.palette().window().color().lightness() < 128:
        from aegui.qt import theme
        theme.apply("light")


@pytest.fixture(autouse=True)
def opened_urls(monkeypatch):
    """What the window asked the desktop to open (QDesktopServices.openUrl), recorded instead: no
    test starts a browser or a file manager (Help > User guide, a panel's "?", a results folder's
    link). A test that patches openUrl itself replaces this one."""
    from PySide6.QtGui import QDesktopServices
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True))
    return opened


@pytest.fixture
def aegui_home(tmp_path, monkeypatch):
    """User data (autosave, glyph library) in a temp folder, never the real one."""
    home = tmp_path / "home"
    monkeypatch.setenv("AEGUI_HOME", str(home))
    return home


@pytest.fixture
def window(qtbot, tmp_path, aegui_home):
    """The main window with the demo models loaded, settings in a temp file."""
    from PySide6.QtCore import QSettings

    from aegui.qt.window.main_window import MainWindow
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    win = MainWindow(settings)
    win.confirm_close = False
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    with qtbot.waitSignal(win.model_loaded, timeout=60000):
        win.start_loading()
    yield win
    win.runner.shutdown()


@pytest.fixture
def builder(qtbot):
    """A model builder shown at a dock's usual size (test_builder_images uses a narrower one)."""
    from aegui.qt.builder.model_builder import ModelBuilder
    w = ModelBuilder()
    qtbot.addWidget(w)
    w.resize(360, 900)
    w.show()
    return w


@pytest.fixture
def bound_panel(qtbot):
    """make(PanelClass, width, height) -> (panel, workspace): a panel bound to a fresh Workspace and
    shown at that size, as a dock of the window would hold it."""
    from aegui.core.workspace.workspace import Workspace

    def make(panel_class, width: int, height: int):
        ws = Workspace()
        panel = panel_class()
        panel.bind(ws)
        qtbot.addWidget(panel)
        panel.resize(width, height)
        panel.show()
        qtbot.waitExposed(panel)
        return panel, ws
    return make
