"""`make docs` builds: the mkdocs site, in strict mode (a broken link or anchor, or a page left out of
the nav, is a warning and fails the build), has the pages a newcomer is sent to, loads nothing
from outside (no web fonts, no scripts from a CDN: it is read on machines without internet), and
its reference pages are made from the code: every command of `aegui`, every setting, every preset
and every report row is on them, and `tools/docs_reference.py --out DIR` writes the same pages.

Skipped only where mkdocs is not installed (the `docs` extra, which `make test` installs).
"""
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mkdocs")

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "tools" / "docs_reference.py"
PAGES = ("index.html", "student-guide.html", "teacher-guide.html", "architecture.html", "packaging.html",
         "reliability.html", "measured.html", "window.html", "cli.html", "course-report.html",
         "reference/cli.html", "reference/settings.html", "reference/presets.html", "reference/report-rows.html")


def generator():
    spec = importlib.util.spec_from_file_location("docs_reference", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("docs") / "site"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"),
                           "-d", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    return out


def shown_text(html: str) -> str:
    """The text of a page as a reader sees it (tags dropped, entities of the generator's escapes read)."""
    text = re.sub(r"<[^>]+>", "", html)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("&quot;", '"')


def test_the_site_builds_strict_with_the_pages_a_newcomer_needs(site):
    missing = [page for page in PAGES if not (site / page).is_file()]
    assert missing == []
    assert (site / "screenshots" / "main-window.png").is_file()


def test_the_site_loads_nothing_from_outside(site):
    outside = re.compile(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=[\"'](?:https?:)?//", re.I)
    found = [f"{p.relative_to(site)}: {m.group(0)}" for p in site.rglob("*.html")
             for m in outside.finditer(p.read_text(encoding="utf-8"))]
    found += [str(p.relative_to(site)) for p in site.rglob("*.css")
              if "fonts.googleapis" in p.read_text(encoding="utf-8", errors="replace")]
    assert found == []


def test_the_reference_pages_name_everything_the_code_has(site):
    from aegui.cli import build_parser
    from aegui.core.analyses.presets import list_presets
    from aegui.core.analyses.report.run import load_report
    from aegui.core.config.fields import FIELDS
    commands = [" ".join(("aegui", *words)) for words, _, _ in generator()._commands(build_parser())]
    assert "aegui data fetch" in commands and "aegui report" in commands
    cli = shown_text((site / "reference" / "cli.html").read_text(encoding="utf-8"))
    assert [c for c in commands if c not in cli] == []
    assert "--perspective" in cli          # the app's own options
    settings = shown_text((site / "reference" / "settings.html").read_text(encoding="utf-8"))
    assert [key for key in FIELDS if "." in key and key not in settings] == []
    presets = shown_text((site / "reference" / "presets.html").read_text(encoding="utf-8"))
    stems = [p.stem for p in (ROOT / "resources" / "presets").glob("*.json")] + [i.stem for i in list_presets()]
    assert [s for s in stems if s not in presets] == []
    rows = shown_text((site / "reference" / "report-rows.html").read_text(encoding="utf-8"))
    ids = [f"{spec.id}-{e.id}" for spec in load_report("all") for e in spec.experiments]
    assert len(ids) > 20 and [i for i in ids if i not in rows] == []


def test_the_generator_writes_the_same_pages_the_site_shows(tmp_path):
    proc = subprocess.run([sys.executable, str(GENERATOR), "--out", str(tmp_path / "ref")], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    written = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "ref").iterdir()}
    assert written == generator().pages()
    assert set(written) == {"cli.md", "settings.md", "presets.md", "report-rows.md"}


def test_every_panels_help_anchor_is_in_the_built_site(site):
    """Help > Help on a panel and a panel's "?" open page.html#anchor (the panel table's `guide`):
    each page is built and has an element with that id."""
    from aegui.qt.perspectives.panels import PANELS
    missing = []
    for key, panel in PANELS.items():
        page, _, anchor = panel.guide.partition("#")
        html = site / (page[:-len(".md")] + ".html")
        if not html.is_file() or f'id="{anchor}"' not in html.read_text(encoding="utf-8"):
            missing.append(f"{key}: {panel.guide}")
    assert len(PANELS) > 10 and missing == []
