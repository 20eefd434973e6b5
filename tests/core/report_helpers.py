"""A finished tiny report to damage: one compare experiment of two glyph models (a plain and a
denoising autoencoder, 5 epochs each), whose latent figure has one row per model. Made once
and copied per test, so each damage starts from a whole report folder."""
import json
import shutil
from pathlib import Path

BASE = {"name": "tiny", "data": {"fonts": ["Font3"]},
        "model": {"kind": "ae", "layers": [35, 8, 2, 8, 35], "init": "xavier"},
        "train": {"loss": "bce", "optimizer": "adam", "learning_rate": 0.02, "epochs": 5, "seed": 0,
                  "device": "cpu", "check_every": 5}}
MODELS = ["plain", "denoising"]
NAME = "999-glyphs"


def write_report(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "glyphs.json").write_text(json.dumps({
        "analysis": "compare", "name": "tiny compare", "base": BASE, "test": "none",
        "runs": [{"label": "plain", "changes": {}},
                 {"label": "denoising", "changes": {"model": {"kind": "dae"}, "noise": {"level": 0.1}}}]}))
    path = folder / "999.json"
    path.write_text(json.dumps({"document": "999_test.txt", "id": "999", "title": "A test document", "about": "Tiny.",
                                "experiments": [{"id": "glyphs", "title": "Glyph models", "preset": "glyphs.json",
                                                 "document": "The doc's glyph figure.",
                                                 "figures": ["curves", "latent"]}]}))
    return path


def finished_report(folder: Path) -> tuple[Path, Path]:
    """(report JSON, output folder) of the tiny report run to the end."""
    from aegui.core.analyses.report import run as R
    path = write_report(folder)
    out = folder / "out"
    last = list(R.ReportJob(R.load_report(path), out).steps())[-1]
    assert last.state == "finished" and (out / NAME / "done.json").is_file()
    return path, out


def copy_report(pristine: tuple[Path, Path], to: Path) -> tuple[Path, Path]:
    """A copy of a finished report (its JSON, preset and output folder) to damage."""
    path, out = pristine
    shutil.copytree(path.parent, to, dirs_exist_ok=True)
    return to / path.name, to / out.relative_to(path.parent)


def edit_json(path: Path, edit) -> None:
    raw = json.loads(path.read_text())
    raw = edit(raw) if callable(edit) else edit
    path.write_text(json.dumps(raw))


def models_drawn(out: Path) -> list[str]:
    """The models the finished experiment measured (one row each in its model figures)."""
    return list(json.loads((out / NAME / "done.json").read_text())["measured"]["models"])
