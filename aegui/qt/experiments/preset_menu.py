"""The Experiments menu's Sweep presets submenu: one entry per shipped sweep with its expected
time on this machine's class (measured by bench/preset_times.py, resources/preset_times.json) and
a "quick" mark for a minute or less, and a filter by course document (000-004).

A document whose experiments are all analyses has no sweep here: the menu says so and points to
File > Export course report…, which runs them."""
from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu

from aegui.core.analyses.preset_times import ExpectedTimes, expected_times
from aegui.core.files.paths import resources_dir
from aegui.qt.i18n import bind_text, on_language, plural, tr

ALL, NONE = "all", "none"          # the filter's two choices besides a document's id
FILTER_KEY = "experiments/preset_document"
TITLE_PX = 760           # the widest preset title shown whole in the menu


def preset_sweeps() -> list[tuple[Path, str]]:
    """(file, English title) of each sweep shipped in resources/sweeps, by file name."""
    out = []
    for path in sorted((resources_dir() / "sweeps").glob("*.json")):
        try:
            name = json.loads(path.read_text(encoding="utf-8")).get("name") or path.stem
        except (OSError, ValueError, AttributeError):
            continue   # a damaged preset is left out of the menu; opening it names the problem
        out.append((path, str(name)))
    return out


def duration_text(seconds: float) -> str:
    """About how long: "~25 s", "~4 min", "~1 h 10 min" (a measured time, rounded as a clock's)."""
    seconds = int(round(seconds))
    if seconds < 60:
        return tr("~{n} s", n=max(1, seconds))
    minutes = int(round(seconds / 60))
    if minutes < 60:
        return tr("~{n} min", n=minutes)
    return tr("~{h} h {m} min", h=minutes // 60, m=minutes % 60)


class PresetMenu(QObject):
    """Builds its entries into `menu` (before the action `before`, else at its end); `run(path)`
    runs a preset."""

    def __init__(self, menu, presets, run, settings=None, times: ExpectedTimes | None | bool = False,
                 before: QAction | None = None):
        super().__init__(menu)
        from aegui.core.analyses.report.run import preset_documents
        from aegui.core.analyses.report.run import load_report
        self.menu, self.settings = menu, settings
        menu.setToolTipsVisible(True)
        self.times = expected_times() if times is False else times
        self.documents = {spec.id: spec.short for spec in load_report("all")}
        docs = preset_documents()
        self.presets = [(path, name, docs.get(path.stem, ())) for path, name in presets]

        def add(act):
            menu.insertAction(before, act) if before is not None else menu.addAction(act)

        self.header = QAction(menu)
        self.header.setEnabled(False)      # a caption: where the times were measured
        add(self.header)
        self.filter_menu = QMenu(menu)
        add(self.filter_menu.menuAction())
        group = QActionGroup(self)
        self.filter_actions: dict[str, QAction] = {}
        for key in (ALL, *self.documents, NONE):
            act = QAction(self.filter_menu, checkable=True)
            act.triggered.connect(lambda _=False, k=key: self.set_filter(k))
            group.addAction(act)
            self.filter_menu.addAction(act)
            self.filter_actions[key] = act
        bind_text(self, self.filter_actions[ALL].setText, "All presets")
        bind_text(self, self.filter_actions[NONE].setText, "Presets of no course document")
        self.actions: list[QAction] = []
        for path, _name, _docs in self.presets:
            act = QAction(menu)
            act.setData(path.stem)
            act.triggered.connect(lambda _=False, p=path: run(p))
            add(act)
            self.actions.append(act)
        self.empty_note = QAction(menu)
        self.empty_note.setEnabled(False)
        bind_text(self, self.empty_note.setText, "No sweep presets for this document: File > Export course "
                                                 "report… runs its experiments.")
        add(self.empty_note)
        saved = settings.value(FILTER_KEY) if settings is not None else None
        self.set_filter(saved if saved in self.filter_actions else ALL, remember=False)
        self._write_entries()
        on_language(self, self._write_entries)
        on_language(self, self._show_filter_title)

    # ---------------------------------------------------------------- filter
    def current_filter(self) -> str:
        return self._filter

    def set_filter(self, key: str, remember: bool = True) -> None:
        """Show the presets of document `key` ("000"...), of none (NONE) or all (ALL)."""
        if key not in self.filter_actions:
            raise ValueError(f"unknown document {key!r}; choose one of {', '.join(self.filter_actions)}")
        self._filter = key
        self.filter_actions[key].setChecked(True)
        shown = 0
        for act, (_path, _name, docs) in zip(self.actions, self.presets):
            on = key == ALL or (key == NONE and not docs) or key in docs
            act.setVisible(on)
            shown += on
        self.empty_note.setVisible(shown == 0)
        if remember and self.settings is not None:
            self.settings.setValue(FILTER_KEY, key)
        self._show_filter_title()

    def visible_stems(self) -> list[str]:
        return [a.data() for a in self.actions if a.isVisible()]

    # ---------------------------------------------------------------- text
    def time_text(self, stem: str) -> str:
        """The right-hand column of an entry: "~25 s · quick", "~4 min" or "not measured"."""
        seconds = self.times.seconds(stem) if self.times is not None else None
        if seconds is None:
            return tr("not measured")
        text = duration_text(seconds)
        return tr("{time} · quick", time=text) if self.times.quick(stem) else text

    def machine_text(self) -> str:
        """The measured class in words: "2 CPU cores (AMD EPYC), no GPU"."""
        t = self.times
        if t.gpu:
            return plural(t.cores, tr("1 CPU core ({cpu}), GPU {gpu}", cpu=t.cpu, gpu=t.gpu),
                          tr("{cores} CPU cores ({cpu}), GPU {gpu}", cores=t.cores, cpu=t.cpu, gpu=t.gpu))
        return plural(t.cores, tr("1 CPU core ({cpu}), no GPU", cpu=t.cpu),
                      tr("{cores} CPU cores ({cpu}), no GPU", cores=t.cores, cpu=t.cpu))

    def _write_entries(self) -> None:
        """The texts made from the presets' data: the caption naming the measured machine, each
        preset's title (shortened to fit) with its time, each document's filter entry."""
        t = self.times
        if t is None:
            self.header.setText(tr("Presets (no expected times measured yet: bench/preset_times.py --record)"))
        elif t.exact:
            self.header.setText(tr("Presets: expected time on this machine's class ({machine})",
                                   machine=self.machine_text()))
        else:
            self.header.setText(tr("Presets: expected time measured on {machine}, not this machine's class",
                                   machine=self.machine_text()))
        fm = self.menu.fontMetrics()
        for act, (path, name, _docs) in zip(self.actions, self.presets):
            # After the tab: the menu's right-hand column, where shortcuts go. A title longer than
            # TITLE_PX is shortened (whole in the tooltip): the menu must fit a 1024 px screen.
            title = tr(name)
            act.setText(f"{fm.elidedText(title, Qt.TextElideMode.ElideRight, TITLE_PX)}\t{self.time_text(path.stem)}")
            act.setToolTip(title)
        for key, short in self.documents.items():
            self.filter_actions[key].setText(f"{key}: {tr(short)}")

    def _show_filter_title(self) -> None:
        key = self._filter
        which = (tr("all documents") if key == ALL else tr("no course document") if key == NONE else key)
        self.filter_menu.setTitle(tr("Show presets of: {which}", which=which))
