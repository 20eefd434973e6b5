"""Help > User guide and the panels' help open the documentation site from local files: a file://
URL of a file that exists, never http(s); a panel's help lands on its own section (#anchor) of
the guide; run from source with no site built, the guide is built into the cache folder and
opened when ready; without mkdocs, the Markdown page opens and the status bar says `make docs`.

QDesktopServices.openUrl is recorded by tests/qt/conftest.py (`opened_urls`), so no browser starts.
"""
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from PySide6.QtCore import Qt

from aegui.core.files import guide_site
from aegui.qt import i18n
from aegui.qt.perspectives.panels import PANELS

ROOT = Path(__file__).resolve().parents[2]


def local_file(url) -> Path:
    """The file a recorded QUrl names; fails for anything but an existing local file."""
    text = url.toString()
    assert url.scheme() == "file" and not re.match(r"https?:", text), text
    path = Path(url.toLocalFile())
    assert path.is_file(), text
    return path


def jump_target(url) -> tuple[Path, str]:
    """(the page, the anchor) a recorded URL takes the browser to: through the jump page when the
    URL is one, else the file itself and no anchor."""
    path = local_file(url)
    if path.name != guide_site.JUMP_PAGE:
        return path, ""
    target = urlsplit(guide_site.jump_target(path))
    assert target.scheme == "file", target
    return Path(unquote(target.path)), target.fragment


@pytest.fixture
def fake_site(tmp_path, monkeypatch):
    """A tiny site named by AEGUI_GUIDE_SITE: the pages the panels' help points at."""
    site = tmp_path / "guide site"
    site.mkdir()
    pages = {p.guide.partition("#")[0] for p in PANELS.values() if p.guide} | {"index.md"}
    for page in pages:
        (site / guide_site.html_name(page)).write_text("<html><body>page</body></html>", encoding="utf-8")
    monkeypatch.setenv(guide_site.SITE_ENV, str(site))
    return site


def entry(menu, english: str):
    return next((a for a in menu.actions() if a.data() == english), None)


def test_help_user_guide_opens_the_site_from_local_files(window, fake_site, opened_urls):
    action = entry(window.menus.menu_help, "User guide")
    assert action is not None, [a.text() for a in window.menus.menu_help.actions()]
    assert "no internet" in action.toolTip() and window.menus.menu_help.toolTipsVisible()
    action.trigger()
    assert len(opened_urls) == 1
    assert jump_target(opened_urls[0]) == (fake_site / "index.html", "")


def test_each_panels_help_opens_its_section_of_the_guide(window, fake_site, opened_urls):
    """Help > Help on a panel has every panel of the table, each opening its page at its anchor."""
    actions = window.menus.panel_help_actions
    assert sorted(actions) == sorted(PANELS)
    for key, action in actions.items():
        opened_urls.clear()
        action.trigger()
        page, _, anchor = PANELS[key].guide.partition("#")
        assert [jump_target(u) for u in opened_urls] == [(fake_site / guide_site.html_name(page), anchor)], key
    i18n.set_language("es")
    assert window.menus.menu_panel_help.title() == "Ayuda sobre un panel"
    assert actions["latent"].text() == "Espacio latente"


def test_the_latent_maps_question_mark_opens_its_section(window, fake_site, opened_urls, qtbot):
    button = window.latent.help_button
    assert "user guide" in button.toolTip()
    qtbot.mouseClick(button, Qt.LeftButton)
    assert [jump_target(u) for u in opened_urls] == [(fake_site / "window.html", "panel-latent")]


def test_every_panel_anchor_is_in_its_markdown_page():
    """The anchors of the panel table are in docs/ as written (an id on the page, or a heading's
    slug); tests/test_docs_site.py checks them in the built site as well."""
    from markdown.extensions.toc import slugify
    missing = []
    for key, panel in PANELS.items():
        page, _, anchor = panel.guide.partition("#")
        source = (ROOT / "docs" / page).read_text(encoding="utf-8")
        ids = set(re.findall(r'id="([^"]+)"', source)) | set(re.findall(r"\{#([\w-]+)\}", source))
        ids |= {slugify(h, "-") for h in re.findall(r"^#+\s+(.+?)\s*$", source, re.M)}
        if anchor not in ids:
            missing.append(f"{key}: {panel.guide}")
    assert missing == []


def test_from_source_without_a_site_the_guide_is_built_into_the_cache(window, aegui_home, opened_urls, qtbot,
                                                                      monkeypatch):
    pytest.importorskip("mkdocs")
    pytest.importorskip("material")
    monkeypatch.delenv(guide_site.SITE_ENV, raising=False)
    monkeypatch.setattr(guide_site, "MADE", "no-such-site")     # this checkout's own site/, if built
    guide = window.menus.user_guide
    entry(window.menus.menu_help, "User guide").trigger()
    assert guide.building and opened_urls == []
    assert "Building the user guide" in window.statusBar().currentMessage()
    window.menus.panel_help_actions["compare"].trigger()         # asked again while it builds: one build
    qtbot.waitUntil(lambda: not guide.building, timeout=120_000)
    assert len(opened_urls) == 1, [u.toString() for u in opened_urls]
    page, anchor = jump_target(opened_urls[0])
    assert page == (aegui_home / "docs-site" / "window.html").resolve() and anchor == "compare-two-models"
    assert 'id="compare-two-models"' in page.read_text(encoding="utf-8")


def test_without_mkdocs_the_markdown_page_opens_and_the_status_bar_says_how_to_build(window, opened_urls,
                                                                                    monkeypatch):
    monkeypatch.delenv(guide_site.SITE_ENV, raising=False)
    monkeypatch.setattr(guide_site, "MADE", "no-such-site")
    monkeypatch.setattr(guide_site, "can_build", lambda: False)
    entry(window.menus.menu_help, "User guide").trigger()
    assert [jump_target(u) for u in opened_urls] == [(ROOT / "docs" / "index.md", "")]
    assert "make docs" in window.statusBar().currentMessage()
    i18n.set_language("es")
    window.menus.panel_help_actions["editor"].trigger()
    assert jump_target(opened_urls[-1]) == (ROOT / "docs" / "window.md", "")
    message = window.statusBar().currentMessage()
    assert "make docs" in message and "la guía de uso en Markdown" in message


def test_no_url_the_guide_opens_is_on_the_network(window, fake_site, opened_urls, qtbot):
    """Every way in (the menu, each panel, the map's "?") gives file:// URLs only."""
    entry(window.menus.menu_help, "User guide").trigger()
    for action in window.menus.panel_help_actions.values():
        action.trigger()
    qtbot.mouseClick(window.latent.help_button, Qt.LeftButton)
    assert len(opened_urls) == len(PANELS) + 2
    assert [u.toString() for u in opened_urls if u.scheme() != "file"] == []
