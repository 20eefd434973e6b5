"""The first-run guide: three hints, each dismissed for good, remembered in the settings."""
from PySide6.QtCore import QSettings

from aegui.qt.guide import Guide


def test_three_hints_then_remembered_when_dismissed(window, tmp_path):
    g = window.guide
    assert sorted(g.visible()) == ["draw", "hover", "train"]
    for key in g.visible():                          # each sits over the panel it names
        dock = window.docks[{"draw": "editor", "hover": "latent", "train": "builder"}[key]]
        centre = g.hints[key].geometry().center()
        assert dock.geometry().adjusted(-40, -40, 40, 40).contains(centre), key
    g.hints["hover"].ok.click()
    assert sorted(g.visible()) == ["draw", "train"]
    settings = window.settings
    settings.sync()
    again = Guide(window, QSettings(settings.fileName(), QSettings.IniFormat))
    assert sorted(again.start()) == ["draw", "train"]          # the closed one stays closed
    again.hints["train"].never.click()                         # "Don't show again": all gone
    assert again.visible() == []
    third = Guide(window, again.settings)
    assert third.start() == []
