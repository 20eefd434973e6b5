"""Load config… of a student's config shows how each key is read before anything is applied:
Cancel leaves the builder as it was, Apply sets the imported experiment. Keys that may change
training and were not understood are named above the table, marked in it, and Cancel is then the
default button. The dialog and the reasons in its table speak Spanish."""
import json

import pytest
from PySide6.QtWidgets import QDialog, QFileDialog

from aegui.core.config.load import read_config, read_config_text
from aegui.core.schema.experiment import Experiment
from aegui.qt import i18n
from aegui.qt.builder.import_dialog import ImportDialog, translated

STUDENT = {"model": {"latent_dim": 2, "encoder_hidden_layers": [16], "decoder_hidden_layers": [16]},
           "training": {"learning_rate": 0.01, "epochs_max": 300, "gradient_clip_norm": 5},
           "denoising": {"noise_level": 0.0}}


@pytest.fixture
def builder(qtbot):
    from aegui.qt.builder.model_builder import ModelBuilder
    w = ModelBuilder()
    qtbot.addWidget(w)
    return w


def choose(monkeypatch, path, button: str, seen: list):
    """The file dialog answers `path`; the import dialog, once looked at, is answered with `button`."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))

    def exec_(dialog):
        seen.append((dialog, [[dialog.table.item(r, c).text() for c in range(3)]
                              for r in range(dialog.table.rowCount())]))
        getattr(dialog, f"{button}_button").click()
        return dialog.result()
    monkeypatch.setattr(ImportDialog, "exec", exec_)


def test_cancel_leaves_the_builder_as_it_was_and_apply_sets_the_import(builder, tmp_path, monkeypatch):
    path = tmp_path / "student.json"
    path.write_text(json.dumps(STUDENT))
    seen = []
    choose(monkeypatch, path, "cancel", seen)
    builder.files.load_dialog()
    assert builder.experiment() == Experiment()
    (dialog, rows), = seen
    assert [r[0] for r in rows][:5] == ["model.latent_dim", "model.encoder_hidden_layers",
                                       "model.decoder_hidden_layers", "training.learning_rate", "training.epochs_max"]
    assert ["training.epochs_max", "300", "train.epochs = 300"] in rows
    assert not dialog.warning.isVisibleTo(dialog) and dialog.apply_button.isDefault()
    choose(monkeypatch, path, "apply", seen)
    builder.files.load_dialog()
    exp = builder.experiment()
    assert exp == read_config(path).experiment
    assert exp.model.full_layers == (35, 16, 2, 16, 35) and exp.train.clip_norm == 5.0


def test_keys_not_understood_are_named_and_cancel_is_the_default(qtbot):
    imported = read_config_text(json.dumps({**STUDENT, "adaptive_eta": True}), "student.json")
    dialog = ImportDialog(imported)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.warning.isVisible() and "adaptive_eta" in dialog.warning.text()
    assert dialog.cancel_button.isDefault() and not dialog.apply_button.isDefault()
    row = next(i for i, r in enumerate(imported.rows) if r.key == "adaptive_eta")
    assert dialog.table.item(row, 2).text() == "NOT UNDERSTOOD" and dialog.table.item(row, 0).font().bold()
    dialog.apply_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_a_refusal_reads_in_full_above_the_table(qtbot):
    """The reason of a key aegui cannot do says what to write instead; its table cell elided it at the
    dialog's width ("...learned nothing (0.5 for every pixel) me…"), so the note above says it whole."""
    imported = read_config_text(json.dumps({**STUDENT, "error_threshold": 1, "adaptive_eta": True}), "student.json")
    dialog = ImportDialog(imported)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    lines = dialog.warning.text().splitlines()
    assert lines[0].startswith("These keys may change the training") and len(lines) == 2     # not understood: no reason
    assert lines[1].startswith("error_threshold: as a loss target") and lines[1].endswith("divide it by 35")
    w = dialog.warning      # the layout gives it the height its wrapped lines take
    qtbot.waitUntil(lambda: w.heightForWidth(w.width()) <= w.height())
    i18n.set_language("es")
    try:
        assert dialog.warning.text().splitlines()[1].startswith("error_threshold: como objetivo de pérdida")
    finally:
        i18n.set_language("en")


def test_the_dialog_speaks_spanish(qtbot):
    imported = read_config_text(json.dumps({**STUDENT, "adaptive_eta": True, "seed": None,
                                            "kl_weight": 0.1}), "student.json")
    dialog = ImportDialog(imported)
    qtbot.addWidget(dialog)
    i18n.set_language("es")
    try:
        texts = {dialog.table.item(r, 2).text() for r in range(dialog.table.rowCount())}
        assert dialog.windowTitle() == "Importar la configuración de un estudiante"
        assert dialog.apply_button.text() == "Aplicar" and dialog.cancel_button.text() == "Cancelar"
        assert dialog.table.horizontalHeaderItem(0).text() == "Clave del archivo"
        assert "NO SE ENTIENDE" in texts and "Estas" not in dialog.warning.text()
        assert "Esta clave puede cambiar el entrenamiento" in dialog.warning.text()
        assert any("0: sin ruido, un autoencoder simple" in t for t in texts)
        assert any("no se usa: este modelo (autoencoder) no es un VAE" in t for t in texts)
    finally:
        i18n.set_language("en")
    assert dialog.apply_button.text() == "Apply"


def _every_reason(imported) -> set[str]:
    return {t for r in imported.rows for t, _a in ([(r.why, r.args)] if r.why else []) + r.more}


def test_every_reason_an_import_gives_has_its_spanish(tmp_path):
    """The reasons come from the core as templates (not tr() literals the catalogue check sees), so
    the rule table's and those of configs that reach every other one are checked here."""
    from aegui.core.config.student_rules import RULES
    spanish = i18n.read_catalogue("es")
    configs = [STUDENT, {"layers": [20], "adaptive_eta": 1, "verbose": True, "seed": None, "kl_weight": 0.1,
                         "training_mode": "batch", "batch_size": 4, "source_path": "nope.h", "momentum": 0.5,
                         "decay_rate": 0.9},
               {"hidden_layers": [20], "noise": {"type": "gaussian"}, "optimizer": "gd", "momentum": 0.9,
                "alpha": 0.8, "beta_1": 0.8, "cut_condition": {"condition": "mse", "eps": 0.1}},
               {"layers": [20], "training_mode": "weird", "cut_condition": {"condition": "weird"},
                "early_stopping": {"enabled": False, "patience": 3}, "activation": "relu", "beta": 2,
                "optimization": {"method": "adam", "beta": 0.9}, "gradient_clip_norm": None,
                "dataset": {"subset": {"mode": "vowels", "name": "v"}}, "lr": 0.1, "eta": 0.2},
               {"model": {"type": "vae", "layers": [35, 10, 2, 10, 35]}, "noise": {"level": 0.1},
                "denoising": {"enabled": True}, "training_mode": "minibatch", "batch_size": 2},
               {"encoder_layers": [{"units": 20, "use_bias": False}, {"units": 2}]},
               {"encoder": {"layer_sizes": [35, 20, 10, 2], "activations": ["relu", "tanh", "linear"]},
                "optimizer": "powell", "clip_norm": 1, "batch_size": 0, "cut_condition": "epochs",
                "activation_function": {"function": "logistic", "beta": 1}},
               {"layers": [20], "alpha": 0.01, "training_mode": "batch", "early_stopping": True,
                "cut_condition": {"eps": 0.01}, "dataset": {"subset": "all"}, "denoising": {"enabled": False, "noise_type": "flip"},
                "activation": "relu", "output_activation": "identity", "loss": "mse", "slope": 2, "beta": 3},
               {"model": {"type": "vae", "layers": [35, 10, 2, 10, 35]}, "beta": 0.5, "activation": "tanh",
                "latent_activation": "tanh",
                "slope": 0.5, "training_mode": "online", "cut_condition": "one_wrong_pixel",
                "dataset": {"subset": "vowels"}},
               {"layers": [20], "mini_batch": True, "batch_size": 4}, {"layers": [20], "mini_batch": False,
                                                                        "batch_size": 4},
               {"layers": [20], "mini_batch": True}, {"layers": [20], "use_mini_batch": "yes"},
               {"layers": [20], "error_threshold": 1, "shuffle": True}, {"layers": [20], "epsilon": 0.9, "shuffle": False},
               {"layers": [20], "batch_size": 4, "shuffle": False, "dataset": {"type": "cifar"}},
               {"layers": [20], "shuffle": "often", "grayscale": "yes", "channels": 2},
               {"layers": [20], "dataset": {"name": "emoji", "path": "gone/"}},
               {"layers": [20], "dataset": {"name": "emoji", "path": "mine"}},
               {"layers": [20], "dataset": {"name": "my set", "type": "mnist", "path": "gone.idx"}},
               {"layers": [20], "font_index": 1}, {"layers": [20], "font_index": 7},
               {"layers": [20], "font_index": 1, "font": 2}, {"layers": [20], "weights_range": [-1, 1], "use_bias": True},
               {"layers": [20], "dataset": "mine/"}, {"layers": [20], "error_threshold": 0.01},
               # convolutional networks: each refusal, and the rows of what the file leaves out
               *({"dataset": "mnist", **conv} for conv in (
                   {"type": "conv_vae", "filters": [8]}, {"type": "conv_autoencoder"},
                   {"filters": [8], "hidden_layers": [20]}, {"filters": [8], "input_shape": [32, 32, 3]},
                   {"filters": [8, "16"]}, {"filters": [8], "latent_dim": 0},
                   {"filters": [8, 16], "kernel_size": [3, 3, 3]}, {"filters": [8, 16], "strides": [1, 2, 1]},
                   {"filters": [8, 16], "padding": ["same"]}, {"filters": [8], "pooling": "max"},
                   {"filters": [8], "kernel_size": [3, 5], "strides": 2},
                   {"filters": [8, 16], "kernel_size": 15, "padding": "valid"},
                   {"filters": [8, 16, 32], "strides": 2}, {"filters": [8], "pool_size": 2}))]
    (tmp_path / "mine").mkdir()
    reasons = {rule.why for rule in RULES if rule.why}
    for raw in configs:
        reasons |= _every_reason(read_config_text(json.dumps(raw), "s.json", tmp_path))
    reasons |= {"nothing to change: {why}", "not used: {why}", "NOT POSSIBLE: {why}", "NOT UNDERSTOOD: {why}",
                "NOT UNDERSTOOD", "{done} ({why})", "(not in the file)"}
    assert len(reasons) >= 61
    assert sorted(r for r in reasons if r not in spanish) == []
    assert translated("read with {key}", key="cut_condition.condition") == "read with cut_condition.condition"
