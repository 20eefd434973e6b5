"""Fashion-MNIST from the files a user downloads from Zalando (`aegui data add fashion-mnist
FOLDER`): the four .gz files under their published names, in the folder they come in or in
torchvision's FashionMNIST/raw, are accepted and read with the article names as labels; files
of the same names whose bytes are not the published ones are refused in one sentence naming
the file. The real files are not on the test machines, so the end-to-end cases build small
files in the published IDX layout and put their hashes and sizes in the entry, exactly where
the published ones stand; the published values themselves are checked against Zalando's."""
import hashlib
import json
from dataclasses import replace

import numpy as np
import pytest

from aegui.core.data import catalogue, local_files
from aegui.core.data.mnist_files import write_idx
from aegui.core.schema.experiment import DataConfig

from core_helpers import run_cli

# The files Zalando publishes (github.com/zalandoresearch/fashion-mnist, data/fashion, and its S3
# mirror): name -> (bytes, SHA-256). Their README lists the MD5 of each (8d4fb7e6..., 25c81989...,
# bef4ecab..., bb300cfd..., as torchvision checks them); these SHA-256 are of those same files.
PUBLISHED = {
    "train-images-idx3-ubyte.gz": (26421880, "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
    "train-labels-idx1-ubyte.gz": (29515, "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
    "t10k-images-idx3-ubyte.gz": (4422102, "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
    "t10k-labels-idx1-ubyte.gz": (5148, "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"),
}


def _small_published_folder(folder):
    """The four published names, gzipped IDX files of 28x28 images and labels 0-9 (40 + 20)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    for split, n in (("train", 40), ("t10k", 20)):
        write_idx(folder / f"{split}-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 28, 28)).astype(np.uint8))
        write_idx(folder / f"{split}-labels-idx1-ubyte.gz", (np.arange(n) % 10).astype(np.uint8))
    return folder


@pytest.fixture
def fashion_entry():
    saved = dict(catalogue.ENTRIES)
    yield catalogue.ENTRIES["fashion-mnist"]
    catalogue.ENTRIES.clear()
    catalogue.ENTRIES.update(saved)


def _entry_for(folder, real):
    """The real entry with each file's published hash and size replaced by those of the small
    file of the same name (everything else, class names included, as published)."""
    files = []
    for f in real.files:
        data = (folder / f.name).read_bytes()
        files.append(replace(f, hash="sha256:" + hashlib.sha256(data).hexdigest(), size=len(data)))
    return replace(real, files=tuple(files))


def test_the_catalogue_holds_the_published_fashion_mnist_hashes_and_sizes(fashion_entry):
    """A user's untouched download must check out: each file's SHA-256 and size in the catalogue
    are those of the file Zalando publishes under that name."""
    got = {f.name: (f.size, f.hash) for f in fashion_entry.files}
    assert got == {name: (size, "sha256:" + sha) for name, (size, sha) in PUBLISHED.items()}


@pytest.mark.parametrize("where", ["as downloaded", "torchvision root"])
def test_published_layout_is_added_and_read_with_the_article_names(fashion_entry, tmp_path, capsys, where):
    folder = tmp_path / "fashion"
    files = _small_published_folder(folder if where == "as downloaded" else folder / "FashionMNIST" / "raw")
    catalogue.ENTRIES["fashion-mnist"] = _entry_for(files, fashion_entry)
    assert run_cli(["data", "add", "fashion-mnist", folder]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {f["matched"] for f in out["files"].values()} == {"published"}
    assert local_files.state("fashion-mnist") == f"registered: {files.resolve()}"
    from aegui.core.data.mnist_sets import train_test
    train, test = train_test(DataConfig(source="idx", catalogue="fashion-mnist"))
    assert (len(train), len(test)) == (40, 20)
    assert sorted(set(test.labels)) == sorted(fashion_entry.class_names)


def test_files_that_are_not_the_published_ones_are_refused_in_one_sentence(fashion_entry, tmp_path, capsys):
    """Small files under the published names, checked against the real published hashes: the
    first one is named, the user is told only the published .gz can be checked and what to do."""
    folder = _small_published_folder(tmp_path / "fashion")
    assert run_cli(["data", "add", "fashion-mnist", folder]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert str(folder / "train-images-idx3-ubyte.gz") in err
    assert "differ from the published fashion-mnist" in err and "aegui data fetch fashion-mnist" in err
    assert local_files.state("fashion-mnist") == "not fetched"
