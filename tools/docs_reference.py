"""The reference pages of the documentation, made from the code so they cannot drift from it:

- cli.md: every command and option, from the argparse parsers of `aegui` (aegui/cli) and of the
  app (aegui/qt/startup/app.py), as `--help` prints them;
- settings.md: every setting of an experiment, from the field descriptions the model builder, the
  config files and the CLI all check with (aegui/core/config/fields.py), and the dataclass fields
  that have no row in the builder;
- presets.md: every shipped preset (resources/presets, resources/sweeps, resources/analyses) with
  its name, description, stated time and course documents;
- report-rows.md: every row of the course report (resources/reports/NNN.json).

python tools/docs_reference.py --out DIR      writes the four pages into DIR

`make docs` does not need the files: mkdocs.yml names this module as a hook, and on every build
on_files() adds the same pages to the site as reference/*.md, so the site's references are made
from the code being documented and nothing generated is kept in the tree.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import MISSING, fields as dataclass_fields, is_dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FOLDER = "reference"            # where the pages go in the site
HELP_WIDTH = 100                # --help wrapped the same on every machine, whatever its terminal
GENERATED = "*Generated from the code by `tools/docs_reference.py`; do not edit.*"


def text(value) -> str:
    """`value` as Markdown text: nothing in it read as markup (an HTML tag, emphasis, a link)."""
    out = str(value).replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "*_[]`#":
        out = out.replace(ch, "\\" + ch)
    return out


def md_cell(markdown: str) -> str:
    """Markdown made for a table cell: one line, and no `|` that would end the cell."""
    return markdown.replace("|", "&#124;").replace("\n", " ")


def cell(value) -> str:
    """`value`, plain text, as a table cell."""
    return md_cell(text(value))


def code(value) -> str:
    """`value` as inline code, whatever backticks it holds."""
    s = str(value)
    fence = "``" if "`" in s else "`"
    return f"{fence} {s} {fence}" if fence == "``" else f"`{s}`"


# ---------------------------------------------------------------- the command line

def _subcommands(parser: argparse.ArgumentParser) -> dict[str, tuple[argparse.ArgumentParser, str]]:
    """name -> (parser, its one-line help) of a parser's subcommands."""
    # argparse has no public way to walk a parser's subcommands: its subparsers action holds them,
    # and their one-line helps.
    out = {}
    for action in parser._actions:                               # noqa: SLF001
        if isinstance(action, argparse._SubParsersAction):       # noqa: SLF001
            helps = {a.dest: a.help or "" for a in action._choices_actions}      # noqa: SLF001
            out.update((name, (sub, helps.get(name, ""))) for name, sub in action.choices.items())
    return out


def _help(parser: argparse.ArgumentParser) -> str:
    parser.formatter_class = lambda prog: argparse.HelpFormatter(prog, width=HELP_WIDTH)
    return parser.format_help().rstrip()


def _commands(parser, path=()) -> list[tuple[tuple[str, ...], argparse.ArgumentParser, str]]:
    """(words after `aegui`, parser, one-line help) of every command and subcommand, depth first."""
    out = []
    for name, (sub, line) in _subcommands(parser).items():
        out.append(((*path, name), sub, line))
        out += _commands(sub, (*path, name))
    return out


def cli_page() -> str:
    from aegui.cli import build_parser
    from aegui.qt.startup.app import app_parser
    top = build_parser()
    commands = _commands(top)
    lines = ["# Command reference", "", GENERATED, "",
             "Every command of `aegui` and every option, as `aegui COMMAND --help` prints it. "
             "What the commands are for, their output and their errors: [the command line](../cli.md).", "",
             "| Command | |", "| --- | --- |"]
    lines += [f"| [{code('aegui ' + ' '.join(words))}](#{'-'.join(['aegui', *words])}) | {cell(line)} |"
              for words, _, line in commands]
    lines += ["", "## aegui", "", "```text", _help(top), "```", ""]
    for words, sub, _ in commands:
        title = "aegui " + " ".join(words)
        lines += [f"## {title} {{#{'-'.join(['aegui', *words])}}}", "", "```text", _help(sub), "```", ""]
    lines += ["## The app", "",
              "`aegui` with no command, or with only these options, opens the window "
              "(`python main.py` takes the same options).", "", "```text", _help(app_parser()), "```", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------- the settings

def _number(v) -> str:
    if isinstance(v, float) and math.isinf(v):
        return "no limit"
    return f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else repr(v) if isinstance(v, float) else str(v)


def _accepts(f) -> str:
    """What a field takes: its choices (with their labels), or its type and range."""
    if f.choices:
        return ", ".join(f"{code(json.dumps(c))} ({text(f.choice_labels[c])})" if c in f.choice_labels
                         and str(f.choice_labels[c]) != str(c) else code(json.dumps(c)) for c in f.choices)
    kind = {"int": "a whole number", "float": "a number", "bool": "true or false", "text": "text",
            "ints": "a list of whole numbers", "names": "a list of names", "path": "a file or folder path"}[f.type]
    if f.range is not None:
        low, high = f.range
        kind += f", {_number(low)} to {_number(high)}"
        if f.open:
            kind += {"low": " (above the lowest)", "high": " (below the highest)", "both": " (strictly between)"}[f.open]
    if f.percent:
        kind += " (a fraction; the form shows a percentage)"
    if f.optional:
        kind += f"; or null (off until {text(f.optional)} is ticked)"
    return kind


def _value(value) -> str:
    """A default as a config file writes it (a tuple as a JSON list), in code style."""
    return code(json.dumps(list(value) if isinstance(value, tuple) else value))


def _default(f, exp) -> str:
    return _value(f.default(getattr(exp, f.section)))


def settings_page() -> str:
    from aegui.core.config.fields import FIELDS
    from aegui.core.schema.experiment import Experiment
    exp = Experiment()
    lines = ["# Settings reference", "", GENERATED, "",
             "Every setting of an experiment: a row of the model builder (its label), a key of a config file "
             "(its section and name: `train.learning_rate` is `\"train\": {\"learning_rate\": ...}`), and what "
             "`aegui train` and the presets are checked against. One description of each "
             "(`aegui/core/config/fields.py`) serves all of them ([how the form is made](../fields.md)); "
             "a value outside what it accepts is refused naming the key.", ""]
    sections = {}
    for f in FIELDS.values():
        if f.section and not f.of:
            sections.setdefault(f.section, []).append(f)
    described = set(FIELDS)
    for section, items in sections.items():
        lines += [f"## {section}", "", "| Key | Builder row | Accepts | Default | What it does |",
                  "| --- | --- | --- | --- | --- |"]
        for f in items:
            row = text(f.label) if f.in_form else "(none: set by other rows or files)"
            parts = [text(f.tip)] if f.tip else []
            parts += [f"edited in the builder as {text(p.label)} ({code(p.key)})"
                      for p in FIELDS.values() if p.of == f.key]
            lines.append(f"| {code(f.key)} | {md_cell(row)} | {md_cell(_accepts(f))} | {_default(f, exp)} | "
                         f"{md_cell('; '.join(parts))} |")
        lines.append("")
    rest = [(section.name, sub.name, sub) for section in dataclass_fields(exp)
            if is_dataclass(getattr(exp, section.name))
            for sub in dataclass_fields(getattr(exp, section.name))
            if f"{section.name}.{sub.name}" not in described]
    lines += ["## Config files only", "",
              "These keys have no row in the builder: a config file (or a preset) sets them.", "",
              "| Key | Default |", "| --- | --- |"]
    for section, name, sub in rest:
        value = sub.default if sub.default is not MISSING else sub.default_factory()
        lines.append(f"| {code(f'{section}.{name}')} | {_value(value)} |")
    lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------- the presets

def _data(data: dict) -> str:
    """What a config reads, in a few words."""
    source = data.get("source", "font")
    if source == "font":
        return ", ".join(data.get("fonts", [])) + (f" ({data['chars']})" if data.get("chars") else "")
    if data.get("catalogue"):
        return data["catalogue"]
    return f"{source} {data.get('size', '')} px {data.get('color', '')}" if source == "emoji" else source


def _summary(raw: dict) -> str:
    """One line of what a builder preset trains: data, model, training."""
    from aegui.core.config.fields import arch_rows
    data, model, train = raw.get("data", {}), raw.get("model", {}), raw.get("train", {})
    what = _data(data)
    arch, layers = model.get("arch", "mlp"), list(model.get("layers", []))
    rows = arch_rows(arch)          # what the architecture's builder shows: its layers, its code, its channels
    net = [arch]
    if "model.encoder" in rows:
        net.append("-".join(map(str, layers)))
    elif "model.latent" in rows and layers:
        net.append(f"code {layers[len(layers) // 2]}")
    if "model.channels" in rows and model.get("channels"):
        net.append("channels " + "-".join(map(str, model["channels"])))
    net = " ".join(net[:2]) + "".join(f", {part}" for part in net[2:])
    return (f"{what}; {model.get('kind', 'ae')}, {net}; {train.get('optimizer', '')} "
            f"{train.get('learning_rate', '')}, {train.get('loss', '')}, {train.get('epochs', '')} epochs, "
            f"best of {train.get('seeds', 1)}")


def presets_page() -> str:
    from aegui.core.analyses.presets import list_presets
    from aegui.core.analyses.report.run import preset_documents
    from aegui.core.files.jsonfile import read_json
    docs = preset_documents()
    lines = ["# Preset reference", "", GENERATED, "",
             "Every preset aegui ships. The model presets are configs for the builder's *Load config…* and "
             "`aegui train`; the sweeps and analyses are the *Experiments* menu's entries and what "
             "`aegui sweep`, `aegui denoise-curve`, `aegui probe` and `aegui report` run. The course documents "
             "each belongs to, and the rows of the course report that run it: "
             "[report rows reference](report-rows.md).", "",
             "## Models (`resources/presets/`)", "", "| File | Name | Trains |", "| --- | --- | --- |"]
    for path in sorted((ROOT / "resources" / "presets").glob("*.json")):
        raw = read_json(path)
        lines.append(f"| {code(path.name)} | {cell(raw.get('name', path.stem))} | {cell(_summary(raw))} |")
    lines.append("")
    for folder, title in (("sweeps", "Sweeps (`resources/sweeps/`)"), ("analyses", "Analyses (`resources/analyses/`)")):
        lines += [f"## {title}", ""]
        for info in list_presets():
            if info.path.parent.name != folder:
                continue
            stated = "not stated" if info.time_2cores_s is None else f"{_number(info.time_2cores_s)} s"
            of = ", ".join(docs.get(info.stem, ())) or "none"
            lines += [f"### {info.stem}", "", f"**{text(info.name)}**", "",
                      f"Kind: {info.kind}. Time stated for 2 CPU cores: {stated}. Course documents: {of}."
                      + (" A quick variant." if info.quick else ""), ""]
            if info.description:
                lines += [text(info.description), ""]
    return "\n".join(lines)


# ---------------------------------------------------------------- the course report's rows

def report_rows_page() -> str:
    from aegui.core.analyses.report.drift import SEEDS
    from aegui.core.analyses.report.run import load_report
    lines = ["# Report rows reference", "", GENERATED, "",
             "Every row of the course report, by course document, as `resources/reports/NNN.json` lists it: the "
             "preset it runs, the figures it draws, the check that sets its findings, and what the document "
             "reports. How a row is run and judged: [the course report](../course-report.md); the rows as "
             "last made: [the course report's page](../course-reports.md).", ""]
    for spec in load_report("all"):
        lines += [f"## {spec.id}: {text(spec.title)}", "", f"Course document `{spec.document}`.", ""]
        if spec.about:
            lines += [text(spec.about), ""]
        lines += ["| Row | Preset | Figures | Check |", "| --- | --- | --- | --- |"]
        for e in spec.experiments:
            preset = Path(e.preset).relative_to(ROOT / "resources").as_posix()
            lines.append(f"| [{code(f'{spec.id}-{e.id}')}](#{spec.id}-{e.id}) | {code(preset)} | "
                         f"{cell(', '.join(e.figures) or 'the default')} | {code(e.check) if e.check else 'a summary'} |")
        lines.append("")
        for e in spec.experiments:
            extra = []
            if e.tolerance == SEEDS:
                extra.append("Made again on other CPUs, its means over seeds agree: its numbers are another draw of "
                             "its seeds (report/seed_drift.py).")
            elif e.tolerance is not None:
                extra.append(f"Made again from scratch, its numbers agree within {e.tolerance:.1%}.")
            if e.expected_failure:
                extra.append("Runs the document means to fail: " + ", ".join(map(code, e.expected_failure)) + ".")
            lines += [f"### {spec.id}-{e.id}: {text(e.title)} {{#{spec.id}-{e.id}}}", "",
                      "**The document:** " + text(e.document), ""] + ([" ".join(extra), ""] if extra else [])
    return "\n".join(lines)


# ---------------------------------------------------------------- all of them

PAGES = {"cli.md": cli_page, "settings.md": settings_page, "presets.md": presets_page,
         "report-rows.md": report_rows_page}


def pages() -> dict[str, str]:
    """File name -> Markdown of every reference page."""
    return {name: make() for name, make in PAGES.items()}


def on_files(files, config):
    """mkdocs hook: the reference pages join the site's files, made now from this tree's code."""
    from mkdocs.structure.files import File
    for name, content in pages().items():
        files.append(File.generated(config, f"{FOLDER}/{name}", content=content))
    return files


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Write the documentation's reference pages, made from the code.")
    ap.add_argument("--out", required=True, type=Path, help="folder for cli.md, settings.md, presets.md, report-rows.md")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, content in pages().items():
        (args.out / name).write_text(content, encoding="utf-8")
        print(args.out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
