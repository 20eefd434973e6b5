"""Training history as CSV (metrics.csv beside a model): written by the CLI and the app,
read back by the app to chart how a model on screen was trained. Torch-free."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from aegui.core.files.atomic import atomic_write_text


def metrics_path(model_path) -> Path:
    """metrics.csv in a model folder; NAME.metrics.csv beside NAME.json / NAME.safetensors."""
    path = Path(model_path)
    if path.suffix in (".json", ".safetensors"):
        return path.with_suffix(".metrics.csv")
    return path / "metrics.csv"


def write_metrics(path, rows: list[dict]) -> None:
    keys: list[str] = []
    for row in rows:
        keys += [k for k in row if k not in keys]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=keys)
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_text(Path(path), buf.getvalue())


def read_metrics(path) -> list[dict]:
    """Rows with numbers as floats (epoch and wrong-pixel maxima as ints); [] when the file is
    missing or unreadable: a model without its history is still a model."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    rows = []
    for raw in csv.DictReader(io.StringIO(text)):
        row = {}
        for key, value in raw.items():
            if key is None or value in (None, ""):
                continue
            try:
                number = float(value)
            except ValueError:
                continue
            row[key] = int(number) if key in ("epoch", "max_wrong_pixels", "best_model") else number
        if "epoch" in row:
            rows.append(row)
    return rows
