"""The shipped experiment presets (resources/sweeps and resources/analyses) with what each states
about itself: a description (which report it reproduces and how faithfully) and its time on 2
CPU cores (`time_2cores_s`). bench/preset_times.py runs them against those times, the course
report (aegui/core/analyses/report/run.py) runs them for its rows, and tools/docs_reference.py
lists them in the documentation's preset reference."""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

from aegui.core.schema.experiment import shown


@dataclass(frozen=True)
class PresetInfo:
    """A shipped sweep or analysis preset as the menus list it: its file, kind, name, description and stated
    time."""
    path: Path
    kind: str                  # "sweep", "denoising_curve", "probe", "compare" or "classifier"
    name: str
    description: str
    time_2cores_s: float | None
    # How many seeds it runs in place of the file's (a report row's own count); None: the file's.
    seeds: int | None = None

    @property
    def stem(self) -> str:
        """The file name without .json, which names the preset in the times table and menus."""
        return self.path.stem

    @property
    def quick(self) -> bool:
        """Whether it is a quick variant (its file ends in -quick)."""
        return self.stem.endswith("-quick")


def preset_files(root: Path | None = None) -> list[Path]:
    """The shipped presets' files: resources/sweeps/*.json, then resources/analyses/*.json, each sorted."""
    if root is None:
        from aegui.core.files.paths import resources_dir
        root = resources_dir()
    return sorted((root / "sweeps").glob("*.json")) + sorted((root / "analyses").glob("*.json"))


# The kinds whose seeds are one count of the whole file, which a report row may set (seeded()).
SEEDED_KINDS = ("compare", "classifier")


def read_preset(path: Path, seeds: int | None = None) -> PresetInfo:
    """The PresetInfo of one preset file (a file without "analysis" is a sweep). `seeds`, for a
    compare or classifier file: how many it runs instead of its own count; its stated time, which is
    for its own count, is scaled to it."""
    from aegui.core.files.jsonfile import read_json
    raw = read_json(path)
    kind = raw.get("analysis", "sweep")
    stated = raw.get("time_2cores_s")
    if seeds is not None:
        if kind not in SEEDED_KINDS:
            raise ValueError(f"{path}: a {shown(kind)} preset's seeds cannot be set from outside it "
                             f"(only a {' or '.join(SEEDED_KINDS)} file's)")
        own = raw.get("seeds", 1)
        if stated is not None and isinstance(own, int) and own > 0:
            stated = stated * seeds / own
    return PresetInfo(Path(path), kind, str(raw.get("name", Path(path).stem)), str(raw.get("description", "")),
                      stated, seeds)


def seeded(spec, info: PresetInfo):
    """A compare or classifier file's spec with the seeds its PresetInfo sets (itself where none)."""
    return spec if info.seeds is None else replace(spec, seeds=info.seeds)


def list_presets(root: Path | None = None) -> list[PresetInfo]:
    """Every shipped preset, in preset_files' order."""
    return [read_preset(p) for p in preset_files(root)]


def preset_job(info: PresetInfo, out_dir=None, *, device: str | None = None):
    """The job that runs a preset (steps() / cancel(), like every long job); `out_dir` lets
    the compare and classifier jobs keep finished runs there and pick up after a cancel.
    `device` ("cpu", "cuda", ...) trains on it; None lets each job choose, as a user's run does."""
    if info.kind == "sweep":
        from aegui.core.analyses.sweeps.sweep import SweepRunner, load_sweep
        return SweepRunner(load_sweep(info.path), device=device)
    if info.kind == "denoising_curve":
        from aegui.core.analyses.denoise.curve import DenoiseCurveJob, load_spec
        return DenoiseCurveJob(load_spec(info.path), device=device)
    if info.kind == "probe":
        from aegui.core.analyses.classify.probe import ProbeRunJob, load_spec as load_probe
        return ProbeRunJob(load_probe(info.path), device=device)
    if info.kind == "compare":
        from aegui.core.analyses.compare.runs import CompareJob, load_spec as load_compare
        return CompareJob(seeded(load_compare(info.path), info), out_dir, device=device)
    if info.kind == "classifier":
        from aegui.core.analyses.classify.classifier import ClassifierJob, load_spec as load_classifier
        return ClassifierJob(seeded(load_classifier(info.path), info), out_dir, device=device)
    raise ValueError(f"{info.path}: unknown preset kind {shown(info.kind)}")


def run_preset(info: PresetInfo, *, epochs: int | None = None, seeds: int | None = None):
    """(seconds, result): a SweepResult, CurveResult, ProbeRun, CompareResult or
    ClassifierResult. `epochs` / `seeds` shorten a sweep (the CLI's --epochs / --seeds), for
    tests only."""
    start = time.perf_counter()
    if info.kind == "sweep":
        from aegui.core.analyses.sweeps.sweep import SweepRunner, load_sweep, with_overrides
        sweep = load_sweep(info.path)
        if epochs is not None or seeds is not None:
            sweep = with_overrides(sweep, epochs=epochs, seeds=seeds)
        result = SweepRunner(sweep).run()
    elif info.kind == "denoising_curve":
        from aegui.core.analyses.denoise.curve import DenoiseCurveJob, load_spec
        result = DenoiseCurveJob(load_spec(info.path)).run()
    elif info.kind in ("probe", "compare", "classifier"):
        result = preset_job(info).run()
    else:
        raise ValueError(f"{info.path}: unknown preset kind {shown(info.kind)}")
    return time.perf_counter() - start, result

