"""The Experiments menu's Sweep presets: each shows its expected time on this machine's class, measured
by bench/preset_times.py (resources/preset_times.json), a "quick" mark for a minute or less, and a
filter shows the presets of one course document (000-004)."""

from aegui.core.analyses.preset_times import QUICK_S, expected_times, machine_class
from aegui.core.analyses.report.run import preset_documents
from aegui.qt import i18n
from aegui.qt.experiments.preset_menu import preset_sweeps


def entries(menu):
    return {a.data(): a.text() for a in menu.preset_actions}


def test_each_preset_shows_its_measured_time_and_the_quick_ones_are_marked(window):
    times = expected_times()
    assert times is not None, "resources/preset_times.json holds no measurement"
    assert times.exact == (times.key == machine_class()["key"])
    menus = window.menus
    header = menus.preset_menu.header.text()
    # Where the times were measured: this machine's class, or the nearest one, named as not this one.
    assert f"{times.cores} CPU cores ({times.cpu})" in header, header
    assert ("on this machine's class" in header) == times.exact and ("not this machine's class" in header) != times.exact
    measured = 0
    for stem, text in entries(menus).items():
        title, _, when = text.partition("\t")
        seconds = times.seconds(stem)
        if seconds is None:
            assert when == "not measured", text
            continue
        measured += 1
        assert when.startswith("~") and (when.endswith(" · quick") == (seconds <= QUICK_S)), text
        if seconds < 60:
            assert when.split(" ")[0] == f"~{max(1, round(seconds))}", (text, seconds)
    assert measured >= 10, entries(menus)
    i18n.set_language("es")
    texts = entries(menus)
    quick = [s for s in texts if times.quick(s)]
    assert quick and all(texts[s].endswith(" · rápido") for s in quick), texts
    assert f"{times.cores} núcleos de CPU" in menus.preset_menu.header.text(), menus.preset_menu.header.text()


def test_the_document_filter_shows_the_presets_of_one_course_document(window, tmp_path):
    menus = window.menus
    pm = menus.preset_menu
    docs = preset_documents()
    all_stems = [a.data() for a in menus.preset_actions]
    assert pm.current_filter() == "all" and pm.visible_stems() == all_stems
    assert [k for k in pm.filter_actions] == ["all", "000", "001", "002", "003", "004", "none"]
    pm.filter_actions["001"].trigger()                       # as a click on the menu entry does
    assert pm.visible_stems() == [s for s in all_stems if "001" in docs.get(s, ())]
    assert "seed001-architectures" in pm.visible_stems() and "scipy-optimizers-quick" in pm.visible_stems()
    assert not pm.empty_note.isVisible() and pm.filter_menu.title() == "Show presets of: 001"
    pm.filter_actions["000"].trigger()
    assert set(pm.visible_stems()) == {"seed000-activations", "seed000-architectures", "seed000-epochs",
                                       "seed000-inits", "seed000-loss"}
    pm.filter_actions["002"].trigger()                       # its experiments are analyses: none here
    assert pm.visible_stems() == [] and pm.empty_note.isVisible()
    assert "Export course report" in pm.empty_note.text()
    pm.filter_actions["none"].trigger()
    assert "denoising-levels" in pm.visible_stems() and not any(s.startswith("seed") for s in pm.visible_stems())
    # The choice is kept for the next session.
    assert window.settings.value("experiments/preset_document") == "none"
    from aegui.qt.experiments.preset_menu import PresetMenu
    from PySide6.QtWidgets import QMenu
    again = PresetMenu(QMenu(), [(p, n) for p, n, _ in pm.presets], lambda p: None, window.settings)
    assert again.current_filter() == "none"


def test_the_presets_are_built_when_their_submenu_first_opens(window):
    """Reading every preset, the course documents and the measured times is left until the
    Sweep presets submenu is first opened: the window's first paint does not wait for a menu
    nobody opened. Opened, the submenu holds the caption, the filter and every preset, and sits
    between New/Open/Save sweep and the analyses."""
    menus = window.menus
    m, sub = menus.menu_experiments, menus.menu_presets
    order = [path.stem for path, _name in preset_sweeps()]
    stems = set(order)
    assert menus._presets is None and sub.actions() == []        # nothing read yet
    m.aboutToShow.emit()
    assert menus._presets is None                                # the Experiments menu alone reads nothing
    sub.aboutToShow.emit()
    pm = menus.preset_menu
    assert [a.data() for a in sub.actions() if a.data() in stems] == [a.data() for a in pm.actions] == order
    assert sub.actions()[0] is pm.header and sub.actions()[1] is pm.filter_menu.menuAction()
    texts = [a.text() for a in m.actions()]
    at = texts.index("Sweep presets")
    assert texts[:at] == ["New sweep…", "Open sweep…", "Save sweep…", ""] and texts[at + 1] == ""
    assert [a.text() for a in m.actions()[at + 2:]] == [a.text() for a in menus.analysis_actions.values()]
    assert not any(a.data() in stems for a in m.actions())       # no preset in the menu itself
    sub.aboutToShow.emit()
    assert menus.preset_menu is pm and [a.data() for a in sub.actions() if a.data() in stems] == order


def test_the_experiments_menu_and_its_presets_fit_a_720_px_screen_in_one_column(window):
    """With all 26 presets shown in Spanish (the longest titles), neither the Experiments menu nor
    its Sweep presets submenu is taller than a 1280x720 screen less its title and menu bars: Qt
    lays a taller menu out in a second column, which put the analyses at the screen's top right."""
    menus = window.menus
    window.menus.set_language("es")
    try:
        menus.menu_presets.aboutToShow.emit()
        menus.preset_menu.set_filter("all", remember=False)
        for menu in (menus.menu_experiments, menus.menu_presets):
            menu.ensurePolished()
            height = menu.sizeHint().height()
            assert height <= 720 - 60, (menu.title(), height)
        assert menus.menu_presets.sizeHint().width() <= 1280
    finally:
        window.menus.set_language("en")
