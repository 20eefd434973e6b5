"""The demo models speak Spanish in the Spanish window: they kept their English names in the window (model
combos, the editor's and the explain panel's model names) and the VAE's "prior" stayed English."""
import json
import re
from pathlib import Path

from PySide6.QtWidgets import (QAbstractButton, QApplication, QComboBox, QDockWidget, QLabel, QTabBar,
                               QWidget)

from aegui.qt import i18n
from aegui.qt.models.names import title

MODELS = Path(__file__).resolve().parents[2] / "models"


def demo_names() -> list[str]:
    return [json.loads(p.read_text(encoding="utf-8"))["experiment"]["name"] for p in sorted(MODELS.glob("*/model.json"))]


def shown_texts(window) -> list[tuple[str, str, str]]:
    """(widget class, text, tooltip) of what the window writes on its widgets."""
    out = []
    for w in window.findChildren(QWidget):
        texts = []
        if isinstance(w, QLabel):
            texts.append(w.text())
        if hasattr(w, "full_text"):
            texts.append(w.full_text())
        if isinstance(w, QComboBox):
            texts += [w.itemText(i) for i in range(w.count())]
        if isinstance(w, QAbstractButton):
            texts.append(w.text())
        if isinstance(w, QTabBar):
            texts += [w.tabText(i) for i in range(w.count())]
        if isinstance(w, QDockWidget):
            texts.append(w.windowTitle())
        out += [(type(w).__name__, t, w.toolTip()) for t in texts]
    return out


def test_demo_models_and_the_prior_speak_spanish(window, qtbot):
    names = demo_names()
    assert len(names) >= 4
    i18n.set_language("es")
    QApplication.processEvents()
    for m in window.workspace.models:
        if m.demo:
            assert title(m).endswith("(de ejemplo)")
            assert not any(n in title(m) for n in names), title(m)
    shown = shown_texts(window)
    english = [(kind, text) for kind, text, _ in shown if any(n in text for n in names)]
    assert english == []
    assert any("Autoencoder 2-D de Font3 (el mejor de 8)" in text for _, text, _ in shown)
    prior = [(kind, s) for kind, text, tip in shown for s in (text, tip) if re.search(r"\bprior\b", s)]
    assert prior == []
    assert any(text == "Muestrear a priori" for _, text, _ in shown)
