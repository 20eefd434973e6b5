"""`aegui export MODEL FILE.ipynb` writes the .py script's model as a Jupyter notebook (nbformat
4.5, valid by nbformat's own schema) with the same .npz beside it. Executed top to bottom in a
kernel where torch and aegui cannot be imported, its evaluation cell prints `aegui eval`'s JSON
(clean, and with the noise its settings name), its latent plot cell draws a PNG, and with --train
its training cells print what `python FILE.py --train` prints. A convolutional model's notebook is
forward only and says so. Its code is the script's, function for function; it is written without
the nbformat package (the packaged app has none); a target it cannot write is refused like the
script's, with nothing written."""
import ast
import json
import sys

import pytest

from core_helpers import ROOT, run_cli, small_experiment
from tests.core.export.script_runs import eval_json, export, run_script, saved, without

nbformat = pytest.importorskip("nbformat", reason="the export extra (nbformat, nbclient, ipykernel, matplotlib)")
nbclient = pytest.importorskip("nbclient", reason="the export extra (nbformat, nbclient, ipykernel, matplotlib)")
pytest.importorskip("ipykernel", reason="the export extra (nbformat, nbclient, ipykernel, matplotlib)")
pytest.importorskip("matplotlib", reason="the export extra (nbformat, nbclient, ipykernel, matplotlib)")

# The kernel: this interpreter's ipykernel started isolated (-I: no PYTHONPATH, no user site) with
# torch and aegui made unimportable, so an import of either fails the cell that makes it.
GUARD = ("import sys; sys.modules['torch'] = None; sys.modules['aegui'] = None; "
         "from ipykernel import kernelapp; kernelapp.launch_new_instance()")
# What Jupyter's own kernel draws with: Agg renders the PNG, headless. MPLBACKEND=Agg itself would
# leave the latent cell without output (plt.show() under Agg shows nothing).
INLINE = "module://matplotlib_inline.backend_inline"
# What the notebook may import: the standard library's json, pathlib and types, numpy and matplotlib.
ALLOWED_IMPORTS = {"json", "pathlib", "types", "numpy", "matplotlib"}
# Not in the packaged app, which exports notebooks all the same.
PACKAGED_APP_LACKS = ("nbformat", "nbclient", "matplotlib", "IPython", "ipykernel")
NOISY = ("--noise", "salt_pepper", "--level", "0.2", "--repeats", "3", "--seed", "5")
CLEAN_SETTINGS = "noise=None, level=0.1, repeats=10, seed=0"
NOISY_SETTINGS = 'noise="salt_pepper", level=0.2, repeats=3, seed=5'


@pytest.fixture
def kernel(tmp_path, monkeypatch) -> str:
    """The name of the guarded kernel, whose spec (and Jupyter's and IPython's files) live in tmp_path."""
    spec = tmp_path / "jupyter" / "kernels" / "numpy-only"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-I", "-c", GUARD, "-f", "{connection_file}"],
        "display_name": "numpy and matplotlib only", "language": "python", "env": {"MPLBACKEND": INLINE}}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    return "numpy-only"


def export_notebook(capsys, model, notebook, *options) -> str:
    """`aegui export MODEL NOTEBOOK` in-process, with what the packaged app leaves out
    (installer/aegui.spec) unimportable; returns its stderr line."""
    with pytest.MonkeyPatch.context() as m:
        for name in PACKAGED_APP_LACKS:
            m.setitem(sys.modules, name, None)
        status = run_cli(["export", model, notebook, *options])
    err = capsys.readouterr().err
    assert status == 0, err
    assert notebook.is_file() and notebook.with_suffix(".npz").is_file()
    return err


def code_of(nb) -> str:
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "code")


def markdown_of(nb) -> str:
    return " ".join(" ".join(c.source.split()) for c in nb.cells if c.cell_type == "markdown")


def executed(notebook, kernel: str, settings: str = CLEAN_SETTINGS):
    """The notebook, valid by nbformat's schema, run top to bottom from its own folder (the
    evaluation cell's settings replaced by `settings`); a cell that fails fails the test."""
    nb = nbformat.read(notebook, as_version=4)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    assert {n.split(".")[0] for n in _imports(code_of(nb))} <= ALLOWED_IMPORTS
    evaluation = tagged(nb, "evaluation")
    assert CLEAN_SETTINGS in evaluation.source
    evaluation.source = evaluation.source.replace(CLEAN_SETTINGS, settings)
    nbclient.NotebookClient(nb, kernel_name=kernel, timeout=120,
                            resources={"metadata": {"path": str(notebook.parent)}}).execute()
    return nb


def _imports(code: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.add(node.module or "")
    return found


def tagged(nb, tag: str):
    (cell,) = [c for c in nb.cells if tag in c.metadata.get("tags", [])]
    return cell


def printed(cell) -> dict:
    """The one JSON line a cell printed."""
    text = "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return json.loads(lines[0])


def drew_png(cell) -> bool:
    return any("image/png" in o.get("data", {}) for o in cell.outputs)


def test_a_font3_notebook_prints_what_aegui_eval_prints_draws_its_codes_and_trains(tmp_path, capsys, kernel):
    model = saved(tmp_path, small_experiment(train={"epochs": 40}), "font3")
    notebook = tmp_path / "font3.ipynb"
    err = export_notebook(capsys, model, notebook, "--train")
    assert f"wrote {notebook}" in err and "font3.npz" in err and "jupyter nbconvert" in err
    nb = executed(notebook, kernel)
    assert printed(tagged(nb, "evaluation")) == eval_json(capsys, model)
    latent = tagged(nb, "latent-plot")
    assert drew_png(latent)
    said = markdown_of(nb)
    assert "The code has two values, drawn as they are." in said and "written as its label" in said
    # The training cells print what the script's --train prints: the same loop, seed and epochs.
    script = tmp_path / "font3-script.py"
    export(capsys, model, script, "--train")
    trained = printed(tagged(nb, "training"))
    assert trained == run_script(script, "--train")
    assert trained["trained"]["epochs"] == 40 and trained["trained"]["last_loss"] < trained["trained"]["first_loss"]
    assert drew_png(nb.cells[nb.cells.index(tagged(nb, "training")) + 1])       # its loss, epoch by epoch


def test_the_noise_set_in_the_evaluation_cell_gives_aegui_evals_noisy_numbers(tmp_path, capsys, kernel):
    """The demo denoising model, whose 8-value code is drawn by its first two principal components."""
    model = ROOT / "models" / "font3-dae"
    notebook = tmp_path / "dae.ipynb"
    export_notebook(capsys, model, notebook)
    nb = executed(notebook, kernel, NOISY_SETTINGS)
    got = printed(tagged(nb, "evaluation"))
    assert got == eval_json(capsys, model, *NOISY) and got["noise"] == "salt_pepper"
    assert "The code has 8 values: drawn are its first two principal components" in markdown_of(nb)
    assert drew_png(tagged(nb, "latent-plot"))
    assert not [c for c in nb.cells if "training" in c.metadata.get("tags", [])]


def test_a_convolutional_notebook_is_forward_only_and_says_so(tmp_path, capsys, kernel):
    """A conv VAE on the 8x8 digits with a validation split: samples from the .npz, the held-out
    ones reported apart, the codes (means) coloured by digit."""
    exp = small_experiment(data={"source": "digits", "fonts": (), "val_split": 0.2},
                           model={"kind": "vae", "arch": "conv", "layers": (64, 3, 64), "channels": (4, 8),
                                  "input_shape": (8, 8)}, train={"epochs": 2})
    model = saved(tmp_path, exp, "conv")
    notebook = tmp_path / "conv.ipynb"
    assert "forward only" in export_notebook(capsys, model, notebook)
    nb = executed(notebook, kernel)
    said = markdown_of(nb)
    assert "This notebook is forward only" in said and "a VAE's means" in said
    assert "coloured by its label (10 classes)" in said
    got = printed(tagged(nb, "evaluation"))
    assert got["forward_only"] is True and "forward only" in got["note"]
    assert without(got) == eval_json(capsys, model) and got["val_samples"] > 0
    assert drew_png(tagged(nb, "latent-plot"))
    assert "def train(" not in code_of(nb)


def _definitions(code: str) -> dict[str, str]:
    """Each top-level function and constant of `code`, by name, as written."""
    tree = ast.parse(code)
    out = {}
    for node in tree.body:
        names = [node.name] if isinstance(node, ast.FunctionDef) else \
            [t.id for t in getattr(node, "targets", []) if isinstance(t, ast.Name)]
        out.update((name, ast.get_source_segment(code, node)) for name in names)
    return out


@pytest.mark.parametrize("model, options", [("font3-ae2d", ("--train",)), ("general-5x7-local", ())])
def test_the_notebooks_code_is_the_scripts(tmp_path, capsys, model, options):
    """Every function and constant of the script but its command line and its .npz's place is in
    the notebook as written there: the two formats are made from the same parts."""
    script, notebook = tmp_path / "model.py", tmp_path / "model.ipynb"
    export(capsys, ROOT / "models" / model, script, *options)
    export_notebook(capsys, ROOT / "models" / model, notebook, *options)
    ours = _definitions(script.read_text(encoding="utf-8"))
    theirs = _definitions(code_of(nbformat.read(notebook, as_version=4)))
    own = {"main", "noise_level", "WEIGHTS", "EXTRA"}
    assert len(ours) > 10
    assert {k: v for k, v in ours.items() if k not in own} == {k: theirs.get(k) for k in ours if k not in own}
    assert theirs["WEIGHTS"].startswith("WEIGHTS = Path('model.npz')")


def test_a_target_the_notebook_cannot_have_is_refused_with_nothing_written(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "font3.npz").mkdir()
    assert run_cli(["export", ROOT / "models" / "font3-ae2d", out / "font3.ipynb"]) == 2
    err = capsys.readouterr().err.strip()
    assert f"{out / 'font3.npz'}:" in err and "in the way" in err and "font3.ipynb" in err, err
    assert run_cli(["export", ROOT / "models" / "general-5x7-local", out / "local.ipynb", "--train"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "forward only" in err and "without --train" in err, err
    assert sorted(p.name for p in out.iterdir()) == ["font3.npz"]
