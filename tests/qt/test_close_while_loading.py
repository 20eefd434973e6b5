"""The window closed while start-up still loads torch and the demo models: what the load brings
is dropped (no panel is to compute for models nobody will see while the app exits), and nothing
is printed. At exit the app waits for the load however long it takes (tests/qt/test_jobs.py)."""
import threading
import time

from PySide6.QtCore import QSettings


def test_closing_while_the_models_load_drops_them_and_prints_nothing(qtbot, tmp_path, aegui_home, monkeypatch,
                                                                     capfd):
    import aegui.core.workspace.startup as startup
    from aegui.qt.workers import threads
    from aegui.qt.window.main_window import MainWindow

    win = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat))
    win.confirm_close = False
    qtbot.addWidget(win)
    win.show()
    real, gate, asked = startup.open_startup, threading.Event(), []

    def load_once_closed(paths=()):
        asked.append(paths)
        gate.wait(60)
        return real(paths)
    monkeypatch.setattr(startup, "open_startup", load_once_closed)

    def open_gate_at_close():
        # The load ends while the close waits for the workers: its result arrives at a closed window.
        deadline = time.monotonic() + 60
        while not getattr(win, "closing", False) and time.monotonic() < deadline:
            time.sleep(0.005)
        gate.set()
    threading.Thread(target=open_gate_at_close, daemon=True).start()
    win.start_loading()
    win.close()
    assert asked == [[]]
    assert threads.wait_for_workers(60_000)
    qtbot.wait(0)
    assert win.workspace.models == [] and win.load_problems == []
    assert capfd.readouterr().err == ""
