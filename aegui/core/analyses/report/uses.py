"""Which numerics components (numerics.py) a report row uses, read from its preset file without
importing anything: the settings its experiments can take (the base's, every run's changes,
every value a sweep or grid varies, and the defaults where the base states nothing), its
analysis, figures, options and check.

A setting that varies counts with every value it takes, so a component is included whenever
some experiment of the row may use it: over-including costs a remake when that component's
revision is bumped, leaving one out would keep a row current that is not. The training loop is
the one the CPU would run (TrainingSession.steps): the scipy loop for Powell, BFGS and CG; the
dense numpy loop for what dense.usable() accepts, judged from the settings (the work limit it
also checks is not: tests/core/analyses/test_report_uses.py runs every shipped report preset to
check that the loops it runs are among its row's components); the eager loop for the rest; the
captured loop only for a preset that asks for CUDA.
"""
from __future__ import annotations

import ast
import json
from pathlib import Path

from aegui.core.analyses.report.numerics import BY_NAME, imported

SECTIONS = {"data": "DataConfig", "model": "ModelSpec", "train": "TrainConfig", "noise": "NoiseConfig",
            "augment": "AugmentConfig"}
_NOT_SETTINGS = ("labels", "grid_labels", "description", "name")    # texts whose keys look like settings

# What the dense loop accepts (train/backends/dense.py: usable, _ACTS).
_DENSE = {("model", "kind"): {"ae"}, ("model", "arch"): {"mlp"}, ("train", "optimizer"): {"adam"},
          ("train", "loss"): {"bce"}, ("model", "output_activation"): {"sigmoid"},
          ("model", "hidden_activation"): {"elu", "tanh", "relu", "identity", "sigmoid"},
          ("model", "latent_activation"): {"elu", "tanh", "relu", "identity", "sigmoid"},
          ("model", "dropout"): {0}, ("train", "weight_decay"): {0}, ("train", "batch_size"): {0},
          ("augment", "enabled"): {False}}
_GRADIENT_OPTIMIZERS = {"adam": "optimizer.adam", "adamw": "optimizer.adam", "sgd": "optimizer.sgd",
                        "momentum": "optimizer.sgd", "rmsprop": "optimizer.sgd"}
_ANALYSES = {"sweep": ("analysis.sweep",), "compare": ("analysis.compare",),
             "classifier": ("analysis.classifier", "analysis.probe", "optimizer.adam"),
             "probe": ("analysis.probe", "optimizer.adam", "noise"),
             "denoising_curve": ("analysis.denoise", "noise")}
_TINY_SAMPLES = {"font", "digits"}    # 35 and 64 values a sample
_STACKING = ("sweep", "compare")      # the analyses that train runs side by side (train/stacking.py)
CHECKS_COMPONENTS = ("report.checks-glyphs", "report.checks-mnist", "report.checks-vae")  # files: COMPONENTS' paths
ALWAYS = ("session", "settings", "data.split", "losses", "layers", "init", "report.render", "report.claims")

_cache: dict = {}


def components(exp, root: Path) -> set[str]:
    """The names of the components report experiment `exp` (run.ReportExperiment) uses, in the
    source tree under `root`."""
    from aegui.core.files.jsonfile import read_json
    preset = Path(exp.preset)
    raw = read_json(preset)
    raw = raw if isinstance(raw, dict) else {}
    base = raw.get("base")
    base_raw = read_json(preset.parent / base) if isinstance(base, str) and (preset.parent / base).is_file() else None
    values = settings(raw, base if isinstance(base, dict) else base_raw, root)
    out = set(ALWAYS)
    out |= _model(values)
    out |= _data(values)
    out |= _loops(values, raw.get("analysis", "sweep"), raw.get("test", "official"), root)
    out |= set(_ANALYSES.get(raw.get("analysis", "sweep"), tuple(n for n in BY_NAME if n.startswith("analysis."))))
    if values[("model", "kind")] & _kinds_with(root, "corrupts_inputs") or "denoise" in exp.figures \
            or "noise" in exp.options:
        out.add("noise")
    if True in values[("augment", "enabled")]:
        out.add("augment")
    if _may_stack_large(raw.get("analysis", "sweep"), values, root):
        out.add("stacking")
    if "embedding" in exp.figures:
        out.add("analysis.embedding")
    out |= _checks(exp.check, root)
    return out


def runs_components(exp, root: Path) -> set[str]:
    """The components that decide the runs a row trains (not the report's own measuring)."""
    return {n for n in components(exp, root) if BY_NAME[n].runs}


# ---------------------------------------------------------------- the settings a preset takes

def settings(raw: dict, base, root: Path) -> dict[tuple[str, str], set]:
    """(section, field) -> every value a preset's experiments can take, as JSON-like values
    (lists as tuples); a field the base does not state also takes its default."""
    found: dict = {}
    _walk(raw, found, None)
    stated: dict = {}
    if isinstance(base, dict):
        _walk(base, found, None)
        _walk(base, stated, None)
    out: dict = {}
    for (section, field), default in _defaults(root).items():
        out[(section, field)] = found.get((section, field), set()) | (set() if (section, field) in stated
                                                                       else {_frozen(default)})
    for key, vals in found.items():
        out.setdefault(key, set(vals))
    return out


def _walk(node, found: dict, section: str | None) -> None:
    """Every setting anywhere in a preset: in section objects ({"model": {"kind": "vae"}}: a
    base, a run's changes) and as dotted keys ("train.optimizer": [...] in a sweep's vary or a
    grid: each value of the list)."""
    if isinstance(node, list):
        for v in node:
            _walk(v, found, section)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if not isinstance(key, str) or key in _NOT_SETTINGS:
            continue
        head, dot, field = key.partition(".")
        if dot and head in SECTIONS:
            for v in value if isinstance(value, list) else [value]:
                found.setdefault((head, field), set()).add(_frozen(v))
        elif section is not None:
            found.setdefault((section, key), set()).add(_frozen(value))
        elif key in SECTIONS and isinstance(value, dict):
            _walk(value, found, key)
        else:
            _walk(value, found, None)


def _frozen(v):
    if isinstance(v, (list, tuple)):
        return tuple(_frozen(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v, sort_keys=True)
    return v


# ---------------------------------------------------------------- components from the settings

def _named(prefix: str, names) -> set[str]:
    """prefix.name for each name; every prefix.* component when one has none (an unknown name)."""
    wanted = {f"{prefix}.{n}" for n in names}
    if all(w in BY_NAME for w in wanted):
        return wanted
    return {n for n in BY_NAME if n.startswith(prefix + ".")}


def _model(values) -> set[str]:
    return _named("objective", values[("model", "kind")]) | _named("arch", values[("model", "arch")])


def _data(values) -> set[str]:
    out = _named("data", [s for s in values[("data", "source")]])
    if any(c for c in values.get(("data", "catalogue"), ())):
        out |= {"data.catalogue", "data.idx"}
    return out


def _loops(values, analysis: str, test: str, root: Path) -> set[str]:
    scipy = set(_literal(root, _EXPERIMENT, "SCIPY_OPTIMIZERS"))
    optimizers = values[("train", "optimizer")]
    out = {"loop.scipy"} if optimizers & scipy else set()
    gradient = optimizers - scipy
    if not gradient:
        return out
    out.add("optimizer.schedule")
    # The validation or test set a comparison measures at each check keeps the dense loop out.
    measured = analysis == "compare" and test != "none"
    possible = all(values.get(k, set()) & ok for k, ok in _DENSE.items()) and not measured
    certain = possible and all(_within(values.get(k, set()) - (scipy if k == ("train", "optimizer") else set()), ok)
                               for k, ok in _DENSE.items())
    if possible:
        out |= {"loop.dense", "optimizer.dense-adam"}
    if not certain:     # the eager loop, with torch's optimizers
        out.add("loop.eager")
        for o in gradient:
            out |= {_GRADIENT_OPTIMIZERS[o]} if o in _GRADIENT_OPTIMIZERS else {"optimizer.adam", "optimizer.sgd"}
    if "cuda" in values.get(("train", "device"), ()):
        out.add("loop.captured")
    return out


def _within(vals: set, ok: set) -> bool:
    return all(v in ok for v in vals)


def _checks(check: str, root: Path) -> set[str]:
    if not check:
        return set()
    named = {c for c in CHECKS_COMPONENTS if check in _check_names(root, BY_NAME[c].path)}
    return named or set(CHECKS_COMPONENTS)


# ---------------------------------------------------------------- read from the source, cached
# Where the sources are not on disk (the desktop bundle keeps only bytecode), each reader takes the
# same facts from the imported module (torch-free modules: the settings, the kinds, the checks).

_EXPERIMENT, _KINDS = "aegui/core/schema/experiment.py", "aegui/core/schema/kinds.py"


def _on_disk(root: Path, rel: str) -> bool:
    return (root / rel).is_file()


def _parsed(path: Path) -> ast.Module:
    st = path.stat()
    stamp = ("ast", str(path), st.st_size, st.st_mtime_ns)
    if stamp not in _cache:
        _cache[stamp] = ast.parse(path.read_bytes(), str(path))
    return _cache[stamp]


def _literal(root: Path, rel: str, name: str):
    if not _on_disk(root, rel):
        return getattr(imported(rel), name)
    path = root / rel
    for node in _parsed(path).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise LookupError(f"{path}: no module-level {name}")


def _defaults(root: Path) -> dict[tuple[str, str], object]:
    """(section, field) -> the dataclass default of every literal field of the settings'
    classes (schema/experiment.py)."""
    classes = {c: s for s, c in SECTIONS.items()}
    out = {}
    if not _on_disk(root, _EXPERIMENT):
        import dataclasses
        module = imported(_EXPERIMENT)
        return {(section, f.name): f.default for cls, section in classes.items()
                for f in dataclasses.fields(getattr(module, cls)) if f.default is not dataclasses.MISSING}
    for node in _parsed(root / _EXPERIMENT).body:
        if isinstance(node, ast.ClassDef) and node.name in classes:
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name) and item.value is not None:
                    try:
                        out[(classes[node.name], item.target.id)] = ast.literal_eval(item.value)
                    except ValueError:
                        pass        # a default_factory: no setting the components depend on
    return out


def _may_stack_large(analysis: str, values, root: Path) -> bool:
    """Whether the CPU stacking rule (train/stacking.py) may decide how the row's runs train: an analysis that
    stacks runs, on data other than the 5x7 glyphs and the 8x8 digits (whose steps are far too small to train
    alone), and for a comparison a kind whose runs stack there at all (one that draws noise or codes trains alone
    anyway)."""
    if analysis not in _STACKING or not values[("data", "source")] - _TINY_SAMPLES:
        return False
    alone = _kinds_with(root, "corrupts_inputs") | _kinds_with(root, "samples_codes")
    return analysis != "compare" or bool(values[("model", "kind")] - alone)


def _kinds_with(root: Path, flag: str) -> set[str]:
    """The kinds registered with `flag`=True (schema/kinds.py)."""
    if not _on_disk(root, _KINDS):
        return {name for name, kind in imported(_KINDS).KIND_TABLE.items() if getattr(kind, flag)}
    out = set()
    for node in ast.walk(_parsed(root / _KINDS)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Kind" and node.args \
                and isinstance(node.args[0], ast.Constant):
            if any(k.arg == flag and isinstance(k.value, ast.Constant) and k.value.value for k in node.keywords):
                out.add(node.args[0].value)
    return out


def _check_names(root: Path, rel: str) -> set[str]:
    """The check names a checks module registers: the string keys of the dicts it assigns to, or
    update() into, a name ending in _CHECKS."""
    if not _on_disk(root, rel):
        module = imported(rel)
        return {k for name, v in vars(module).items() if name.endswith("_CHECKS") and isinstance(v, dict)
                for k in v}
    out = set()
    for node in ast.walk(_parsed(root / rel)):
        dicts = []
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id.endswith("_CHECKS")
                                                for t in node.targets):
            dicts = [node.value]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update" \
                and isinstance(node.func.value, ast.Name) and node.func.value.id.endswith("_CHECKS"):
            dicts = node.args
        for d in dicts:
            if isinstance(d, ast.Dict):
                out.update(k.value for k in d.keys if isinstance(k, ast.Constant) and isinstance(k.value, str))
    return out
