"""Catalogue datasets from files the user already has (`aegui data add NAME FOLDER`): a folder of
unpacked files whose bytes match the published SHA-256 of the unpacked file is registered and
read; one whose bytes differ is refused naming the file. The real MNIST files (gunzipped from
../shared/data/mnist into a temporary folder) where present; a tiny synthetic entry always."""
import gzip
import hashlib
import json
import shutil
from dataclasses import replace

import numpy as np
import pytest

from aegui.core.schema.experiment import ConfigError, DataConfig
from aegui.core.data import catalogue, local_files
from aegui.core.data.mnist_files import write_idx

from core_helpers import run_cli


def _sha(path) -> str:
    return "sha256:" + hashlib.sha256(open(path, "rb").read()).hexdigest()


@pytest.fixture
def tiny(tmp_path):
    """A catalogue entry "tiny" whose published files are .gz and whose unpacked hashes are
    known, and a folder holding those files unpacked."""
    published, unpacked = tmp_path / "published", tmp_path / "unpacked"
    published.mkdir()
    unpacked.mkdir()
    rng = np.random.default_rng(1)
    files = []
    for split, n, role in (("train", 30, "train"), ("t10k", 10, "test")):
        images = rng.integers(0, 256, (n, 6, 6)).astype(np.uint8)
        labels = (np.arange(n) % 3).astype(np.uint8)
        for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
            gz = write_idx(published / f"{split}-{kind}-ubyte.gz", array)
            plain = write_idx(unpacked / f"{split}-{kind}-ubyte", array)
            files.append(catalogue.DataFile(gz.name, _sha(gz), f"{role}_{kind.split('-')[0]}", 0, _sha(plain)))
    entry = catalogue.Entry("tiny", "tiny", ("http://127.0.0.1:9/",), tuple(files), "test", "test", "",
                            ("zero", "one", "two"))
    saved = dict(catalogue.ENTRIES)
    catalogue.ENTRIES["tiny"] = entry
    yield {"entry": entry, "published": published, "unpacked": unpacked}
    catalogue.ENTRIES.clear()
    catalogue.ENTRIES.update(saved)


def test_unpacked_folder_registers_and_trains_from_it(tiny, capsys):
    assert run_cli(["data", "add", "tiny", tiny["unpacked"]]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {f["matched"] for f in out["files"].values()} == {"unpacked"}
    assert local_files.state("tiny") == f"registered: {tiny['unpacked'].resolve()}"
    from aegui.core.data.mnist_sets import train_test
    train, test = train_test(DataConfig(source="idx", catalogue="tiny"))
    assert (len(train), len(test)) == (30, 10)
    assert set(train.labels) == {"zero", "one", "two"}
    assert run_cli(["data", "path", "tiny"]) == 0
    assert capsys.readouterr().out.strip() == str(tiny["unpacked"].resolve())


def test_a_folder_whose_bytes_differ_is_refused_naming_the_file(tiny, capsys):
    bad = tiny["unpacked"] / "t10k-labels-idx1-ubyte"
    data = bytearray(bad.read_bytes())
    data[-1] ^= 1                       # one label changed: still a valid IDX file, but not the published one
    bad.write_bytes(bytes(data))
    assert run_cli(["data", "add", "tiny", tiny["unpacked"]]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert str(bad) in err and "differ" in err
    assert local_files.state("tiny") == "not fetched"      # nothing registered


def test_published_gz_and_a_torchvision_root_both_work(tiny, tmp_path):
    check = local_files.register("tiny", tiny["published"])
    assert {f.how for f in check.files} == {"published"}
    raw = tmp_path / "root" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for p in tiny["unpacked"].iterdir():     # torchvision keeps both side by side
        shutil.copy(p, raw / p.name)
        shutil.copy(tiny["published"] / (p.name + ".gz"), raw / (p.name + ".gz"))
    check = local_files.register("tiny", tmp_path / "root")
    assert check.folder == raw and check.ok


def test_a_registered_file_changed_later_is_refused_when_read(tiny):
    local_files.register("tiny", tiny["unpacked"])
    target = tiny["unpacked"] / "train-labels-idx1-ubyte"
    data = bytearray(target.read_bytes())
    data[-1] ^= 1
    target.write_bytes(bytes(data))
    from aegui.core.data.mnist_sets import train_test
    with pytest.raises(ConfigError) as e:
        train_test(DataConfig(source="idx", catalogue="tiny"))
    assert "no longer checks out" in str(e.value) and "train-labels-idx1-ubyte" in str(e.value)


def test_repacked_gz_is_checked_by_its_contents(tiny, tmp_path):
    folder = tmp_path / "repacked"
    folder.mkdir()
    for p in tiny["unpacked"].iterdir():     # compressed again: not the published .gz bytes
        (folder / (p.name + ".gz")).write_bytes(gzip.compress(p.read_bytes(), compresslevel=9, mtime=123))
    check = local_files.register("tiny", folder)
    assert {f.how for f in check.files} == {"repacked"}


def test_entry_without_unpacked_hashes_says_only_the_gz_can_be_checked(tiny):
    e = tiny["entry"]
    catalogue.ENTRIES["tiny"] = replace(e, files=tuple(replace(f, unpacked="") for f in e.files))
    with pytest.raises(local_files.LocalFilesError) as err:
        local_files.register("tiny", tiny["unpacked"])
    assert "only the published .gz can be checked" in str(err.value)


def test_real_mnist_unpacked_folder_matches_the_published_hashes(real_mnist_unpacked, capsys):
    """The acceptance case on the real files: gunzipped MNIST registers, and a copy whose bytes
    differ (one test label changed) is refused."""
    assert run_cli(["data", "add", "mnist", real_mnist_unpacked]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {f["matched"] for f in out["files"].values()} == {"unpacked"}
    from aegui.core.data.mnist_sets import train_test
    train, test = train_test(DataConfig(source="idx", catalogue="mnist"))
    assert (len(train), len(test)) == (60000, 10000)
    assert np.bincount([int(v) for v in test.labels]).tolist() == \
        [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]       # the official test set's class counts
    bad = real_mnist_unpacked.parent / "mnist_bad"
    shutil.copytree(real_mnist_unpacked, bad)
    labels = bad / "t10k-labels-idx1-ubyte"
    data = bytearray(labels.read_bytes())
    data[100] = (data[100] + 1) % 10
    labels.write_bytes(bytes(data))
    assert run_cli(["data", "add", "mnist", bad]) == 2
    assert str(labels) in capsys.readouterr().err


def test_real_mnist_gz_from_the_shared_folder_is_accepted_by_contents(real_mnist):
    check = local_files.check_folder("mnist", real_mnist)
    assert check.ok and {f.how for f in check.files} == {"repacked"}


def _no_hashing_of(monkeypatch, bad, unpacking_only=False):
    """Hashing any of `bad` fails the test: a file whose size or header already shows it is not
    the published one must be refused without reading it through."""
    seen = []
    real_file, real_unpacked = local_files._hash_file, local_files._hash_unpacked

    def spy(real):
        def hashed(path, *args, **kwargs):
            if path.resolve() in bad or path in bad:
                seen.append(path)
                raise AssertionError(f"hashed {path}")
            return real(path, *args, **kwargs)
        return hashed
    if not unpacking_only:
        monkeypatch.setattr(local_files, "_hash_file", spy(real_file))
    monkeypatch.setattr(local_files, "_hash_unpacked", spy(real_unpacked))
    return seen


def test_a_huge_symlinked_file_is_refused_without_hashing(tiny, tmp_path, monkeypatch):
    """A symlink to a 20 GB sparse file in place of each role took minutes to hash per role;
    its size alone shows it is not the published file."""
    huge = tmp_path / "huge.bin"
    with open(huge, "wb") as fh:
        fh.truncate(20 << 30)
    folder = tmp_path / "links"
    folder.mkdir()
    for f in tiny["entry"].files:
        (folder / f.unpacked_name).symlink_to(huge)
        (folder / f.name).symlink_to(huge)
    _no_hashing_of(monkeypatch, {huge})
    local_files._verified.clear()
    with pytest.raises(local_files.LocalFilesError, match="differ"):
        local_files.register("tiny", folder)


def test_a_gzip_bomb_is_refused_without_unpacking_it(tiny, tmp_path, monkeypatch):
    """A small .gz that unpacks to far more than an IDX file of its header: refused from the
    header, before it is unpacked to the 1 GiB cap (once per role)."""
    folder = tmp_path / "bombs"
    folder.mkdir()
    bomb = gzip.compress(b"\0" * (8 << 20), 9)
    for f in tiny["entry"].files:
        (folder / f.name).write_bytes(bomb)
    _no_hashing_of(monkeypatch, {(folder / f.name).resolve() for f in tiny["entry"].files}, unpacking_only=True)
    local_files._verified.clear()
    with pytest.raises(local_files.LocalFilesError, match="differ"):
        local_files.register("tiny", folder)


def test_a_repacked_file_is_unpacked_no_further_than_its_header_says(tiny, tmp_path):
    """A .gz whose IDX header is right but which goes on past it is refused once it has
    unpacked one byte more than the header promises."""
    folder = tmp_path / "longer"
    shutil.copytree(tiny["unpacked"], folder)
    f = tiny["entry"].files[0]
    data = (folder / f.unpacked_name).read_bytes()
    (folder / f.unpacked_name).unlink()
    (folder / f.name).write_bytes(gzip.compress(data + b"\0" * (4 << 20)))
    assert local_files._hash_unpacked(folder / f.name, None, len(data)) is None
    good = folder / "good.gz"
    good.write_bytes(gzip.compress(data))
    assert local_files._hash_unpacked(good, None, len(data)) == hashlib.sha256(data).hexdigest()
