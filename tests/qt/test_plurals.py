"""A count says "1 pixel" and "2 pixels", in English and in Spanish ("It changed 1 pixels" was
shown). Every text given to tr() in aegui/qt where a number's placeholder is followed by a plural
noun (in English, or in its Spanish: "{n} cambiados") must come with its singular: as the plural
argument of i18n.plural(n, one, many), or on the plural side of a conditional that tests the
count against 1. Placeholders that hold decimals, rates or names are listed below with why."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.qt.test_spanish import spanish

ROOT = Path(__file__).resolve().parents[2]
COUNT = re.compile(r"\{(\w+)\} ((?:[a-záéíóúñ-]+ )?[a-záéíóúñ]+s)\b")
# Words after a placeholder that make it no count: verbs, articles, units, adverbs ("{folder} is",
# "{seconds} s", "{before} antes").
NOT_NOUNS = {"is", "has", "was", "holds", "applies", "press", "its", "does", "and", "es", "son", "los", "las", "s",
             "antes", "después", "tras"}
# Not a count of things: a decimal ("1.0 pixels" is right), a rate, a name, an amount of memory.
NOT_COUNTS = {
    "Your drawing is unlike the glyphs this model learned: even without noise, its output is {error} pixels off, "
    "against at most {limit} for those glyphs.": "a decimal",
    "The model does not give your drawing back as it is: even without noise, its output is {error} pixels off.":
        "a decimal",
    "Teaching {glyphs}: epoch {epoch} of {total}; at 10 % noise {wrong} wrong pixels per glyph (the noisy input: "
    "{noisy}).": "a decimal mean",
    "KL: {kl} nats in all; noise seed {seed}.": "a decimal",
    "{n} epochs/s": "a rate",
    "{rate} epochs/s · ETA {eta}": "a rate",
    "{rate} epochs/s · {elapsed} elapsed": "a rate",
    "Folder with the {dataset} files": "a data set's name",
    "{h}x{w} {colour} pictures": "a colour's name",
    "Memory: about {need} of {have} free": "an amount of memory",
    "Too big: needs about {need} but only {have} is free. {advice}.": "an amount of memory",
    "On {n} noisy copies (noise seeds {first} to {last}): {mean} wrong pixels on average, {worst} at worst (seed "
    "{seed}, <a href=\"#worst\">show it</a>).": "at least two copies; the mean is a decimal",
    "Testing on {n} noisy copies…": "at least two copies",
    "Testing: {done} of {total} noisy copies…": "at least two copies",
}


def counts_in(text: str) -> list[str]:
    return [m.group(0) for m in COUNT.finditer(text) if not NOT_NOUNS & set(m.group(2).split())]


def _tested_against_one(test) -> bool:
    return isinstance(test, ast.Compare) and any(isinstance(c, ast.Constant) and c.value == 1
                                                 for c in [test.left, *test.comparators])


def _literal(call) -> str | None:
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "tr" and call.args \
            and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def unhandled_counts(sources: dict[str, str], translations: dict[str, str]) -> list[str]:
    """'file:line: text' for each tr() text with a count and no singular beside it."""
    found = []
    for name, text in sources.items():
        tree = ast.parse(text)
        handled = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)) and \
                    (node.func.id if isinstance(node.func, ast.Name) else node.func.attr) == "plural" \
                    and len(node.args) == 3:
                handled.add(id(node.args[2]))
            if isinstance(node, ast.IfExp) and _tested_against_one(node.test):
                handled.update(id(n) for side in (node.body, node.orelse) for n in ast.walk(side))
        for node in ast.walk(tree):
            literal = _literal(node)
            if literal is None or literal in NOT_COUNTS or id(node) in handled:
                continue
            if counts_in(literal) or counts_in(translations.get(literal, "")):
                found.append(f"{name}:{node.lineno}: {literal!r}")
    return found


def test_every_count_has_its_singular_in_both_languages():
    sources = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in sorted((ROOT / "aegui/qt").rglob("*.py"))}
    assert unhandled_counts(sources, spanish()) == []


def test_the_check_sees_a_count_without_its_singular():
    source = '''
a = tr("It changed {n} pixels.", n=n)
b = plural(n, tr("1 pixel"), tr("{n} pixels", n=n))
c = tr("1 wrong pixel") if n == 1 else tr("{n} wrong pixels", n=n)
d = tr("{n} changed", n=n)
e = tr("{path} is not a folder.", path=p)
'''
    found = unhandled_counts({"m.py": source}, {"{n} changed": "{n} cambiados"})
    assert found == ["m.py:2: 'It changed {n} pixels.'", "m.py:5: '{n} changed'"], found


def test_plural_picks_the_singular_for_one_only():
    from aegui.qt.i18n import plural
    assert [plural(n, "1 pixel", f"{n} pixels") for n in (0, 1, 2)] == ["0 pixels", "1 pixel", "2 pixels"]
