"""A model folder holds everything its model.json names, and one writer at a time."""
import json
import threading

import pytest

from aegui.core.archs import build_model
from aegui.core.config.validation import with_changes
from aegui.core.data.datasets import from_config
from aegui.core.files import lock
from aegui.core.runs.storage import ModelFileError, load_model, save_model

from core_helpers import small_experiment

ONE = "int const A[1][7] = {{0x1f, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1f}};\n"
OTHER = "int const B[1][7] = {{0x15, 0x0a, 0x15, 0x0a, 0x15, 0x0a, 0x15}};\n"


def test_glyph_files_of_one_name_from_two_folders_both_travel(tmp_path):
    """Two different glyph files both called glyphs.h are copied beside the model under two
    names, stored relative to it; the folder then loads with both after the originals are gone."""
    for folder, text in (("a", ONE), ("b", OTHER)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "glyphs.h").write_text(text)
    exp = with_changes(small_experiment(), data={"extra_glyphs": (str(tmp_path / "a" / "glyphs.h"),
                                                                  str(tmp_path / "b" / "glyphs.h"))})
    save_model(tmp_path / "m", build_model(exp.model), exp)
    stored = json.loads((tmp_path / "m" / "model.json").read_text())["experiment"]["data"]["extra_glyphs"]
    assert stored[0] == "glyphs.h" and stored[1] != "glyphs.h" and "/" not in stored[1], stored
    for folder in ("a", "b"):
        (tmp_path / folder / "glyphs.h").unlink()
    _, loaded, _ = load_model(tmp_path / "m")
    assert len(from_config(loaded.data)) == len(from_config(small_experiment().data)) + 2


def test_a_save_removes_what_only_the_previous_model_there_had(tmp_path):
    (tmp_path / "g.h").write_text(ONE)
    taught = with_changes(small_experiment(), data={"extra_glyphs": (str(tmp_path / "g.h"),)})
    save_model(tmp_path / "m", build_model(taught.model), taught, files={"metrics.csv": b"epoch\n1\n"})
    assert (tmp_path / "m" / "g.h").is_file()
    (tmp_path / "m" / "notes.txt").write_text("the user's own file")
    plain = small_experiment()
    save_model(tmp_path / "m", build_model(plain.model), plain)
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["model.json", "model.safetensors", "notes.txt"]


def test_the_lock_is_taken_again_by_its_thread_and_refused_to_another(tmp_path):
    held = lock.acquire(tmp_path)
    try:
        assert lock.acquire(tmp_path) == held          # the CLI holds it; the save inside takes it again
        lock.release(held)
        assert held.read_text().strip().isdigit()
        errors = []

        def other():
            try:
                lock.acquire(tmp_path)
            except lock.FolderBusy as e:
                errors.append(str(e))
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
        assert errors and str(tmp_path) in errors[0]
        exp = small_experiment()
        with pytest.raises(ModelFileError, match="another task of this aegui"):
            t_errors = []
            thread = threading.Thread(target=lambda: t_errors.append(_save(tmp_path, exp)))
            thread.start()
            thread.join()
            raise t_errors[0]
    finally:
        lock.release(held)
    assert not held.exists()


def _save(folder, exp):
    try:
        save_model(folder, build_model(exp.model), exp)
    except ModelFileError as e:
        return e
    return None


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_model_folder_whose_files_are_not_files_never_blocks_a_save_or_a_load(tmp_path, kind):
    """What an --out folder already holds is read before a save (is it another model? which of
    its files go?) and a model's metrics.csv when it opens: a named pipe or /dev/zero there must be
    refused like any other unreadable file, never waited on or read without end."""
    from aegui.core.runs.outfolder import check_replace
    from aegui.core.train.history import read_rows
    from fuzzing import in_child, make_special
    exp = small_experiment()
    (tmp_path / "m").mkdir()
    make_special(tmp_path / "m" / "model.json", kind, 0)
    refused = in_child(lambda: check_replace(tmp_path / "m", exp.to_dict(), False), (ModelFileError,), 30)
    assert refused[0] == "ModelFileError" and "cannot read as a model" in refused[1], refused
    assert in_child(lambda: save_model(tmp_path / "m", build_model(exp.model), exp), (), 30) == ("returned", "")
    make_special(tmp_path / "metrics.csv", kind, 0)

    def no_rows():
        assert read_rows(tmp_path / "metrics.csv") == []
    assert in_child(no_rows, (), 30) == ("returned", "")
