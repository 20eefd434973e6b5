"""The README stays a short front door and the documentation stays true to the tree.

The README had grown to 1,295 lines of tutorial, dated measurement logs and code map; what it held
now lives in docs/, and these checks keep it from growing back: at most 250 lines and 3 dates, no
measurement-log prose, its first lines (the two commands CI and newcomers run, the prerequisites,
the screenshot) as they were. And a page that names a file of the repository (`aegui/...`,
`tests/...`, `tools/...`) names one that exists: the code map and "where a change goes" are only
useful while every path in them is real. docs/ holds documents only (the scripts that make its
pictures and references are in tools/).
"""
import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
MAX_README_LINES = 250
MAX_README_DATES = 3

MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
          "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
DATE = re.compile(rf"\b(?:(?:19|20)\d\d-[01]\d-[0-3]\d"                       # 2026-11-25
                  rf"|[0-3]?\d(?:st|nd|rd|th)? (?:{MONTHS})\.? (?:19|20)\d\d"   # 25 November 2026
                  rf"|(?:{MONTHS})\.? [0-3]?\d(?:st|nd|rd|th)?,? (?:19|20)\d\d"  # November 25, 2026
                  rf"|(?:{MONTHS}) (?:19|20)\d\d"                               # November 2026
                  rf"|[0-3]?\d/[01]?\d/(?:19|20)\d\d)\b")                       # 25/11/2026
# Prose of a measurement log, which belongs on docs/measured.md with its dates.
LOG_PROSE = re.compile(r"the day before|earlier rounds?|earlier days|days earlier|the next hour", re.I)
REPO_TOPS = ("aegui/", "tests/", "bench/", "tools/", "resources/", "installer/", "models/", "docs/",
             ".github/", ".ci/")
CODE_SPAN = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def dates(text: str) -> list[str]:
    return [m.group(0) for m in DATE.finditer(text)]


def repository_paths(text: str) -> list[str]:
    """The repository paths a Markdown text names in its code spans (`aegui/qt/i18n.py`,
    `tests/test_layout.py`), without what follows a path (`:name`, `#anchor`) and leaving out
    patterns (`<name>`, `*`, `NNN`), which name no one file."""
    found = []
    for span in CODE_SPAN.finditer(text):
        for word in span.group(1).split():
            word = re.split(r"[:#]", word.strip(".,;:()'\""))[0]
            if word.startswith(REPO_TOPS) and not re.search(r"[<>*{}$]|NNN|\.\.\.", word):
                found.append(word)
    return found


def local_links(text: str) -> list[str]:
    """The targets of a Markdown text's links and images that point into the repository."""
    return [target.split("#")[0] for target in LINK.findall(text)
            if not re.match(r"[a-z]+:", target) and not target.startswith("#")]


def pages() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def test_the_date_finder_finds_each_way_of_writing_a_date():
    text = ("Measured on 2026-11-25, again on 26 November 2026 and on November 27, 2026; "
            "in Nov 2026 and on 28/11/2026. Not dates: torch 2.13.0, 1280x800, 16.0.0, 2,000 epochs.")
    assert dates(text) == ["2026-11-25", "26 November 2026", "November 27, 2026", "Nov 2026", "28/11/2026"]


def test_the_path_finder_reads_code_spans_and_skips_patterns():
    text = ("See `aegui/qt/i18n.py`, `tests/test_layout.py:12` and `tools/make_screenshots.py --arrow`; "
            "not `aegui/core/archs/<name>.py`, `docs/screenshots/window-*.png`, `resources/reports/NNN.json`, "
            "`make test` nor aegui/core/not_in_a_span.py.")
    assert repository_paths(text) == ["aegui/qt/i18n.py", "tests/test_layout.py", "tools/make_screenshots.py"]
    assert local_links("[a](docs/a.md#x) ![b](b.png) [c](https://x.org) [d](#here)") == ["docs/a.md", "b.png"]


def test_the_readme_is_short_and_undated():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_README_LINES
    assert len(dates(text)) <= MAX_README_DATES, dates(text)
    assert LOG_PROSE.findall(text) == []


def test_the_readme_opens_with_the_two_commands_the_prerequisites_and_the_window():
    """What a newcomer (and .ci/run, which runs `make test`) starts from, in its place."""
    lines = README.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# aegui — the autoencoder studio"
    block = lines[lines.index("```") + 1:]
    block = block[:block.index("```")]
    assert [line.split("#")[0].strip() for line in block] == ["make run", "make test"]
    head = "\n".join(lines[:16])
    assert "Python 3.10+" in head and "apt-get install libxcb-cursor0" in head
    assert "![aegui main window: the Explore perspective at 1280x800](docs/screenshots/main-window.png)" in head


def generated_pages() -> set[Path]:
    """The reference pages tools/docs_reference.py adds to the site as it builds (docs/reference/...)."""
    spec = importlib.util.spec_from_file_location("docs_reference", ROOT / "tools" / "docs_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {DOCS / module.FOLDER / name for name in module.PAGES}


def test_every_link_of_the_readme_and_the_docs_reaches_a_file():
    """The README's links (mkdocs does not read it) and the pages' (checked here without mkdocs too);
    a link into docs/reference/ reaches a page the site's build generates."""
    made = generated_pages()
    assert DOCS / "reference" / "cli.md" in made
    broken = [f"{page.relative_to(ROOT)}: {target}" for page in pages()
              for target in local_links(page.read_text(encoding="utf-8"))
              if target and not (page.parent / target).exists() and (page.parent / target).resolve() not in made]
    assert broken == []


def test_every_repository_path_a_page_names_exists():
    missing = [f"{page.relative_to(ROOT)}: {path}" for page in pages()
               for path in repository_paths(page.read_text(encoding="utf-8")) if not (ROOT / path).exists()]
    assert missing == []


def test_the_docs_folder_holds_documents_only():
    scripts = [p.relative_to(ROOT).as_posix() for p in DOCS.rglob("*")
               if p.suffix in (".py", ".sh") or (p.is_file() and p.read_bytes()[:2] == b"#!")]
    assert scripts == []
