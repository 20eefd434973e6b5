"""`aegui export` refuses a target it cannot write, in one sentence on stderr that names the path
and what to do, with exit status 2 and nothing written: a folder, a name that does not end in
.py, a place inside a file, a .npz name taken by a folder, a place that may not be written (read-only: the writer fails
at the weights, after the script was staged), and a model that does not exist. A failed export
over an earlier one leaves that one whole."""
import errno
from pathlib import Path

import pytest

from aegui.core.files import atomic, fileset
from core_helpers import ROOT, run_cli

MODEL = ROOT / "models" / "font3-ae2d"


def _refused(capsys, *argv) -> str:
    assert run_cli(["export", *argv]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith("aegui: error: "), err
    return err


def _left(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*"))


def test_a_folder_an_unknown_suffix_and_a_taken_npz_name_are_refused(tmp_path, capsys):
    folder = tmp_path / "exports"
    folder.mkdir()
    err = _refused(capsys, MODEL, folder)
    assert f"{folder}: is a folder" in err and str(folder / "model.py") in err
    err = _refused(capsys, MODEL, folder / "font3.txt")
    assert f"{folder / 'font3.txt'}:" in err and "'.txt' is not a format aegui exports" in err and "font3.py" in err
    (folder / "notes.txt").write_text("a file")
    err = _refused(capsys, MODEL, folder / "notes.txt" / "font3.py")
    assert f"{folder / 'notes.txt'}: is a file, not a folder" in err
    (folder / "font3.npz").mkdir()
    err = _refused(capsys, MODEL, folder / "font3.py")
    assert f"{folder / 'font3.npz'}:" in err and "in the way" in err
    assert _left(folder) == ["font3.npz", "notes.txt"]


def test_a_model_that_does_not_exist_is_named(tmp_path, capsys):
    err = _refused(capsys, tmp_path / "no-such-model", tmp_path / "out.py")
    assert str(tmp_path / "no-such-model") in err and "file not found" in err
    assert _left(tmp_path) == []


def _read_only_at(monkeypatch, name: str, error: int):
    """Writing a file called `name` fails with `error`, as in a read-only folder."""
    real = atomic.atomic_write_bytes

    def writer(path, data):
        if Path(path).name == name:
            raise OSError(error, "Read-only file system" if error == errno.EROFS else "Permission denied")
        return real(path, data)
    monkeypatch.setattr(atomic, "atomic_write_bytes", writer)
    monkeypatch.setattr(fileset, "atomic_write_bytes", writer)


@pytest.mark.parametrize("error, said", [(errno.EROFS, "read-only"), (errno.EACCES, "permission denied")])
def test_a_place_that_cannot_be_written_leaves_nothing_and_keeps_an_earlier_export(tmp_path, capsys, monkeypatch,
                                                                                 error, said):
    script = tmp_path / "font3.py"
    _read_only_at(monkeypatch, "font3.npz", error)
    err = _refused(capsys, MODEL, script)
    assert f"{script}:" in err and said in err and "nothing was written" in err, err
    assert _left(tmp_path) == []                # the staged script is gone too
    monkeypatch.undo()
    assert run_cli(["export", MODEL, script]) == 0
    capsys.readouterr()
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    _read_only_at(monkeypatch, "font3.npz", error)
    _refused(capsys, MODEL, script)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
