"""Where the user guide (the mkdocs site of docs/) is on this machine, and building it when it is not.

Help > User guide and each panel's help open it from local files, never from the network. The site
is looked for, in this order:

1. `$AEGUI_GUIDE_SITE` (a folder holding index.html): a distribution's own copy, or a test's;
2. `docs-site/` in the app's folder: the copy `make package` builds and bundles;
3. `site/` of a source checkout (`make docs`), when it is not older than the pages it is made of;
4. `docs-site/` in the user's cache folder, built there from docs/ on first use when aegui runs
   from source and mkdocs is installed (`build_cached_site`, about two seconds).

Failing all four (a source checkout without mkdocs), the Markdown page itself (docs/<page>.md) is
what there is to open.
"""
from __future__ import annotations

import html
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from aegui.core.files.atomic import atomic_write_text
from aegui.core.files.paths import app_root, user_cache_dir

SITE_ENV = "AEGUI_GUIDE_SITE"
BUNDLED = "docs-site"          # in the bundle (installer/aegui.spec) and in the user's cache
MADE = "site"                  # `make docs` (mkdocs.yml's site_dir)
BUILD_TIMEOUT_S = 300
JUMP_PAGE = "guide-jump.html"


class GuideBuildError(Exception):
    """The guide could not be built: one sentence that says what to run to see why; `reason` is
    what went wrong alone (mkdocs' last line), for the window to say in its own language."""
    expected = True

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


def html_name(page: str) -> str:
    """The site's page made from a Markdown page: "window.md" -> "window.html" (mkdocs.yml sets
    use_directory_urls: false, so pages open from disk)."""
    page = page or "index.md"
    return page[:-len(".md")] + ".html" if page.endswith(".md") else page


def _has_index(folder: Path) -> bool:
    return (folder / "index.html").is_file()


def sources() -> list[Path]:
    """The files a source checkout's site is made from: mkdocs.yml, its hook and docs/'s pages."""
    root = app_root()
    docs = root / "docs"
    pages = [p for p in docs.rglob("*.md") if "work" not in p.relative_to(docs).parts] if docs.is_dir() else []
    return [root / "mkdocs.yml", root / "tools" / "docs_reference.py", *pages]


def is_current(site: Path) -> bool:
    """Whether a built site is at least as new as every page it is made of (an edited page
    gets the site built again, into the cache)."""
    try:
        built = (site / "index.html").stat().st_mtime
    except OSError:
        return False
    newest = max((p.stat().st_mtime for p in sources() if p.is_file()), default=0.0)
    return built >= newest


def cached_site() -> Path:
    """Where a site built on demand goes: docs-site/ in the user's cache folder."""
    return user_cache_dir() / BUNDLED


def find_site() -> Path | None:
    """The folder of a site ready to open (it holds index.html), or None."""
    chosen = os.environ.get(SITE_ENV)
    if chosen and _has_index(Path(chosen)):
        return Path(chosen)
    bundled = app_root() / BUNDLED
    if _has_index(bundled):
        return bundled
    for site in (app_root() / MADE, cached_site()):
        if _has_index(site) and is_current(site):
            return site
    return None


def can_build() -> bool:
    """Whether this copy can build the site itself: run from source (a bundle's Python cannot run
    mkdocs), with mkdocs.yml and mkdocs-material (the `docs` extra) installed."""
    if getattr(sys, "frozen", False) or not (app_root() / "mkdocs.yml").is_file():
        return False
    return all(importlib.util.find_spec(name) is not None for name in ("mkdocs", "material"))


def build_command(out: Path) -> list[str]:
    """`make docs`'s mkdocs build into `out`, without --strict: a warning (a link gone stale since)
    should not keep the guide from the reader."""
    return [sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", str(app_root() / "mkdocs.yml"), "-d", str(out)]


def build_cached_site() -> Path:
    """Builds the site into the cache folder and returns it. Built beside it first and moved into
    place once whole, so an interrupted build never leaves half a site that looks ready."""
    target = cached_site()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{BUNDLED}-"))
    except OSError as e:
        reason = f"{target.parent}: {e.strerror or e}"
        raise GuideBuildError(f"Could not build the user guide into {reason}; run `make docs` in "
                              f"{app_root()} instead.", reason) from None
    root = app_root()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1",
           "PYTHONPATH": os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH", "")) if p)}
    try:
        try:
            done = subprocess.run(build_command(work / "site"), cwd=root, env=env, capture_output=True, text=True,
                                  timeout=BUILD_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise GuideBuildError(f"Could not build the user guide from {root / 'docs'} ({e}); "
                                  f"run `make docs` in {root} to see why.", str(e)) from None
        if done.returncode != 0 or not _has_index(work / "site"):
            last = (done.stderr.strip().splitlines() or ["mkdocs gave no reason"])[-1]
            raise GuideBuildError(f"Could not build the user guide from {root / 'docs'}: {last}; "
                                  f"run `make docs` in {root} to see why.", last)
        old = work / "old"
        if target.exists():
            target.rename(old)
        (work / "site").rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def markdown_page(page: str) -> Path | None:
    """docs/<page>.md of a source checkout (what there is to read without a built site), else
    docs/index.md; None in a bundle, which carries no docs/."""
    docs = app_root() / "docs"
    for name in (page or "index.md", "index.md"):
        if (docs / name).is_file():
            return docs / name
    return None


def jump_page(page: Path, anchor: str) -> Path:
    """A one-line page in the cache folder that sends the browser on to `page`#`anchor`.

    Opened directly, a file URL loses its #anchor on its way to the browser (xdg-open and
    Windows' ShellExecute drop it, GLib refuses a local file URI with a "#"), so the browser
    would show the top of window.html instead of the panel's section; a redirect inside the
    browser keeps it."""
    target = f"{page.resolve().as_uri()}#{anchor}"
    shown = html.escape(target, quote=True)
    text = ("<!doctype html>\n<html><head><meta charset=\"utf-8\">"
            f"<meta http-equiv=\"refresh\" content=\"0; url={shown}\"><title>aegui — user guide</title></head>\n"
            f"<body><p><a href=\"{shown}\">{html.escape(page.name)}#{html.escape(anchor)}</a></p></body></html>\n")
    path = user_cache_dir() / JUMP_PAGE
    atomic_write_text(path, text)
    return path


def jump_target(jump: Path) -> str:
    """The URL a jump page sends the browser to (tests read it back)."""
    import re
    found = re.search(r'url=([^"]+)"', jump.read_text(encoding="utf-8"))
    return html.unescape(found.group(1)) if found else ""
