"""The course report's pages, written from the experiments' done.json files (so a cancelled or
partial report still shows what finished): DIR/index.html (each experiment: what the document
reports beside aegui's figures and numbers, the findings, the tables, the settings, the time),
DIR/report.md (one table per document, the rows docs/course-reports.md is made of) and
DIR/report.json. With ReportJob.markdown set, the same Markdown is also written there with its
picture links made relative to that file."""
from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

from aegui.core.analyses.report.drift import NUMBER, SEEDS, TOLERANCES, verdict_word
from aegui.core.analyses.report.verdicts.claims import VERDICT_RULE, p_text
from aegui.core.analyses.report.health import HEALTH_RULE, summary

MAX_TABLE_ROWS = 30


def _records(job) -> list[tuple]:
    """(spec, experiment, state, record) for every experiment of the job's reports."""
    return [(spec, exp, *job.state(spec, exp)) for spec in job.specs for exp in spec.experiments]


def _time(r: dict) -> str:
    if "seconds" not in r:
        return ""
    load = r.get("load_before")
    loaded = f", 1-min load {load:g} at the start on {r.get('cores', '?')} cores" if load is not None else ""
    stated = f" (its preset states about {r['stated_s']:g} s)" if r.get("stated_s") else ""
    if r.get("resumed"):
        loads = r.get("measured", {}).get("run_loads") or []
        at = f", 1-min load {min(loads):g}-{max(loads):g} at the runs' starts" if loads else ""
        return (f"{_dur(r['seconds'])} of training and measuring (the runs' own times; their trained models were "
                f"read back for this page){at}{stated}")
    return f"{_dur(r['seconds'])} wall, {_dur(r.get('cpu_seconds', 0))} CPU{loaded}{stated}"


def _made_by(r: dict) -> str:
    """"made by aegui 0.1.0, source 1a2b3c4d5e6f7a8b": which code made the row (provenance; the
    row's key is its numerics revisions, report/keys.py), or "" for a row made before it was kept."""
    if not r.get("aegui_version"):
        return ""
    source = f", source {r['source']}" if r.get("source") else ""
    return f"made by aegui {r['aegui_version']}{source}"


def _dur(s: float) -> str:
    s = float(s or 0)
    return f"{s:.0f} s" if s < 120 else f"{s / 60:.1f} min" if s < 7200 else f"{s / 3600:.2f} h"


def _reproduces(exp, measured: dict | None, seconds: float = 0.0) -> str:
    """What the row's numbers hold to on another machine: its stated tolerance and, where it was
    made again with other CPUs' kernels (report/kernels.py), what moved there."""
    within = ""
    if exp.tolerance == SEEDS:
        within = "as another draw of its seeds"
    elif exp.tolerance is not None:
        within = "to the last digit" if exp.tolerance == 0 else f"within {exp.tolerance * 100:g} % (relative)"
    if not measured or measured.get("move") is None:
        if exp.tolerance == SEEDS:
            return f" (made again on other CPUs, these numbers hold {within})"
        if within:
            return f" (made again from scratch, these numbers come out the same {within})"
        return (f" (not made again with other CPUs' kernels: a row of {_dur(seconds)}; its numbers are this "
                "machine's and no tolerance is stated)")
    from aegui.core.analyses.report.drift import stated
    kernels = ", ".join(measured.get("kernels", []))
    moved = f"numbers moved by at most {_percent(measured['move'])}"
    if measured.get("p_move"):
        # a p-value is held by its verdict, not its size (report/drift.py): shown, not counted
        _, p_what = _moved_most(measured, "p_")
        moved += f", p-values by up to {_percent(measured['p_move'])}" + (
            f" ({p_what})" if p_what and not _same_printed(p_what) else "")
    held = []
    if measured.get("flipped"):
        held.append(f"{len(measured['flipped'])} verdict{'s' if len(measured['flipped']) > 1 else ''} changed "
                    f"(marked {UNSETTLED})")
    if measured.get("health"):
        held.append("run health changed: " + "; ".join(measured["health"]))
    held = held or ["verdicts and run health held"]
    # a finding's text beyond its numbers (the epochs it names, say): no tolerance covers words
    worded = any(isinstance(v, dict) and v.get("words") for v in (measured.get("variants") or {}).values())
    if worded:
        held.append("the words of a finding changed")
    seeds = measured.get("seeds")
    if exp.tolerance == SEEDS and seeds:
        said = f"these numbers hold {within}: {_seeds_held(seeds)}"
    elif within:
        said = f"these numbers hold {within}" + (", p-values by their verdicts" if measured.get("p_move") else "")
    elif measured.get("tolerance") == SEEDS and seeds:     # measured, not yet written (kernels.py --write)
        said = f"these numbers would hold as another draw of its seeds: {_seeds_held(seeds)}; its report states no tolerance yet"
    elif stated(measured["move"]) is None:
        largest = _largest(measured)
        said = ("no tolerance is stated: rounding carried on through training moved a number past "
                f"{TOLERANCES[-1] * 100:g} %" + (f"; the most moved was {largest}" if largest else ""))
    elif measured.get("flipped") or measured.get("health"):
        changed = " and ".join(w for w, on in (("a verdict", measured.get("flipped")),
                                               ("a run's health", measured.get("health"))) if on)
        said = f"no tolerance is stated: its numbers hold, but {changed} changed"
    elif worded:
        said = "no tolerance is stated: its numbers hold, but a finding's words do not"
    else:       # measured, but not yet written to its report's file (kernels.py --write)
        said = f"these numbers would hold within {stated(measured['move']) * 100:g} %; its report states no tolerance yet"
    if exp.tolerance != SEEDS and measured.get("tolerance") != SEEDS and seeds and not seeds.get("holds"):
        said += f"; nor does it hold as another draw of its seeds: {_seeds_held(seeds)}"
    unseeded = measured.get("unseeded")
    if exp.tolerance != SEEDS and unseeded:
        compared = ", ".join(k for k in measured.get("kernels", []) if k not in unseeded)
        said += (f"; {', '.join(unseeded)}'s means over seeds were never compared (it was made before that "
                 "comparison), so the row does not yet hold as another draw of its seeds" +
                 (f" ({compared}'s: {_seeds_held(seeds)})" if compared and seeds else ""))
    return f" (made again with other CPUs' matrix kernels ({kernels}): {moved}, {'; '.join(held)}; {said})"


def _seeds_held(seeds: dict) -> str:
    """How a row's means over seeds compared across kernels (report/seed_drift.py), in words."""
    from aegui.core.analyses.report.seed_drift import expected_by_chance
    means = seeds["means"]
    verb = "no mean over seeds moved more than its seeds' spread allows" if seeds.get("holds") else \
        f"{_mean_place(seeds['where'])} moved more than its seeds' spread allows ({seeds['what']})"
    most = "" if not seeds.get("holds") else f", at {_mean_place(seeds['where'])}, {seeds['what']}"
    return (f"{verb} (Welch's t on each of {means} means, Bonferroni at 5 %: the smallest p {seeds['p']:.2g}"
            f"{most}, {seeds['corrected']:.2g} corrected; {seeds['differ']} "
            f"{'differs' if seeds['differ'] == 1 else 'differ'} at an uncorrected 5 %, "
            f"{expected_by_chance(means):.2g} expected by chance; with {seeds['seeds']} seeds a side it finds "
            f"a shift of {seeds['detects']:.2g} standard deviations of the seeds at least 4 times in 5)")


def _mean_place(where: str) -> str:
    """A mean over seeds' place (report/seed_drift.py's `where`) in words: "the mean final loss
    (configuration 2)"."""
    leaf = where.rsplit(".", 1)[-1].replace("_", " ")
    listed = re.search(r"\.(configs|runs)\[(\d+)\]\.per_seed", where)
    of = _model_of(where) or (f" ({'configuration' if listed.group(1) == 'configs' else 'run'} "
                              f"{int(listed.group(2)) + 1})" if listed else "")
    return f"the mean {leaf}{of}"


def _percent(move: float) -> str:
    """A relative move as the page prints it: "41 %" from 10 % up, "8.4 %" below."""
    pct = move * 100
    return f"{pct:.0f} %" if pct >= 10 else f"{pct:.2g} %"


def _same_printed(what: str) -> bool:
    """Whether "x against y" prints the two numbers alike ("0.23 against 0.23"): a move too small
    to show at the page's digits."""
    a, sep, b = what.partition(" against ")
    return bool(sep) and a == b


def _largest(measured: dict) -> str:
    """The number that moved most across kernels, in words ("one seed's recon mse, 0.0055 against
    0.006"), from the variant that moved most; "" where none is recorded."""
    place, what = _moved_most(measured)
    return f"{place}, {what}" if what else place


def _moved_most(measured: dict, kind: str = "") -> tuple[str, str]:
    """(its place in words, "0.0072 against 0.001") of the number that moved most across kernels, or
    with kind "p_" of the p-value; ("", "") where none is recorded."""
    variants = [v for v in (measured.get("variants") or {}).values()
                if isinstance(v, dict) and v.get(f"{kind}where")]
    if not variants:
        return "", ""
    top = max(variants, key=lambda v: v.get(f"{kind}move") or 0)
    where = str(top[f"{kind}where"])
    what = str(top.get(f"{kind}what", "")).split(" (in ")[0].split(" (held to")[0].split(" (a bound")[0]
    numbers = NUMBER.findall(what)
    if len(numbers) == 2 and " against " in what:
        what = f"{float(numbers[0]):.2g} against {float(numbers[1]):.2g}"
    return _place(where), what


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def _model_of(where: str) -> str:
    """" (its name)" of the model or named config a done.json place is in, or ""."""
    model = re.search(r"\.(?:models|configs)\.([^.]+(?:\.[^.\[]+)*?)\.(?:per_seed|per_sample)", where)
    return f" ({model.group(1)})" if model else ""


def _place(where: str) -> str:
    """A done.json place (report/drift.py's `where`) in words."""
    finding = re.match(r"findings\[(\d+)\]\.(\w+)", where)
    if finding:
        i, field = int(finding.group(1)), finding.group(2)
        nth = f"the {_ORDINALS[i]} finding" if i < len(_ORDINALS) else f"the finding at {i + 1}"
        in_text = "a p-value" if where.endswith(".p") else "a number"
        return (f"{nth}'s p-value" if field == "p" else f"{in_text} in {nth}'s measurement"
                if field == "measured" else f"{nth}'s {field}")
    if where in ("aegui", "measured", "differs"):
        return "a number of the row's summary" if where == "aegui" else f"a number of its {where}"
    leaf = re.sub(r"\[\d+\]", "", where.rsplit(".", 1)[-1])
    of = _model_of(where)
    if ".per_sample." in where:
        return f"sample {leaf}'s error{of}"
    if leaf.endswith("_std"):
        return f"the spread over seeds of {leaf[:-4].replace('_', ' ')}{of}"
    return f"{'one seed' + chr(39) + 's ' if '.per_seed.' in where else ''}{leaf.replace('_', ' ')}{of}"


def kernel_measures(job, records) -> dict:
    """report/kernels.py's measurements of the rows in the report's folder, each only while its row
    is the run that was measured (a row made again since has other numbers), or {}."""
    from aegui.core.analyses.report.drift import RESULTS
    try:
        found = json.loads((Path(job.out_dir) / RESULTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict):
        return {}
    keys = {job.qualified(spec, exp): r.get("key") for spec, exp, _, r in records}
    return {row: m for row, m in found.items()
            if isinstance(m, dict) and m.get("key") is not None and m.get("key") == keys.get(row)}


# A stale row keeps what its older run measured on the page, marked, until it runs again: a page
# whose rows all went blank at each change of code would tell a reader nothing.
OLDER_RUN = "What that older run measured, kept until the row runs again:"


def _older_run(state: str, r: dict) -> bool:
    return state == "stale" and bool(r.get("aegui"))


def _p(finding: dict) -> str:
    """The p-value after a verdict that a test decided (or left too close to call): " (p = 0.0036)"."""
    p = finding.get("p")
    if p is None:
        return ""
    return f" ({p_text(p)})"


def _runs(r: dict) -> str:
    """The row's line on its runs' health (report/health.py), or "" for a row made before it was kept."""
    runs = r.get("health")
    if not isinstance(runs, list) or not runs:
        return ""
    return summary([x if isinstance(x, dict) else {} for x in runs])


_mark = verdict_word      # a finding's verdict as the page words it


UNSETTLED = "too close across CPUs"


def _verdict(f: dict, measured: dict | None) -> str:
    """A finding's verdict, or, where the row made again with another CPU's kernels reached
    another verdict (report/kernels.py), that it is not settled and both verdicts."""
    word = _mark(f.get("agrees"), f.get("close", False))
    for flip in (measured or {}).get("flipped", []):
        if flip.get("claim") == f.get("claim"):
            return (f"{UNSETTLED} ({word} with this machine's kernels, {flip['there']} with "
                    f"{', '.join(flip.get('kernels', []))}'s)")
    return word


# ---------------------------------------------------------------- HTML

CSS = """body{font-family:system-ui,sans-serif;max-width:1180px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}h3{margin-top:1.6em}
.pair{display:grid;grid-template-columns:1fr 2fr;gap:1.5em}.doc{background:#f6f6f6;padding:.8em 1em;border-radius:6px}
img{max-width:100%;border:1px solid #eee;margin:.3em 0}table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}td:first-child,th:first-child{text-align:left}
.agrees{color:#1a7f37}.differs{color:#b42318}.not{color:#666}.too{color:#8a6d00}.state{color:#b42318;font-weight:bold}
details{margin:.5em 0}pre{white-space:pre-wrap;font-size:.8em;background:#fafafa;padding:.5em}"""


def _csv_table(path: Path) -> str:
    from aegui.core.analyses.report.files import read_table
    from aegui.core.schema.experiment import ConfigError
    try:
        rows = read_table(path)
    except ConfigError as err:      # changed since its done.json was read: said, not drawn
        return f"<p>{html.escape(str(err))}</p>"
    if not rows:
        return ""
    body = rows[1:MAX_TABLE_ROWS + 1]
    more = f"<p>{len(rows) - 1 - len(body)} more rows in {html.escape(path.name)}</p>" if len(rows) - 1 > len(body) else ""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in rows[0])
    cells = "".join("<tr>" + "".join(f"<td>{html.escape(_short(c))}</td>" for c in r) + "</tr>" for r in body)
    return f"<table><tr>{head}</tr>{cells}</table>{more}"


def _short(cell: str) -> str:
    try:
        v = float(cell)
    except ValueError:
        return cell
    return cell if v.is_integer() and "." not in cell else f"{v:.4g}"


def html_page(job) -> str:
    records = _records(job)
    kernels = kernel_measures(job, records)
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>aegui course report</title>"
             f"<style>{CSS}</style></head><body>", "<h1>The course documents' experiments, run by aegui</h1>",
             "<p>Each experiment of a course document, run with the aegui preset named beside it. The documents' own "
             "figures are pictures that are not in their text: the left column gives what the text reports (numbers "
             "and conclusions, in our words); the right column what aegui measured, its figures and whether it "
             "agrees. Times are wall-clock on the machine that ran the report, whose cores may have been shared "
             f"(the 1-minute load average at the start is given).</p><p>{html.escape(VERDICT_RULE)}</p>"
             f"<p>{html.escape(HEALTH_RULE)}</p>"]
    for spec in job.specs:
        parts.append(f"<h2>{html.escape(spec.id)}: {html.escape(spec.title)}</h2><p>{html.escape(spec.about)}</p>"
                     f"<p>Document: <code>{html.escape(spec.document)}</code></p>")
        for s, exp, state, r in records:
            if s is not spec:
                continue
            name = job.qualified(spec, exp)
            parts.append(f"<h3 id='{name}'>{html.escape(exp.title)}</h3><div class='pair'>"
                         f"<div class='doc'><b>The document</b><p>{html.escape(exp.document)}</p></div><div>")
            if state != "done":
                why = r.get("reason") or r.get("error") or "not run yet"
                parts.append(f"<p class='state'>{html.escape(state)}</p><p>{html.escape(why)}</p>")
                if not _older_run(state, r):
                    parts.append("</div></div>")
                    continue
                parts.append(f"<p><i>{html.escape(OLDER_RUN)}</i></p>")
            parts.append(f"<b>aegui</b> (<code>{html.escape(r.get('preset', ''))}</code>)"
                         f"<p>{html.escape(r.get('aegui', '') + _reproduces(exp, kernels.get(name), r.get('seconds')))}</p>")
            if r.get("findings"):
                parts.append("<ul>" + "".join(
                    f"<li><span class='{_verdict(f, kernels.get(name)).split()[0]}'>{_verdict(f, kernels.get(name))}</span>: "
                    f"{html.escape(f['claim'])} &mdash; {html.escape(f['measured'])}</li>" for f in r["findings"]) + "</ul>")
            if r.get("differs"):
                parts.append(f"<p><b>Where aegui differs:</b> {html.escape(r['differs'])}</p>")
            runs = _runs(r)
            if runs:
                parts.append(f"<p><b>Runs:</b> {html.escape(runs)}</p>")
            made = _made_by(r)
            parts.append(f"<p>Time: {html.escape(_time(r))}</p>"
                         + (f"<p>{html.escape(made.capitalize())}</p>" if made else "") + "</div></div>")
            for f in r.get("files", []):
                parts.append(f"<img src='{name}/{html.escape(f)}' alt='{html.escape(f)}'>")
            for t in r.get("tables", []):
                parts.append(f"<details><summary>{html.escape(t)}</summary>{_csv_table(job.folder(spec, exp) / t)}"
                             f"<p><a href='{name}/{html.escape(t)}'>{html.escape(t)}</a></p></details>")
            parts.append(f"<details><summary>settings</summary><p>{html.escape(r.get('preset_description', ''))}</p>"
                         f"<pre>{html.escape(json.dumps(r.get('settings', {}), indent=1))}</pre></details>")
    parts.append("</body></html>")
    return "\n".join(parts)


# ---------------------------------------------------------------- Markdown

def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _loads(job) -> str:
    """The range of 1-minute load averages the finished experiments started at."""
    loads = [r.get("load_before") for _, _, st, r in _records(job) if st == "done" and r.get("load_before") is not None]
    return f"{min(loads):g} to {max(loads):g}" if loads else "not recorded"


def markdown_page(job, base: Path) -> str:
    """Markdown with picture links relative to `base` (the folder the .md file lives in)."""
    rel = Path(os.path.relpath(job.out_dir, base))
    records = _records(job)
    kernels = kernel_measures(job, records)
    waiting = sorted({r.get("reason", "").split(",")[0].replace("needs ", "") for _, _, st, r in records
                      if st == "waiting for its data"})
    counts = {st: sum(1 for _, _, s2, _ in records if s2 == st) for st in ("done", "stale", "waiting for its data",
                                                                           "failed", "not run")}
    cores = next((r.get("cores") for _, _, st, r in records if st == "done" and r.get("cores")), "?")
    lines = ["# The course documents' experiments in aegui", "",
             f"Made by `aegui report all --out {Path(job.out_dir).as_posix()}"
             + (f" --markdown {job.markdown.as_posix()}" if job.markdown is not None else "") + "` "
             "(`make report`): every experiment of the five course documents in `../shared/seeds/`, run with the "
             "aegui preset named in its row on real data (the course's 5x7 fonts, the shipped emoji, scikit-learn's "
             "8x8 digits and the real MNIST files)"
             + (f"; {', '.join(waiting)} {'is' if len(waiting) == 1 else 'are'} not on the machine that ran it, so "
                "those rows wait for the data" if waiting else "") + ". "
             f"{counts['done']} experiments finished"
             + (f", {counts['waiting for its data']} wait for their data" if counts["waiting for its data"] else "")
             + (f", {counts['failed']} failed" if counts["failed"] else "")
             + (f", {counts['stale']} stale (made by other code, data or settings than these; they run again)"
                if counts["stale"] else "")
             + (f", {counts['not run']} not run yet" if counts["not run"] else "") + ". "
             "The documents' figures are pictures that are not in their text: *The document* gives their numbers and "
             "conclusions in our words, *aegui* the figure and numbers aegui measured, *Agrees?* sets the two "
             f"against each other. Every row links its section of the full page ({rel.as_posix()}/index.html), with "
             f"the tables (CSV) and settings. Times are wall-clock on a {cores}-core machine shared with other "
             f"developers' work (1-minute load average {_loads(job)} at the starts of the runs), so they are upper "
             "bounds; CPU time is given beside them.", "", VERDICT_RULE, "", HEALTH_RULE, ""]
    for spec in job.specs:
        lines += [f"## {spec.id}: {spec.title}", "", spec.about, "",
                  "| Experiment | The document | aegui | Agrees? | Time |", "| --- | --- | --- | --- | --- |"]
        for s, exp, state, r in records:
            if s is not spec:
                continue
            name = job.qualified(spec, exp)
            link = f"[{_cell(exp.title)}]({rel.as_posix()}/index.html#{name})"
            stale = ""
            if state != "done":
                why = r.get("reason") or r.get("error") or "not run yet"
                if not _older_run(state, r):
                    lines.append(f"| {link} | {_cell(exp.document)} | *{state}*: {_cell(why)} | | |")
                    continue
                stale = f"*{state}*: {_cell(why)}. *{OLDER_RUN}*<br>"
            fig = r.get("figure")
            img = f"![{name}]({rel.as_posix()}/{name}/{fig})<br>" if fig else ""
            agree = "; ".join(f"{_verdict(f, kernels.get(name))}{_p(f)}: {_cell(f['claim'])}"
                              for f in r.get("findings", []))
            differs = f" **Differs:** {_cell(r['differs'])}" if r.get("differs") else ""
            runs, made = _runs(r), _made_by(r)
            runs = runs and f"<br>*Runs:* {_cell(runs)}"
            lines.append(f"| {link}<br>`{r.get('preset', '')}` | {_cell(exp.document)} | {stale}{img}"
                         f"{_cell(r.get('aegui', '') + ('' if stale else _reproduces(exp, kernels.get(name), r.get('seconds'))))}{runs} "
                         f"| {'*(older run)* ' if stale else ''}{agree}{differs} | {_cell(_time(r))}"
                         f"{'; ' + made if made else ''} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def page_paths(job) -> dict[str, Path]:
    out = job.out_dir
    pages = {"html": out / "index.html", "markdown": out / "report.md", "json": out / "report.json"}
    if job.markdown is not None:
        pages["docs"] = job.markdown
    return pages


def _in_the_way(path: Path) -> str:
    return f"{path}: is a folder where the report writes its page; move it away, then run the report again"


def check_pages(job) -> None:
    """ReportError naming a page that is a folder: said before any work, not after hours of it."""
    from aegui.core.analyses.report.files import ReportError
    for path in page_paths(job).values():
        if path.is_dir():
            raise ReportError(_in_the_way(path))


def _write(path: Path, text: str) -> None:
    """A page written whole, or ReportError naming it (not its temporary file) and what to do."""
    from aegui.core.analyses.report.files import ReportError
    from aegui.core.files.atomic import atomic_write_text
    from aegui.core.files.errors import os_problem
    try:
        atomic_write_text(path, text)
    except OSError as e:
        raise ReportError(_in_the_way(path) if path.is_dir() else f"{path}: {os_problem(e)}") from None


def write_pages(job) -> dict[str, Path]:
    pages = page_paths(job)
    out = job.out_dir
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        from aegui.core.analyses.report.files import ReportError
        from aegui.core.files.errors import user_message
        raise ReportError(user_message(e, out)) from None
    _write(pages["html"], html_page(job))
    _write(pages["markdown"], markdown_page(job, out))
    _write(pages["json"], json.dumps(
        [{"report": s.id, "experiment": job.qualified(s, e), "title": e.title, "state": st, **rec}
         for s, e, st, rec in _records(job)], indent=1) + "\n")
    if job.markdown is not None:
        _write(job.markdown, markdown_page(job, job.markdown.parent))
    return pages
