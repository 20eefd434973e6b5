"""`aegui train` / `aegui teach` --out: one writer per folder (a lock file with its pid), and a
folder holding another model is not replaced unless --force says so.

The rule checked here: the same experiment saved again into its folder (trained again, for more
epochs or another seed) is fine; a model of another experiment there is refused with a
sentence, and with --force replaced with the old model's files removed."""
import json
import subprocess
import sys

import pytest

from aegui.core.files.lock import lock_path
from aegui.core.runs.storage import load_model

from core_helpers import ROOT, last_json, run_cli, small_experiment

DAE = ROOT / "models" / "general-5x7-dae"
LCD = ROOT / "resources" / "lcd-glyphs.h"

HOLD = """
import sys
from aegui.core.files.lock import acquire
acquire(sys.argv[1])
print("held", flush=True)
sys.stdin.read()
"""


def _config(path, **sections):
    path.write_text(small_experiment(train={"epochs": 5}, **sections).to_json())
    return path


@pytest.fixture
def trained(tmp_path, capsys):
    """A folder holding a model trained from cfg.json."""
    cfg = _config(tmp_path / "cfg.json")
    out = tmp_path / "out"
    assert run_cli(["train", cfg, "--out", out, "--quiet"]) == 0
    capsys.readouterr()
    return cfg, out


def _one_sentence(err: str) -> str:
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err


def test_a_second_writer_is_refused_while_the_first_holds_the_folder(trained, capsys):
    """Another process saving into the folder (it holds the lock): a train into it ends at once
    with a sentence naming that process, and the model there is left as it was."""
    cfg, out = trained
    before = (out / "model.safetensors").read_bytes()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert run_cli(["train", cfg, "--out", out, "--quiet", "--seed", "7"]) == 2
        err = _one_sentence(capsys.readouterr().err)
        assert f"process {holder.pid}" in err and str(out) in err and "saving" in err
        assert (out / "model.safetensors").read_bytes() == before
    finally:
        holder.communicate("", timeout=60)
    assert run_cli(["train", cfg, "--out", out, "--quiet", "--seed", "7"]) == 0
    assert not lock_path(out, "model").exists()


def test_a_lock_left_by_a_dead_process_is_taken_over(trained, capsys):
    cfg, out = trained
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait(timeout=60)
    lock_path(out, "model").write_text(f"{dead.pid}\n")
    assert run_cli(["train", cfg, "--out", out, "--quiet", "--seed", "3"]) == 0, capsys.readouterr().err
    assert load_model(out)[1].train.seed == 3
    assert not lock_path(out, "model").exists()


@pytest.mark.parametrize("kind, words", [("link", "symbolic link"), ("fifo", "named pipe"),
                                         ("folder", "is a folder")])
def test_a_lock_path_holding_something_else_is_refused_and_left_as_it_was(tmp_path, capsys, kind, words):
    """`.model.lock` as a link to the user's file: train used to truncate that file, write its pid
    there and delete it, exit 0. Now: one sentence naming the lock, exit 2, nothing touched."""
    import os
    cfg = _config(tmp_path / "cfg.json")
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "notes.txt"
    victim.write_text("a week of notes\n")
    at = lock_path(out, "model")
    {"link": lambda: os.symlink(victim, at), "fifo": lambda: os.mkfifo(at), "folder": at.mkdir}[kind]()
    assert run_cli(["train", cfg, "--out", out, "--quiet"]) == 2
    err = _one_sentence(capsys.readouterr().err)
    assert err.startswith(f"aegui: error: {at}: ") and words in err and "remove it" in err, err
    assert victim.read_text() == "a week of notes\n"
    assert at.is_symlink() if kind == "link" else at.exists()
    assert sorted(p.name for p in out.iterdir()) == [".model.lock"]


def test_the_same_experiment_trained_again_replaces_its_model(trained, capsys):
    cfg, out = trained
    assert run_cli(["train", cfg, "--out", out, "--quiet", "--epochs", "7", "--seed", "2"]) == 0
    assert last_json(capsys.readouterr().out)["epochs"] == 7
    assert load_model(out)[2]["metrics"]["epochs"] == 7


def test_another_model_in_out_is_refused_unless_forced(trained, tmp_path, capsys):
    cfg, out = trained
    other = _config(tmp_path / "other.json", model={"layers": (35, 12, 2, 12, 35)})
    before = (out / "model.json").read_text()
    assert run_cli(["train", other, "--out", out, "--quiet"]) == 2
    err = _one_sentence(capsys.readouterr().err)
    assert str(out) in err and "another model" in err and "--force" in err
    assert (out / "model.json").read_text() == before
    assert run_cli(["train", other, "--out", out, "--quiet", "--force"]) == 0
    assert load_model(out)[1].model.layers == (35, 12, 2, 12, 35)


def test_teach_into_another_model_and_force_removes_the_old_models_files(trained, tmp_path, capsys):
    """teach --out a trained model's folder is refused; a taught model replaced (--force) by a
    trained one leaves no taught-*.h behind."""
    cfg, out = trained
    args = ["teach", DAE, LCD, "--font", "LCD", "--epochs", "2", "--repeats", "1", "--quiet"]
    assert run_cli([*args, "--out", out]) == 2
    assert "another model" in _one_sentence(capsys.readouterr().err)
    assert run_cli([*args, "--out", out, "--force"]) == 0
    assert [p.name for p in out.glob("taught-*.h")]
    # Teaching the same glyphs again is the same model: no --force needed.
    assert run_cli([*args, "--out", out, "--seed", "4"]) == 0
    assert run_cli(["train", cfg, "--out", out, "--quiet"]) == 2
    capsys.readouterr()
    assert run_cli(["train", cfg, "--out", out, "--quiet", "--force"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["metrics.csv", "model.json", "model.safetensors"]


def test_damaged_model_json_in_out_is_refused_unless_forced(tmp_path, capsys):
    cfg = _config(tmp_path / "cfg.json")
    out = tmp_path / "out"
    out.mkdir()
    (out / "model.json").write_text("{not json")
    assert run_cli(["train", cfg, "--out", out, "--quiet"]) == 2
    assert "model.json" in _one_sentence(capsys.readouterr().err)
    assert run_cli(["train", cfg, "--out", out, "--quiet", "--force"]) == 0
    assert json.loads((out / "model.json").read_text())["format"] == "aegui-model"


def test_eval_of_a_model_with_nan_weights_says_which_tensor(trained, capsys):
    """eval exits 2 naming the tensor instead of printing every pixel wrong with exit 0."""
    import hashlib
    from safetensors.torch import load, save
    _, out = trained
    tensors = load((out / "model.safetensors").read_bytes())
    name = sorted(tensors)[-1]
    tensors[name] = tensors[name] * float("nan")
    blob = save(tensors)
    (out / "model.safetensors").write_bytes(blob)
    meta = json.loads((out / "model.json").read_text())
    meta["weights_sha256"] = hashlib.sha256(blob).hexdigest()
    (out / "model.json").write_text(json.dumps(meta))
    assert run_cli(["eval", out]) == 2
    assert repr(name) in _one_sentence(capsys.readouterr().err)


def test_out_that_is_a_file_is_refused_before_training(tmp_path, capsys):
    cfg = _config(tmp_path / "cfg.json")
    (tmp_path / "afile").write_text("mine")
    assert run_cli(["train", cfg, "--out", tmp_path / "afile", "--quiet"]) == 2
    assert "is a file; --out names a folder" in _one_sentence(capsys.readouterr().err)
    assert (tmp_path / "afile").read_text() == "mine"
