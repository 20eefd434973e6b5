"""Deleting a model never unlinks a file: its files move to the trash folder of the user's data
($AEGUI_HOME/trash/<name>-<time>/), where they still open as a model, and they can be moved back.
Renaming rewrites the sidecar's name in one atomic write, leaving the weights and their hash alone."""
import json

import pytest
import torch

from aegui.core.config.validation import with_changes
from aegui.core.data import glyphs as G
from aegui.core.runs import trash
from aegui.core.files.paths import course_font_path
from aegui.core.runs.storage import load_model, model_paths, rename_model
from aegui.core.runs.trained import TrainedModel, open_trained


@pytest.fixture
def home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("AEGUI_HOME", str(home))
    return home


def weights(model) -> dict:
    return {k: v.clone() for k, v in model.named_weights(0).items()}


def save(trained, font3, path, name="my font3"):
    model, exp, _ = trained
    exp = with_changes(exp, name=name)
    TrainedModel(name, model, exp, font3).save(path)
    return path


def test_a_deleted_model_folder_moves_whole_to_the_trash_and_opens_there(home, trained, font3):
    folder = save(trained, font3, home / "autosave" / "20250101-120000")
    (folder / "metrics.csv").write_text("epoch,loss\n1,0.5\n")
    before = sorted(p.name for p in folder.iterdir())

    moved = trash.move_to_trash(folder, "my font3 #2 / run")

    assert not folder.exists()
    assert moved.folder.parent == home / "trash"
    assert moved.folder.name.startswith("my-font3-2-run-")
    assert sorted(p.name for p in moved.folder.iterdir()) == sorted(before + [trash.RECORD])
    record = json.loads((moved.folder / trash.RECORD).read_text())
    assert record["from"] == str(folder) and record["name"] == "my font3 #2 / run"
    reopened = open_trained(moved.opens)
    assert reopened.name == "my font3"
    for k, v in weights(trained[0]).items():
        torch.testing.assert_close(reopened.model.named_weights(0)[k], v)

    back = trash.restore(moved)
    assert back == folder and sorted(p.name for p in folder.iterdir()) == before
    assert not moved.folder.exists()
    assert open_trained(folder).name == "my font3"


def test_a_model_saved_as_a_pair_moves_only_its_own_files(home, trained, font3, tmp_path):
    user = tmp_path / "my models"
    user.mkdir()
    save(trained, font3, user / "alpha.json")
    (user / "alpha.metrics.csv").write_text("epoch,loss\n1,0.5\n")
    save(trained, font3, user / "beta.json", name="beta")
    (user / "notes.txt").write_text("mine")

    moved = trash.move_to_trash(user / "alpha.json", "alpha")

    assert sorted(p.name for p in user.iterdir()) == ["beta.json", "beta.safetensors", "notes.txt"]
    assert sorted(p.name for p in moved.folder.iterdir()) == sorted(
        ["alpha.json", "alpha.safetensors", "alpha.metrics.csv", trash.RECORD])
    assert moved.opens == moved.folder / "alpha.json"
    assert open_trained(moved.opens).name == "my font3"
    trash.restore(moved)
    assert (user / "alpha.json").exists() and (user / "alpha.metrics.csv").exists()


def test_the_trash_copy_of_a_taught_model_finds_the_glyphs_saved_with_it(home, trained, font3):
    """A taught model's experiment names the glyph file in its own folder: the trash copy names
    the moved file, so it opens (and the restored one names the original again)."""
    folder = home / "autosave" / "20250101-120000-taught"
    folder.mkdir(parents=True)
    glyph_file = folder / "taught-0000.h"
    font = G.read_font_h(course_font_path())[0]
    glyph_file.write_text(G.write_font_h([G.Font("Taught", font.glyphs[:1])]))
    model, exp, _ = trained
    exp = with_changes(exp, data={"extra_glyphs": (str(glyph_file),)}, name="taught")
    TrainedModel("taught", model, exp, font3).save(folder)

    moved = trash.move_to_trash(folder, "taught")

    reopened = open_trained(moved.opens)
    assert reopened.experiment.data.extra_glyphs == (str(moved.folder / "taught-0000.h"),)
    assert len(reopened.dataset) == len(font3) + 1
    trash.restore(moved)
    assert open_trained(folder).experiment.data.extra_glyphs == (str(glyph_file),)


def test_a_second_delete_of_the_same_name_gets_its_own_folder(home, trained, font3):
    a = trash.move_to_trash(save(trained, font3, home / "a"), "same")
    b = trash.move_to_trash(save(trained, font3, home / "b"), "same")
    assert a.folder != b.folder and a.folder.exists() and b.folder.exists()


def test_a_name_with_accents_keeps_its_letters_in_the_trash_folder(home, trained, font3):
    """"ñandú 2" made trash/and-2-...: the folder name dropped every letter that is not ASCII."""
    moved = trash.move_to_trash(save(trained, font3, home / "n", name="ñandú 2"), "ñandú 2")
    assert moved.folder.name.startswith("nandu-2-"), moved.folder.name
    assert json.loads((moved.folder / trash.RECORD).read_text())["name"] == "ñandú 2"
    assert open_trained(moved.opens).name == "ñandú 2"


@pytest.mark.parametrize("name, folder", [
    ("ñandú 2", "nandu-2"), ("Ñoño ÜBER", "Nono-UBER"), ("Straße", "Straße"), ("日本語 モデル", "日本語-モデル"),
    ("Ωmega", "Ωmega"), ("ﬁ²", "fi2"), ('a<b>c:d"e/f\\g|h?i*j', "a-b-c-d-e-f-g-h-i-j"), ("tab\there\n", "tab-here"),
    ("con", "_con"), ("NUL.json", "_NUL.json"), ("com1", "_com1"), ("...", "model"), ("😀", "model"), ("", "model"),
    ("  trailing dots..", "trailing-dots"), ("x" * 100, "x" * 60),
])
def test_a_name_becomes_a_folder_name_every_system_takes(name, folder):
    """Windows refuses < > : " / \\ | ? * and names such as CON or NUL.json, and drops a trailing
    dot; macOS stores names decomposed: accented letters become plain ones, other scripts stay."""
    from aegui.core.files.paths import safe_name
    assert safe_name(name, "model") == folder


def test_restoring_never_overwrites_a_file_that_came_back_meanwhile(home, trained, font3):
    folder = save(trained, font3, home / "m")
    moved = trash.move_to_trash(folder, "m")
    save(trained, font3, folder, name="a new one")
    with pytest.raises(FileExistsError, match=str(folder)):
        trash.restore(moved)
    assert open_trained(folder).name == "a new one" and moved.folder.exists()


def test_renaming_rewrites_the_sidecar_name_and_keeps_the_weights(home, trained, font3):
    folder = save(trained, font3, home / "m")
    weights_path, sidecar = model_paths(folder)
    blob = weights_path.read_bytes()
    meta = json.loads(sidecar.read_text())

    rename_model(folder, "Ana's best")

    new = json.loads(sidecar.read_text())
    assert new["experiment"]["name"] == "Ana's best"
    meta["experiment"]["name"] = "Ana's best"
    assert new == meta
    assert weights_path.read_bytes() == blob
    assert load_model(folder)[1].name == "Ana's best"
    assert sorted(p.name for p in folder.iterdir()) == ["model.json", "model.safetensors"]   # no temp left
