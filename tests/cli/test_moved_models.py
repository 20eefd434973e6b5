"""A model folder is self-contained: the files its model.json names (a taught model's glyph
files, the glyphs of every earlier teaching in a chain) are stored beside it and named relative
to it, so copying or moving the folder keeps the model working."""
import json
import shutil

from aegui.core.runs.storage import load_model, model_paths
from aegui.core.runs.trained import open_trained

from core_helpers import ROOT, last_json, run_cli

DAE = ROOT / "models" / "general-5x7-dae"
LCD = ROOT / "resources" / "lcd-glyphs.h"
TWO = """int const Two[2][7] = {
   {0x1f, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1f},   // 0x80, box
   {0x15, 0x0a, 0x15, 0x0a, 0x15, 0x0a, 0x15}    // 0x81, checker
};
"""


def _teach(base, glyphs, out, *more):
    assert run_cli(["teach", base, glyphs, "--out", out, "--epochs", "3", "--repeats", "1",
                    "--quiet", *more]) == 0


def test_a_chain_of_taught_models_moved_and_the_originals_deleted(tmp_path, capsys):
    """Teach, teach the result again, move both folders elsewhere (the originals are gone): eval
    and the window's loader still find every taught glyph, from the model folder alone."""
    two = tmp_path / "two.h"
    two.write_text(TWO)
    first, second = tmp_path / "work" / "first", tmp_path / "work" / "second"
    _teach(DAE, LCD, first, "--font", "LCD")
    _teach(first, two, second)
    capsys.readouterr()
    stored = json.loads(model_paths(second)[1].read_text())["experiment"]["data"]["extra_glyphs"]
    assert all(not p.startswith("/") and "/" not in p for p in stored), stored
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    shutil.move(str(first), str(moved / "first"))
    shutil.move(str(second), str(moved / "second"))
    shutil.rmtree(tmp_path / "work")
    two.unlink()

    for folder, glyphs in ((moved / "first", 96 + 20), (moved / "second", 96 + 20 + 2)):
        assert run_cli(["eval", folder]) == 0, capsys.readouterr().err
        assert last_json(capsys.readouterr().out)["glyphs"] == glyphs
        trained = open_trained(folder, view=False)
        assert len(trained.dataset) == glyphs
        assert all(str(moved) in p for p in trained.experiment.data.extra_glyphs)


def test_an_old_model_with_absolute_paths_finds_its_glyphs_beside_it(tmp_path, capsys):
    """A model saved before paths were relative names its glyph file by absolute path: it still
    loads from there, and once moved, the file of that name beside the model is used."""
    first = tmp_path / "first"
    _teach(DAE, LCD, first, "--font", "LCD")
    meta_path = model_paths(first)[1]
    meta = json.loads(meta_path.read_text())
    [name] = meta["experiment"]["data"]["extra_glyphs"]
    meta["experiment"]["data"]["extra_glyphs"] = [str((first / name).resolve())]
    meta_path.write_text(json.dumps(meta))
    _, exp, _ = load_model(first)
    assert exp.data.extra_glyphs == (str((first / name).resolve()),)

    shutil.move(str(first), str(tmp_path / "moved"))
    _, exp, _ = load_model(tmp_path / "moved")
    assert exp.data.extra_glyphs == (str((tmp_path / "moved" / name).resolve()),)
    capsys.readouterr()
    assert run_cli(["eval", tmp_path / "moved"]) == 0, capsys.readouterr().err
