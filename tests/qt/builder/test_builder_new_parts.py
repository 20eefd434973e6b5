"""The builder offers the cosh activation, the L2-norm loss and dropout in English and in
Spanish, and a model using them comes back from the form exactly; the dropout row shows only
where dropout applies (fully connected layers, not the contractive kind)."""
from aegui.core.config.validation import with_changes
from aegui.core.schema.experiment import Experiment
from aegui.qt import i18n

from forms import pick


def row_label(builder, key: str) -> str:
    widget = builder.form.widget(key)
    return widget.parentWidget().layout().labelForField(widget).text()


def item_texts(combo) -> dict:
    return {combo.itemData(i): combo.itemText(i) for i in range(combo.count())}


def test_the_new_choices_and_the_dropout_row_in_both_languages(builder):
    hidden, loss = builder.form.widget("model.hidden_activation"), builder.form.widget("train.loss")
    english = (item_texts(hidden)["cosh"], item_texts(loss)["l2_norm"], row_label(builder, "model.dropout"))
    assert english == ("cosh", "L2 norm ‖x − x̂‖ (per sample)", "Dropout")
    assert "overflow" in hidden.toolTip()
    i18n.set_language("es")
    spanish = (item_texts(hidden)["cosh"], item_texts(loss)["l2_norm"], row_label(builder, "model.dropout"))
    assert spanish[1] == "norma L2 ‖x − x̂‖ (por muestra)" and "desbord" in hidden.toolTip()
    assert "entrenamiento" in builder.form.widget("model.dropout").toolTip()


def test_a_model_with_the_new_parts_round_trips_through_the_form(builder):
    exp = with_changes(Experiment(), model={"layers": (35, 16, 2, 16, 35), "hidden_activation": "cosh",
                                            "dropout": 0.1},
                       train={"loss": "l2_norm"})
    builder.set_experiment(exp)
    assert builder.form.widget("model.dropout").isVisibleTo(builder)
    assert builder.experiment() == exp
    builder.form.widget("model.dropout").setValue(25)
    assert builder.experiment().model.dropout == 0.25
    pick(builder.form.widget("model.kind"), "contractive")
    assert not builder.form.widget("model.dropout").isVisibleTo(builder)
    assert builder.experiment().model.dropout == 0.0      # hidden, it reads as off (the rules refuse it)


def test_a_layer_by_layer_conv_model_keeps_its_layers_through_the_form(builder):
    """The per-layer conv lists (batch-norm, max-pooling, a Dense code) have no row of their own;
    a model that has them opened in the form, edited elsewhere and taken back keeps them, and the
    form hides the Conv channels row, which such a model does not read."""
    from aegui.core.files.jsonfile import read_json
    from aegui.core.files.paths import resources_dir
    from aegui.core.config.validation import experiment_from_dict
    base = read_json(resources_dir() / "analyses" / "seed003-mnist-ae2d.json")["base"]
    exp = experiment_from_dict({"schema_version": 1, **base})
    assert "batchnorm" in exp.model.conv_encoder and exp.model.conv_encoder[-1] == "dense 2"
    builder.set_experiment(exp)
    assert builder.experiment() == exp
    # Its channels come from its own lines: a Conv channels row would change nothing.
    assert not builder.field_widget("model.channels").isVisibleTo(builder)
    builder.form.widget("train.learning_rate").setText("0.002")
    back = builder.experiment()
    assert back.train.learning_rate == 0.002
    assert (back.model.conv_encoder, back.model.conv_decoder) == (exp.model.conv_encoder, exp.model.conv_decoder)
