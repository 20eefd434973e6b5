"""The numerics revisions: one integer per component of aegui that computes a report row's
numbers, written beside its code as a module-level `NUMERICS = 1` (or `<WHAT>_NUMERICS = 1` where
one module holds several components), and bumped by whoever changes the numbers it computes.

A report row's key (keys.py) covers the revisions of the components its preset uses (uses.py),
not their source: a comment, a docstring, a message or a version bump leaves every row current,
and a bumped revision makes stale exactly the rows that use that component.
tests/core/analyses/test_numerics_fingerprints.py holds the revisions to the numbers: short
seeded runs of every component, whose numbers may not move without a bump (docs/numerics.md).

COMPONENTS is the one table of them: a component's name (kept in done.json), the words the page
says of it ("made before numerics revision 3 of the dense numpy loop"), where its revision lives
("path" for the module's NUMERICS, "path:NAME" for another name), and whether it decides the
runs a row trains (`runs`) or only what the report measures and concludes from them. Adding one
is one line here and one constant in its module.

The revisions are read from the files with `ast` (nothing is imported, so `aegui report --list`
stays quick and torch-free) and cached while a file's size and modification time stay the same.
Where the sources are not on disk (the desktop bundle keeps only bytecode), the module is imported
and its constant read.
"""
from __future__ import annotations

import ast
import importlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Component:
    """One part of the code whose numbers a report row depends on, and where its numerics revision is written.
    """
    name: str
    label: str
    where: str              # "aegui/core/train/backends/dense.py" (its NUMERICS) or "...:ADAM_NUMERICS"
    runs: bool = True       # decides the trained runs' numbers (False: only the report's figures and verdicts)

    @property
    def path(self) -> str:
        """The source file that holds the revision."""
        return self.where.partition(":")[0]

    @property
    def constant(self) -> str:
        """The name of the revision's constant in that file (NUMERICS unless named)."""
        return self.where.partition(":")[2] or "NUMERICS"


_T, _M, _D, _A = "aegui/core/train/", "aegui/core/models/", "aegui/core/data/", "aegui/core/analyses/"
_SOURCES = _D + "sources/"
_B = _T + "backends/"
_V = _A + "report/verdicts/"

COMPONENTS: tuple[Component, ...] = (
    # the training loop's backends; the session covers the loop and its observers (train/loop/),
    # evaluation.py, image_quality.py and history.py
    Component("loop.eager", "the eager torch loop", _B + "eager.py"),
    Component("loop.captured", "the captured (CUDA-graph) loop", _B + "capture.py"),
    Component("loop.scipy", "the scipy loop", _B + "scipy_opt.py"),
    Component("loop.dense", "the dense numpy loop", _B + "dense.py"),
    Component("session", "the training session (checks, best model, blow-up guard, early stopping)",
              _T + "session.py"),
    # optimizers
    Component("optimizer.adam", "torch Adam (Adam, AdamW, the classifier head's Adam)", _T + "optim.py:ADAM_NUMERICS"),
    Component("optimizer.sgd", "SGD, momentum and RMSprop", _T + "optim.py:SGD_NUMERICS"),
    Component("optimizer.schedule", "the learning-rate schedules and gradient clipping", _T + "optim.py"),
    Component("optimizer.dense-adam", "the dense loop's numpy Adam", _B + "dense.py:ADAM_NUMERICS"),
    # objectives (one per model kind) and their loss functions
    Component("objective.ae", "the autoencoder's objective", _M + "objectives.py:AE_NUMERICS"),
    Component("objective.dae", "the denoising autoencoder's objective", _M + "objectives.py:DAE_NUMERICS"),
    Component("objective.vae", "the VAE's objective", _M + "objectives.py:VAE_NUMERICS"),
    Component("objective.sparse", "the sparse autoencoder's objective", _M + "objectives.py:SPARSE_NUMERICS"),
    Component("objective.contractive", "the contractive autoencoder's objective",
              _M + "objectives.py:CONTRACTIVE_NUMERICS"),
    Component("losses", "the loss functions", _M + "losses.py"),
    # layers, initialisation and architectures; layers covers network.py and latent.py
    Component("layers", "the layers and activations", _M + "layers.py"),
    Component("init", "the weight initialisation", _M + "layers.py:INIT_NUMERICS"),
    Component("arch.mlp", "the MLP network", _M + "mlp_net.py"),
    Component("arch.conv", "the convolutional network", _M + "conv_net.py"),
    Component("arch.convlayers", "the layer-list convolutional network", _M + "convlayers_net.py"),
    Component("arch.local", "the locally connected network", _M + "local_net.py"),
    # the data sources come from their folder (_data_sources below); the split, noise and augmentation
    Component("data.catalogue", "the catalogue datasets", _D + "catalogue.py"),
    Component("data.split", "the validation split and sample choice", _D + "datasets.py"),
    Component("noise", "the input noise", _D + "noise.py"),
    Component("augment", "the glyph augmentation", _D + "augment.py"),
    Component("settings", "the experiment settings' defaults", "aegui/core/schema/experiment.py"),
    # the analyses a row runs
    Component("analysis.sweep", "the sweep", _A + "sweeps/sweep.py"),
    Component("analysis.compare", "the comparison runs", _A + "compare/runs.py"),
    Component("analysis.probe", "the classifier heads", _A + "classify/probe.py"),
    Component("analysis.classifier", "the stacked classifier", _A + "classify/classifier.py"),
    Component("analysis.denoise", "the denoising curve", _A + "denoise/curve.py"),
    Component("stacking", "the rule for which runs train side by side on the CPU", _T + "stacking.py"),
    Component("analysis.embedding", "the 2-D embeddings (PCA, t-SNE)", _A + "embedding.py", runs=False),
    # the report's own measuring and checking; render covers the modules of report/figures/
    Component("report.render", "the report's figures and measurements", _A + "report/render.py", runs=False),
    Component("report.claims", "the report's verdict rules", _V + "claims.py", runs=False),
    Component("report.checks-glyphs", "the glyph documents' checks", _V + "checks_glyphs.py", runs=False),
    Component("report.checks-mnist", "the MNIST documents' checks", _V + "checks_mnist.py", runs=False),
    Component("report.checks-vae", "the emoji VAE's checks", _V + "checks_vae.py", runs=False),
)



def _data_sources() -> tuple[Component, ...]:
    """One component a data source: each module of aegui/core/data/sources/ (a source is its module
    and one registration; its NUMERICS sits there), listed from the folder without importing it,
    or from the registry where the sources are not on disk."""
    folder = Path(__file__).resolve().parents[4] / _SOURCES
    names = sorted(p.stem for p in folder.glob("*.py") if p.stem not in ("__init__", "base"))
    if not names:
        from aegui.core.data.sources import SOURCES
        names = sorted(SOURCES)
    return tuple(Component(f"data.{n}", f"the {n} data source", f"{_SOURCES}{n}.py") for n in names)


COMPONENTS += _data_sources()
BY_NAME: dict[str, Component] = {c.name: c for c in COMPONENTS}

_cache: dict = {}


class RevisionMissing(LookupError):
    """A component's file has no module-level integer where the table says its revision is."""


def _module_constants(path: Path) -> dict[str, object]:
    """A Python file's module-level revisions, read without importing it: every `NAME = <int>`, and
    every `NAME = {<literal>: <literal>, ...}` (annotated or not: a check's own revisions)."""
    st = path.stat()
    stamp = (str(path), st.st_size, st.st_mtime_ns)
    if stamp not in _cache:
        found = {}
        for node in ast.parse(path.read_bytes(), str(path)).body:
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            value = getattr(node, "value", None)
            if isinstance(node, ast.Assign) and isinstance(value, ast.Constant) and type(value.value) is int:
                found.update((t.id, value.value) for t in targets if isinstance(t, ast.Name))
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(value, ast.Dict):
                try:
                    literal = ast.literal_eval(value)
                except (ValueError, TypeError):     # a table of functions (the checks), not of literals
                    continue
                found.update((t.id, literal) for t in targets if isinstance(t, ast.Name))
        _cache[stamp] = found
    return _cache[stamp]


def revision(name: str, root: Path) -> int:
    """The revision of component `name` in the source tree under `root` (the folder holding the
    `aegui` package)."""
    c = BY_NAME[name]
    path = Path(root) / c.path
    try:
        if not path.is_file():
            value = getattr(imported(c.path), c.constant)
            if type(value) is int:
                return value
            raise KeyError(c.constant)
        value = _module_constants(path)[c.constant]
        if type(value) is not int:
            raise KeyError(c.constant)
        return value
    except (OSError, KeyError, SyntaxError, ImportError, AttributeError):
        raise RevisionMissing(f"{path}: has no module-level `{c.constant} = <integer>`, the numerics revision of "
                              f"{c.label}; add it (docs/numerics.md)") from None


def imported(path: str):
    """The module of a source path ("aegui/core/train/backends/dense.py"), imported: for a tree whose
    sources are not on disk."""
    return importlib.import_module(path[:-len(".py")].replace("/", "."))


def revisions(names, root: Path) -> dict[str, int]:
    """{component: its numerics revision} for the named components, read from the tree at `root`."""
    return {n: revision(n, root) for n in sorted(names)}


# A checks module's revisions of single checks: `CHECK_NUMERICS = {"000-loss": 1}` beside its
# NUMERICS. A change to one check bumps (or adds) its entry, which makes stale the rows that use that
# check only; a change to what all of the module's checks share bumps NUMERICS. A check with no
# entry adds nothing to its rows' keys.
CHECK_REVISIONS = "CHECK_NUMERICS"


def check_revisions(component: str, check: str, root: Path) -> dict[str, int]:
    """{"component:check": revision} where checks module `component` gives `check` a revision of its
    own in its CHECK_NUMERICS, else {}."""
    c = BY_NAME[component]
    path = Path(root) / c.path
    if path.is_file():
        table = _module_constants(path).get(CHECK_REVISIONS, {})
    else:
        table = getattr(imported(c.path), CHECK_REVISIONS, {})
    if check not in table:
        return {}
    if type(table[check]) is not int:
        raise RevisionMissing(f"{path}: {CHECK_REVISIONS}[{check!r}] must be an integer, the numerics revision of "
                              f"that check alone (docs/numerics.md)")
    return {f"{component}:{check}": table[check]}


def label(name: str) -> str:
    """The words the page says of a component, or of one check of a checks module ("comp:check")."""
    component, _, check = name.partition(":")
    if component not in BY_NAME:
        return name
    return BY_NAME[component].label + (f" ({check})" if check else "")
