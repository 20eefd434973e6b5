"""The course's terms (latent space, wrong pixels, KL, BCE, PSNR, β and momentum) are explained
where they appear (a tooltip of one sentence each, in both languages): builder fields, chart titles, metrics
tables. The Spanish is checked as the user reads it."""
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt

from aegui.qt import i18n
from tests.qt.training.test_training_panel import feed, make_records, panel  # noqa: F401  (fixture)

# The start of each definition as a Spanish user reads it.
ES = {"latent space": "Espacio latente: los códigos cortos que crea el codificador",
      "wrong pixels": "Píxeles erróneos: píxeles de la reconstrucción que",
      "KL": "KL (divergencia de Kullback–Leibler):",
      "BCE": "BCE (entropía cruzada binaria):",
      "PSNR": "PSNR (relación señal-ruido de pico):",
      "β": "β: el peso del término KL en la pérdida de un VAE",
      "momentum": "Momento: la parte del último paso que SGD suma al siguiente"}
EN = {"latent space": "Latent space: ", "wrong pixels": "Wrong pixels: ", "KL": "KL (Kullback–Leibler divergence): ",
      "BCE": "BCE (binary cross-entropy): ", "PSNR": "PSNR (peak signal-to-noise ratio): ", "β": "β: the weight",
      "momentum": "Momentum: "}


def _lines(tip: str, term: str, lang: str) -> bool:
    start = (ES if lang == "es" else EN)[term]
    return any(line.startswith(start) and line.endswith(".") for line in (tip or "").split("\n"))


def _hover_tip(view, item) -> str:
    """The tooltip Qt shows when the mouse rests on `item` of a pyqtgraph view."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip
    at = view.mapFromScene(item.mapRectToScene(item.boundingRect()).center())
    QApplication.sendEvent(view.viewport(), QHelpEvent(QEvent.Type.ToolTip, at, view.viewport().mapToGlobal(at)))
    return QToolTip.text()


def _row_label(builder, key):
    f, form, widget = builder.form._rows[key]
    return form.labelForField(widget)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_builder_fields_explain_their_terms(builder, lang):
    from aegui.core.schema.experiment import Experiment
    from aegui.core.config.validation import with_changes
    i18n.set_language(lang)
    builder.set_experiment(with_changes(Experiment(), model={"kind": "vae"}, train={"optimizer": "momentum"}))
    form = builder.form
    for key, terms in (("model.beta", ("β", "KL")), ("train.momentum", ("momentum",)),
                       ("model.latent", ("latent space",)), ("train.loss", ("BCE",)),
                       ("train.optimizer", ("momentum",))):
        owner = form.owners.get(key) or form.widget(key)
        for term in terms:
            assert _lines(owner.toolTip(), term, lang), (key, owner.toolTip())
    for key in ("model.beta", "train.momentum"):       # the word hovered, too
        assert _lines(_row_label(builder, key).toolTip(), "β" if key == "model.beta" else "momentum", lang)
    loss = form.widget("train.loss")
    bce = loss.findData("bce")
    assert _lines(loss.itemData(bce, Qt.ItemDataRole.ToolTipRole), "BCE", lang)
    i18n.set_language("en")


def test_a_marked_field_gets_its_explained_tooltip_back(builder):
    owner = builder.form.owners["train.momentum"]
    builder.form.mark(owner, "must be between 0 and 1")
    assert owner.toolTip() == "must be between 0 and 1"
    builder.form.mark(owner, None)
    assert _lines(owner.toolTip(), "momentum", "en")


def test_training_charts_explain_wrong_pixels_psnr_and_kl_in_spanish(panel):
    i18n.set_language("es")
    panel.show()
    feed(panel, make_records(5, 1, kl=True), 1)
    assert _lines(panel.wrong_plot.titleLabel.toolTip(), "wrong pixels", "es")
    assert _lines(_hover_tip(panel.charts, panel.wrong_plot.titleLabel), "wrong pixels", "es")   # as shown
    assert _lines(panel.bar_plot.titleLabel.toolTip(), "wrong pixels", "es")
    kl = [label for sample, label in panel.loss_legend.items if sample.item is panel.loss_curves["kl"]]
    assert kl and _lines(kl[0].toolTip(), "KL", "es")
    panel.set_image_mode(True)
    assert _lines(panel.wrong_plot.titleLabel.toolTip(), "PSNR", "es")
    i18n.set_language("en")
    assert _lines(panel.wrong_plot.titleLabel.toolTip(), "PSNR", "en")


def test_metrics_tables_explain_their_terms_in_spanish(qtbot):
    from aegui.core.analyses.compare.two_models import MetricRow
    from aegui.qt.compare.metrics_table import MetricsTable
    from aegui.qt.experiments.sweep_table import SweepTable
    from aegui.qt.explain.latent_table import LatentTable
    from aegui.core.analyses.sweeps.sweep import Sweep
    from aegui.core.schema.experiment import Experiment
    i18n.set_language("es")
    table = MetricsTable()
    qtbot.addWidget(table)
    rows = [MetricRow("max_wrong", "max wrong pixels", (1, 0), True), MetricRow("psnr", "PSNR (dB)", (20.0, 25.0), False)]
    table.set_comparison(SimpleNamespace(rows=rows, noise=None))
    assert _lines(table.item(0, 0).toolTip(), "wrong pixels", "es")
    assert _lines(table.item(1, 0).toolTip(), "PSNR", "es")
    latent = LatentTable()
    qtbot.addWidget(latent)
    kl = [c for c in range(latent.columnCount()) if latent.horizontalHeaderItem(c).text() == "KL"][0]
    assert _lines(latent.horizontalHeaderItem(kl).toolTip(), "KL", "es")
    sweeps = SweepTable()
    qtbot.addWidget(sweeps)
    sweep = Sweep(name="s", base=Experiment(), vary={"train.momentum": [0.5, 0.9]}, seeds=1)
    from aegui.core.analyses.sweeps.sweep import expand
    sweeps.table_model.set_sweep(sweep, expand(sweep))
    model = sweeps.table_model
    heads = {model.headerData(c, Qt.Orientation.Horizontal): c for c in range(model.columnCount())}
    tip = lambda head: model.headerData(heads[head], Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert _lines(tip("Máx. mal"), "wrong pixels", "es")
    assert _lines(tip("Momento"), "momentum", "es")
    i18n.set_language("en")


def test_every_term_has_one_spanish_sentence():
    from aegui.qt.widgets.text.terms import TERMS, explain, terms_in
    assert sorted(TERMS) == sorted(ES)
    for term, (_, english) in TERMS.items():
        i18n.set_language("es")
        spanish = explain(term)
        assert spanish.startswith(ES[term]) and spanish != english and spanish.count(". ") == 0
        i18n.set_language("en")
        assert explain(term) == english and english.startswith(EN[term])
    assert terms_in("β (KL weight)") == ["KL", "β"]
    assert terms_in("SGD + momentum", "Max wrong") == ["wrong pixels", "momentum"]
    assert terms_in("Learning rate") == []


def test_the_latent_dock_and_the_local_model_box_speak_the_language_chosen_later(window):
    """The latent dock's tab explains the term; the editor's "Use the local model" tooltip names
    the local model in the language chosen after it was computed (it kept the English name)."""
    from aegui.qt.models.names import title
    editor = window.editor
    local = next(m for m in window.workspace.models if m.path and m.path.name == "general-5x7-local")
    editor._fallback = (title(local), local.denoiser(), local)
    i18n.set_language("es")
    try:
        assert _lines(window.docks["latent"].toolTip(), "latent space", "es")
        assert editor.fallback_check.toolTip().startswith(title(local) + ":") and "(de ejemplo)" in title(local)
    finally:
        i18n.set_language("en")
    assert _lines(window.docks["latent"].toolTip(), "latent space", "en")
