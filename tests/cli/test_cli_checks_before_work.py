"""`aegui train` / `teach` / `eval` check what can be checked before any work: a seed past the
range the config gives, a label the glyph file cannot hold, the same array named twice, an --out
that names a file, and --repeats whose noisy copies cannot fit in memory. Each ends with one
sentence and exit status 2, nothing trained and nothing written."""
import json

import pytest

from core_helpers import ROOT, run_cli, small_experiment

DAE = ROOT / "models" / "general-5x7-dae"
ROW = "{0x04, 0x0e, 0x15, 0x04, 0x04, 0x04, 0x04}"
HUGE_SEED = str(2 ** 64)


def font_h(path, label, name="LCD"):
    path.write_text(f"int const {name}[1][7] = {{\n   {ROW}   // 0x80, {label}\n}};\n", encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def no_training(monkeypatch):
    """Any training started counts as a failure: every refusal here comes before it."""
    from aegui.core.train import session

    def refuse(*args, **kw):
        raise AssertionError("training started before the input was checked")
    monkeypatch.setattr(session.TrainingSession, "steps", refuse)


def refused(capsys, argv, *words):
    rc = run_cli(argv)
    err = capsys.readouterr().err
    assert rc == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    for w in words:
        assert w in err, err
    return err


@pytest.mark.parametrize("label, words", [
    ("a*/\\", "cannot contain '*/'"),
    ("a\x00b", "printable"),
    ("a\u200fb", "printable"),          # a right-to-left mark
])
def test_teach_refuses_a_label_the_glyph_file_cannot_hold(tmp_path, capsys, label, words):
    glyphs = font_h(tmp_path / "new.h", label)
    refused(capsys, ["teach", DAE, glyphs, "--out", tmp_path / "o"], "new.h", "label", words)
    assert not (tmp_path / "o").exists()


def test_window_and_teach_share_the_label_rule():
    """The label dialog (data/library.clean_label) refuses what teaching refuses."""
    from aegui.core.data.glyphs import label_problem
    from aegui.core.data.library import clean_label
    for label in ("a*/\\", "a\x00b", "a\u200fb"):
        assert label_problem(label)
        with pytest.raises(ValueError, match=label_problem(label).replace("*", r"\*")):
            clean_label(label)
    assert label_problem("arrow up") is None and clean_label(" arrow ") == "arrow"


def test_teach_refuses_one_array_named_twice(tmp_path, capsys):
    glyphs = font_h(tmp_path / "new.h", "arrow")
    refused(capsys, ["teach", DAE, glyphs, "--font", "LCD,lcd", "--out", tmp_path / "o"],
            "'LCD' and 'lcd' name the same array")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("name", ["x.json", "x.safetensors", "a-file"])
def test_teach_out_must_be_a_folder(tmp_path, capsys, name):
    glyphs = font_h(tmp_path / "new.h", "arrow")
    if name == "a-file":
        (tmp_path / name).write_text("mine")
    refused(capsys, ["teach", DAE, glyphs, "--out", tmp_path / name], f"--out {tmp_path / name}", "folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({"new.h", name} - {"x.json", "x.safetensors"})
    if name == "a-file":
        assert (tmp_path / name).read_text() == "mine"


def test_teach_refuses_more_noisy_copies_than_memory_holds(tmp_path, capsys):
    glyphs = font_h(tmp_path / "new.h", "arrow")
    refused(capsys, ["teach", DAE, glyphs, "--out", tmp_path / "o", "--repeats", "100000000"],
            "--repeats", "available")
    assert not (tmp_path / "o").exists()


def test_eval_refuses_more_noisy_copies_than_memory_holds(capsys):
    refused(capsys, ["eval", DAE, "--noise", "bit_flip", "--repeats", "100000000"], "--repeats", "available")


@pytest.mark.parametrize("command", ["train", "teach"])
def test_seed_past_the_range_is_refused(tmp_path, capsys, command):
    if command == "train":
        cfg = tmp_path / "cfg.json"
        cfg.write_text(small_experiment().to_json())
        argv = ["train", cfg]
    else:
        argv = ["teach", DAE, font_h(tmp_path / "new.h", "arrow")]
    refused(capsys, [*argv, "--out", tmp_path / "o", "--seed", HUGE_SEED], "--seed", "0 to 2147483647")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("key", ["seed", "split_seed"])
def test_config_seed_past_the_range_names_the_field(tmp_path, capsys, key):
    raw = json.loads(small_experiment().to_json())
    raw["train" if key == "seed" else "data"][key] = 2 ** 64
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps(raw))
    refused(capsys, ["train", cfg, "--out", tmp_path / "o"], "cfg.json", key, "0 to 2147483647")
    assert not (tmp_path / "o").exists()
