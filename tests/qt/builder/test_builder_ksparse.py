"""The builder offers k-sparse: k shows only for top-k, and round-trips."""

from aegui.core.schema.experiment import Experiment
from aegui.core.config.validation import with_changes


def test_ksparse_round_trips_and_shows_k_only_for_topk(builder, tmp_path):
    exp = with_changes(Experiment(), model={"kind": "sparse", "sparsity": "topk", "sparsity_k": 3,
                                            "layers": (35, 24, 12, 24, 35)})
    builder.set_experiment(exp)
    assert builder.experiment() == exp
    assert builder.field_widget("model.sparsity_k") is builder.form.widget("model.sparsity_k")
    assert builder.form.widget("model.sparsity_k").isVisibleTo(builder) and not builder.form.widget("model.sparsity_weight").isVisibleTo(builder)
    builder.grab().save(str(tmp_path / "ksparse.png"))
    builder.set_experiment(with_changes(exp, model={"sparsity": "l1"}))
    assert not builder.form.widget("model.sparsity_k").isVisibleTo(builder) and builder.form.widget("model.sparsity_weight").isVisibleTo(builder)
