"""Help > User guide and each panel's help: the documentation site opened in the user's browser
from local files (file:// URLs only; the site loads nothing from outside either).

Where the site comes from is aegui/core/files/guide_site.py: the bundle's copy, a source
checkout's `make docs`, or a copy built into the user's cache folder on first use (the status bar
says so while it builds). Without mkdocs, a checkout opens the Markdown page and the status bar
says how to build the site (`make docs`).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QDesktopServices

from aegui.core.files import guide_site
from aegui.qt.i18n import tr
from aegui.qt.perspectives.panels import PANELS
from aegui.qt.workers import threads

GUIDE_NOTE_MS = 15_000    # long enough to read a path and a command


class UserGuide(QObject):
    """Opens the guide at a page of docs/ and, optionally, an anchor in it ("window.md#panel-latent").
    `say(text, msec)` puts a sentence in the window's status bar."""

    def __init__(self, parent, say):
        super().__init__(parent)
        self.say = say
        self.building = False
        self._wanted = ""            # what to open once the build ends: the last request wins

    def open_panel(self, key: str) -> None:
        """The guide's section on a panel (its `guide` in the panel table)."""
        self.open(PANELS[key].guide)

    def open(self, where: str = "index.md") -> None:
        site = guide_site.find_site()
        if site is not None:
            self._show(site, where)
        elif guide_site.can_build():
            self._wanted = where
            if not self.building:
                self.building = True
                self.say(tr("Building the user guide from docs/ (a few seconds, once; it opens when ready)…"), 0)
                threads.run_task(guide_site.build_cached_site, on_done=self._built, on_error=self._not_built,
                                 receiver=self)
        else:
            self._show_markdown(where)

    def _built(self, site: Path) -> None:
        self.building = False
        self.say(tr("The user guide is built in {path}: opening it.", path=str(site)), GUIDE_NOTE_MS)
        self._show(site, self._wanted)

    def _not_built(self, error) -> None:
        """The build failed: the Markdown page opens instead, and the status bar says why."""
        self.building = False
        if self._show_markdown(self._wanted, say=False):
            reason = getattr(error, "reason", None) or threads.error_text(error)
            self.say(tr("Could not build the user guide ({reason}), so its Markdown page opened; `make docs` in "
                        "the source folder shows why.", reason=reason), GUIDE_NOTE_MS)

    def _show(self, site: Path, where: str) -> None:
        page, _, anchor = where.partition("#")
        path = site / guide_site.html_name(page)
        if not path.is_file():
            path, anchor = site / "index.html", ""
        if anchor:
            try:
                path = guide_site.jump_page(path, anchor)
            except OSError:
                pass            # the page opens at its top: the cache folder cannot be written
        self._open_file(path)

    def _show_markdown(self, where: str, say: bool = True) -> bool:
        """The page as Markdown (a checkout without mkdocs, or a build that failed)."""
        page = guide_site.markdown_page(where.partition("#")[0])
        if page is None:
            self.say(tr("The user guide is not in this copy of aegui: see the documentation that came with it."),
                     GUIDE_NOTE_MS)
            return False
        opened = self._open_file(page)
        if opened and say:
            self.say(tr("Opened {path}: the user guide as Markdown. `make docs` in the source folder builds it as "
                        "a website (it needs the docs extra: pip install -e \".[docs]\").", path=str(page)),
                     GUIDE_NOTE_MS)
        return opened

    def _open_file(self, path: Path) -> bool:
        if QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            return True
        self.say(tr("No program opened {path}: open it in a web browser.", path=str(path)), GUIDE_NOTE_MS)
        return False
