"""AE latent vs PCA vs t-SNE: coordinates, determinism, the job, CSV and PNG."""
import csv
import json

import numpy as np
import pytest

from aegui.core.schema.experiment import ConfigError
from aegui.core.analyses.embedding import (ALL_PANELS, CSV_COLUMNS, DEFAULT_PANELS, EmbeddingJob, embed_dataset, project)
from aegui.core.models.latent import encode
from aegui.core.train.threads import one_native_thread


def test_pca_and_tsne_are_scikit_learns_and_repeatable(font3):
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE
    x = font3.x.astype(np.float64)
    xy = project(font3.x, "pca")
    np.testing.assert_allclose(xy, PCA(n_components=2, svd_solver="full").fit_transform(x), atol=1e-9)
    a, b = project(font3.x, "tsne", seed=3), project(font3.x, "tsne", seed=3)
    assert a.shape == (32, 2) and np.array_equal(a, b)
    with one_native_thread():   # sklearn's OpenMP threads crawl on a busy 2-core machine
        want = TSNE(perplexity=31 / 3, init="pca", random_state=3, learning_rate="auto").fit_transform(x)
    np.testing.assert_allclose(a, want, atol=1e-6)


def test_ae_panel_is_the_models_codes(trained, font3):
    model = trained[0]
    panels = embed_dataset(font3, model, ALL_PANELS)
    assert [(p.method, p.space) for p in panels] == list(ALL_PANELS)
    np.testing.assert_allclose(panels[0].xy, encode(model, font3.x), rtol=1e-6)
    assert panels[0].labels == font3.labels and panels[0].title == "AE latent"
    assert panels[3].title == "PCA of codes"


def test_job_with_given_model_writes_csv_and_png(trained, font3, tmp_path):
    job = EmbeddingJob(("Font3",), models={"Font3": trained[0]}, seed=1)
    items = list(job.steps())
    assert [p.state for p in items] == ["projecting"] * 3 + ["finished"]
    res = items[-1].result
    assert res.datasets == ["Font3"] and res.kinds == list(DEFAULT_PANELS)
    paths = res.write(tmp_path)
    with open(paths["csv"]) as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == CSV_COLUMNS and len(rows) == 3 * 32
    tsne = [r for r in rows if r["method"] == "tsne"]
    assert tsne[1]["label"] == "a" and float(tsne[1]["x"]) == pytest.approx(res.panel("Font3", "tsne", "raw").xy[1, 0])
    assert paths["png"].read_bytes()[:4] == b"\x89PNG"


def test_job_trains_a_2d_autoencoder_per_font():
    job = EmbeddingJob(("Font1",), panels=[("ae", "latent")])
    items = list(job.steps())
    assert items[0].state == "training" and items[-1].state == "finished"
    model = job.trained["Font1"]
    assert model.latent_dim == 2
    np.testing.assert_allclose(items[-1].result.panels[0].xy, encode(model, job.data["Font1"].x), rtol=1e-6)


def test_cancel_keeps_only_whole_datasets(trained, font3):
    job = EmbeddingJob(("Font3", "Font1"), models={"Font3": trained[0]}, panels=[("pca", "raw"), ("pca", "latent")])
    items = []
    for p in job.steps():
        items.append(p)
        if p.state == "training":      # Font1 has no model: cancel while it trains
            job.cancel()
    assert items[-1].state == "cancelled"
    assert items[-1].result.datasets == ["Font3"] and "Font1" not in job.trained


def test_bad_panels_and_too_few_samples_are_refused(font3):
    with pytest.raises(ConfigError, match="panels"):
        EmbeddingJob(("Font3",), panels=[("umap", "raw")])
    with pytest.raises(ConfigError, match="t-SNE needs at least 3"):
        project(font3.x[:2], "tsne")
    with pytest.raises(ConfigError, match="models"):
        embed_dataset(font3, None, [("tsne", "latent")])


def test_cli_embed_writes_png_and_csv(tmp_path, capsys):
    from aegui.cli import main
    out = tmp_path / "emb"
    assert main(["embed", "--fonts", "Font3,Font1", "--panels", "pca", "--out", str(out), "--quiet"]) == 0
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["fonts"] == ["Font3", "Font1"] and line["panels"] == ["pca/raw"] and line["points"] == 64
    assert (out / "embedding.png").read_bytes()[:4] == b"\x89PNG"
    with open(out / "embedding.csv") as fh:
        assert len(list(csv.DictReader(fh))) == 64


@pytest.mark.parametrize("argv, needle", [
    (["--panels", "umap"], "--panels"),
    (["--fonts", "Font9"], "Font9"),
    (["--models", "Font3"], "--models"),
])
def test_cli_embed_bad_input_is_one_line_and_status_2(tmp_path, capsys, argv, needle):
    from aegui.cli import main
    assert main(["embed", "--out", str(tmp_path / "o"), *argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0]
