"""Where Help > User guide finds the documentation site (aegui/core/files/guide_site.py): a folder
named by $AEGUI_GUIDE_SITE, then the bundle's copy, then a checkout's `make docs` output while it is
not older than docs/, then a copy built into the user's cache folder; the page that carries a
panel's #anchor to the browser; and a build that fails leaves no half site behind.

Each case runs against a stand-in app folder (app_root patched), so what is on this machine's
checkout (a site/ someone built) does not decide the outcome.
"""
import os
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from aegui.core.files import guide_site


def site_at(folder: Path, *pages: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for page in ("index.html", *pages):
        (folder / page).write_text(f"<html><body><h1 id='top'>{page}</h1></body></html>", encoding="utf-8")
    return folder


@pytest.fixture
def app(tmp_path, monkeypatch):
    """A source checkout's shape: mkdocs.yml and docs/ with two pages; the cache in tmp_path too."""
    root = tmp_path / "app"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "index.md").write_text("# Getting started\n", encoding="utf-8")
    (root / "docs" / "window.md").write_text("# The window\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text("site_name: test\n", encoding="utf-8")
    monkeypatch.setattr(guide_site, "app_root", lambda: root)
    monkeypatch.setenv("AEGUI_HOME", str(tmp_path / "home"))
    monkeypatch.delenv(guide_site.SITE_ENV, raising=False)
    return root


def age(path: Path, seconds: float) -> None:
    """Sets a file's modification time `seconds` into the past."""
    when = time.time() - seconds
    os.utime(path, (when, when))


def test_nothing_built_is_no_site(app):
    assert guide_site.find_site() is None


def test_the_order_in_which_a_site_is_looked_for(app, tmp_path, monkeypatch):
    cache = site_at(guide_site.cached_site())
    assert guide_site.find_site() == cache
    made = site_at(app / "site")
    assert guide_site.find_site() == made
    bundled = site_at(app / "docs-site")
    assert guide_site.find_site() == bundled
    chosen = site_at(tmp_path / "distribution's copy")
    monkeypatch.setenv(guide_site.SITE_ENV, str(chosen))
    assert guide_site.find_site() == chosen
    monkeypatch.setenv(guide_site.SITE_ENV, str(tmp_path / "not a site"))   # no index.html: passed over
    assert guide_site.find_site() == bundled


def test_a_site_older_than_a_page_of_docs_is_passed_over(app):
    """An edited page: the checkout's site/ and the cache's copy both predate it, so neither is
    opened (Help builds the cache's copy again instead)."""
    made, cache = site_at(app / "site"), site_at(guide_site.cached_site())
    for site in (made, cache):
        age(site / "index.html", 100)
    age(app / "mkdocs.yml", 200)
    age(app / "docs" / "index.md", 200)
    age(app / "docs" / "window.md", 50)
    assert guide_site.find_site() is None
    age(cache / "index.html", 10)
    assert guide_site.find_site() == cache


def test_a_page_and_its_html_name():
    assert guide_site.html_name("window.md") == "window.html"
    assert guide_site.html_name("reference/cli.md") == "reference/cli.html"
    assert guide_site.html_name("") == "index.html"


def test_the_markdown_page_without_a_site(app):
    assert guide_site.markdown_page("window.md") == app / "docs" / "window.md"
    assert guide_site.markdown_page("no-such-page.md") == app / "docs" / "index.md"


def test_the_jump_page_carries_the_anchor_to_a_local_file(app, tmp_path):
    """A file URL with "#..." opened through xdg-open or Windows' shell loses the anchor: the jump
    page sends the browser to page#anchor itself, with the path quoted (a space, a "#" in a folder
    name)."""
    page = site_at(tmp_path / "odd # folder name", "window.html") / "window.html"
    jump = guide_site.jump_page(page, "panel-latent")
    assert jump.parent == guide_site.user_cache_dir() and jump.is_file()
    target = urlsplit(guide_site.jump_target(jump))
    assert target.scheme == "file" and target.fragment == "panel-latent"
    assert Path(unquote(target.path)) == page.resolve()


def test_a_failed_build_says_why_and_leaves_no_half_site(app):
    (app / "mkdocs.yml").write_text("site_name: [unclosed\n", encoding="utf-8")
    with pytest.raises(guide_site.GuideBuildError) as caught:
        guide_site.build_cached_site()
    assert "make docs" in str(caught.value) and str(app) in str(caught.value) and caught.value.reason
    cache = guide_site.cached_site()
    assert not cache.exists()
    assert [p.name for p in cache.parent.iterdir()] == []      # its work folder is gone too


def test_a_bundle_does_not_build(app, monkeypatch):
    monkeypatch.setattr("sys.frozen", True, raising=False)
    assert guide_site.can_build() is False


def test_the_cache_copy_is_built_and_replaces_an_old_one(tmp_path, monkeypatch):
    """The real docs/ built into the cache (about two seconds): the old copy's files are gone, the
    new one is whole and is what find_site gives."""
    pytest.importorskip("mkdocs")
    pytest.importorskip("material")
    monkeypatch.setenv("AEGUI_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(guide_site, "MADE", "no-such-site")
    monkeypatch.delenv(guide_site.SITE_ENV, raising=False)
    old = site_at(guide_site.cached_site(), "left-from-before.html")
    age(old / "index.html", 10 ** 7)
    assert guide_site.can_build() and guide_site.find_site() is None
    site = guide_site.build_cached_site()
    assert site == guide_site.cached_site()
    assert (site / "window.html").is_file() and not (site / "left-from-before.html").exists()
    assert 'id="panel-latent"' in (site / "window.html").read_text(encoding="utf-8")
    assert guide_site.find_site() == site
    assert sorted(p.name for p in site.parent.iterdir()) == ["docs-site"]
