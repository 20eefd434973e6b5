"""In Spanish, no English the window wrote is left: in every perspective, every dock brought to the
front (and File > Models…), every label, button, check box, group title, list entry, tab, table
header, placeholder, line-edit text, menu entry and tooltip is checked for
- the English of a catalogue entry shown as it is (a text set once and never translated again),
- a name aegui made (a demo model's, the default "experiment") shown in English inside any text,
- a word only English texts use ("weights", "gradients"): a string that never went through tr().
Words the two languages share, and data (glyph labels, paths), are let through by name."""
import json
import re
from pathlib import Path

from PySide6.QtWidgets import (QAbstractButton, QApplication, QComboBox, QDockWidget, QGroupBox, QLabel, QLineEdit,
                               QTableWidget, QTabBar, QWidget)

from aegui.core.schema.experiment import Experiment
from aegui.qt import i18n
from aegui.qt.i18n import read_catalogue
from aegui.qt.perspectives.table import PERSPECTIVES

ROOT = Path(__file__).resolve().parents[2]
WORD = r"[A-Za-zÁÉÍÓÚÜáéíóúüñÑ][A-Za-zÁÉÍÓÚÜáéíóúüñÑ'’]+"
# Words an English text of the catalogue uses and no Spanish one does, that a Spanish window may
# still show: names of things, units, keys, and the data the demo models hold.
ALLOWED = {"Ctrl", "Shift", "Alt", "Esc", "Enter", "Del", "Supr", "Tab", "Space", "space", "DEL", "Mayús",
           "JSON", "PNG", "CSV", "GIF", "IDX", "MNIST", "PCA", "SNE", "MSE", "BCE", "PSNR", "VAE", "DAE", "MLP",
           "ReLU", "ELU", "tanh", "softplus", "sigmoid", "SGD", "Adam", "AdamW", "RMSprop", "BFGS", "Powell",
           "Xavier", "Glorot", "Kaiming", "English", "Español", "Emoji", "emoji", "Noto", "Optuna", "Ray",
           "aegui", "font", "Font", "torch", "safetensors", "scipy", "numpy", "CPU", "GPU", "CUDA"}


def english_only_words(catalogue: dict[str, str]) -> set[str]:
    english = {w for k, v in catalogue.items() if k != v for w in re.findall(WORD, re.sub(r"\{[^{}]*\}", " ", k))}
    spanish = {w for v in catalogue.values() for w in re.findall(WORD, v)}
    return {w for w in english - spanish if len(w) > 2} - ALLOWED


def made_names(catalogue: dict[str, str]) -> set[str]:
    """Names aegui gives models and experiments that have a Spanish form."""
    names = {json.loads(p.read_text(encoding="utf-8"))["experiment"]["name"] for p in (ROOT / "models").glob("*/model.json")}
    names.add(Experiment().name)
    return {n for n in names if catalogue.get(n, n) != n}


def texts_of(w: QWidget) -> list[str]:
    out = [w.toolTip()]
    if isinstance(w, QLabel):
        out.append(w.text())
    if isinstance(w, QAbstractButton):
        out.append(w.text())
    if isinstance(w, QGroupBox):
        out.append(w.title())
    if isinstance(w, QComboBox):
        out += [w.itemText(i) for i in range(w.count())]
    if isinstance(w, QLineEdit):
        out += [w.placeholderText(), w.text()]
    if isinstance(w, QTabBar):
        out += [t for i in range(w.count()) for t in (w.tabText(i), w.tabToolTip(i))]
    if isinstance(w, QTableWidget):
        out += [w.horizontalHeaderItem(c).text() for c in range(w.columnCount()) if w.horizontalHeaderItem(c)]
    if isinstance(w, QDockWidget):
        out.append(w.windowTitle())
    for act in w.actions():
        out += [act.text(), act.toolTip(), act.statusTip()]
    return out


def clean(text: str) -> str:
    text = re.sub(r"<[^>]+>", " ", text).replace("&", "").replace("\u200b", "")
    text = re.sub(r"(?:[A-Za-z]:)?(?:/[\w.\-]+)+/?", " ", text)       # paths are data
    return " ".join(text.split())


def untranslated(texts, catalogue) -> list[str]:
    keys = {k.replace("&", "").strip(" .:…*") for k, v in catalogue.items() if k != v and "{" not in k}
    words, names = english_only_words(catalogue), made_names(catalogue)
    bad = []
    for raw in texts:
        text = clean(raw)
        if not text:
            continue
        if text.strip(" .:…*") in keys:
            bad.append(f"{text!r}: the English of a catalogue entry")
        elif any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", text) for n in names):
            bad.append(f"{text!r}: a name aegui made, in English")
        elif found := sorted(set(re.findall(WORD, text)) & words):
            bad.append(f"{text!r}: English words {found}")
    return bad


def shown(root: QWidget) -> list[str]:
    return [t for w in [root, *root.findChildren(QWidget)] if w.isVisible() for t in texts_of(w)]


def test_the_check_finds_each_kind_of_english():
    catalogue = read_catalogue("es")
    bad = untranslated(["Train", "experiment — Font3, 35-2-35, adam, TA 0,01", "51 MB with their gradients",
                        "Entrenar", "Nombre", "Abrir /tmp/their/gradients.json", "Ctrl+Z"], catalogue)
    assert [b.split(":")[-1].strip() for b in bad] == [
        "the English of a catalogue entry", "a name aegui made, in English", "English words ['gradients', 'their', 'with']"]


def test_the_spanish_window_shows_no_english_in_any_perspective_dock_or_tooltip(window, qtbot):
    catalogue = read_catalogue("es")
    i18n.set_language("es")
    window.menus.models_action.trigger()
    dialog = window.menus.models_dialog
    qtbot.waitExposed(dialog)
    found = {}
    for p in PERSPECTIVES:
        window.arranger.switch(p.key)
        for key in p.docks():
            window.show_dock(key)
            QApplication.processEvents()
            for text in untranslated(shown(window.docks[key]), catalogue):
                found.setdefault(text, f"{p.key}/{key}")
        for where, root in (("window", window.menuBar()), ("toolbar", window.model_bar),
                            ("status bar", window.statusBar()), ("File > Models…", dialog)):
            for text in untranslated(shown(root) + [t for a in window.menuBar().actions() for t in menu_texts(a)],
                                     catalogue):
                found.setdefault(text, where)
    assert not found, "\n".join(f"{where}: {text}" for text, where in sorted(found.items(), key=lambda kv: kv[1]))


def menu_texts(action) -> list[str]:
    out = [action.text(), action.toolTip() if action.toolTip() != action.text().replace("&", "") else ""]
    menu = action.menu()
    if menu is not None:
        menu.aboutToShow.emit()
        out += [t for a in menu.actions() if not a.isSeparator() for t in menu_texts(a)]
    return out
