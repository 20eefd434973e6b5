"""Each shipped preset's expected time on a class of machine, as bench/preset_times.py measured it:
resources/preset_times.json. The Experiments menu shows the time of this machine's class (or of the
nearest class measured, naming it) and marks the quick presets.

A machine class is what sets a preset's time: how many CPU cores, and the GPU when there is one.
The file keeps one table per class, so a bench run on another machine adds its own:

    {"classes": {"cpu-2": {"machine": "2 CPU cores (AMD EPYC), no GPU", "cores": 2, "cpu": "AMD EPYC", "gpu": null,
                           "measured": "2026-11-23", "presets": {"seed000-loss": {"seconds": 31.2,
                           "cpu_seconds": 30.8, "load_before": 3.1}, ...}}}}
"""
from __future__ import annotations

import json
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path

QUICK_S = 60.0          # a preset expected to finish within a minute is marked quick
FILE_NAME = "preset_times.json"


def times_path(root: Path | None = None) -> Path:
    """Where the measured preset times are kept: resources/preset_times.json (or under `root`)."""
    if root is None:
        from aegui.core.files.paths import resources_dir
        root = resources_dir()
    return Path(root) / FILE_NAME


def _gpu_name() -> str | None:
    """The first CUDA GPU's name, or None. Read from the NVIDIA driver's own list: importing torch
    to ask takes seconds, and the window asks before it has."""
    root = Path("/proc/driver/nvidia/gpus")
    try:
        for info in sorted(root.glob("*/information")):
            for line in info.read_text().splitlines():
                if line.startswith("Model:"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    torch = sys.modules.get("torch")     # another system (Windows): ask torch if it is loaded already
    if torch is not None and torch.cuda.is_available():
        return torch.cuda.get_device_name(0)
    return None


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_class(cores: int | None = None, gpu: str | None | bool = False) -> dict:
    """This machine's class: {"key", "machine" (in words), "cores", "cpu", "gpu"}; `cores` / `gpu`
    given describe another (gpu False: look this machine's up)."""
    cores = int(cores if cores is not None else os.cpu_count() or 1)
    if gpu is False:
        gpu = _gpu_name()
    key = f"cpu-{cores}" + ("-cuda" if gpu else "")
    cpu = _cpu_name()
    words = f"{cores} CPU cores ({cpu}), " + (f"GPU {gpu}" if gpu else "no GPU")
    return {"key": key, "machine": words, "cores": cores, "cpu": cpu, "gpu": gpu or None}


def read_times(path: Path | None = None) -> dict:
    """The file's {"classes": {...}}; empty when it is missing or unreadable."""
    try:
        raw = json.loads(times_path().read_text(encoding="utf-8") if path is None else
                         Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"classes": {}}
    if not isinstance(raw, dict) or not isinstance(raw.get("classes"), dict):
        return {"classes": {}}
    return raw


def record_time(path: Path, machine: dict, stem: str, row: dict, measured: str) -> None:
    """Adds (or replaces) one preset's measurement in `machine`'s table of the file at `path`."""
    from aegui.core.files.atomic import atomic_write_text
    data = read_times(path) if Path(path).exists() else {"classes": {}}
    table = data["classes"].setdefault(machine["key"], {})
    table.update({"machine": machine["machine"], "cores": machine["cores"], "cpu": machine["cpu"],
                  "gpu": machine["gpu"], "measured": measured})
    table.setdefault("presets", {})[stem] = row
    data["classes"] = dict(sorted(data["classes"].items()))
    table["presets"] = dict(sorted(table["presets"].items()))
    atomic_write_text(Path(path), json.dumps(data, indent=2, ensure_ascii=False) + "\n")


@dataclass(frozen=True)
class ExpectedTimes:
    """The measured times of one machine class: `seconds(stem)` (None: not measured there)."""
    key: str
    machine: str          # the class in words (English), to say where the times were measured
    exact: bool           # True when it is this machine's own class
    table: dict
    cores: int = 0
    cpu: str = ""
    gpu: str | None = None

    def seconds(self, stem: str) -> float | None:
        """A preset's measured time on this machine class in seconds; None when it was not measured."""
        row = self.table.get(stem)
        return float(row["seconds"]) if isinstance(row, dict) and "seconds" in row else None

    def quick(self, stem: str) -> bool:
        """Whether the preset is expected to finish within a minute here."""
        s = self.seconds(stem)
        return s is not None and s <= QUICK_S


def expected_times(path: Path | None = None, machine: dict | None = None) -> ExpectedTimes | None:
    """The times of this machine's class, or of the measured class nearest to it (GPU or not
    first, then the nearest core count); None when nothing was measured."""
    classes = read_times(path)["classes"]
    if not classes:
        return None
    me = machine or machine_class()
    if me["key"] in classes:
        key, exact = me["key"], True
    else:
        def distance(item):
            k, table = item
            return (bool(table.get("gpu")) != bool(me["gpu"]), abs(int(table.get("cores", 0)) - me["cores"]), k)
        key, exact = min(classes.items(), key=distance)[0], False
    table = classes[key]
    return ExpectedTimes(key, str(table.get("machine", key)), exact, dict(table.get("presets", {})),
                         int(table.get("cores", 0)), str(table.get("cpu", "")), table.get("gpu"))
