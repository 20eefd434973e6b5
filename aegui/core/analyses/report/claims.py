"""Helpers of the report's checks: a finding (a document's claim against aegui's measurement),
rows picked by label, best / worst, and the generic summary of a result's numbers."""
from __future__ import annotations

import math

from aegui.core.analyses.report.figures import fmt


def finding(claim: str, measured: str, agrees) -> dict:
    return {"claim": claim, "measured": measured, "agrees": agrees}


# ---------------------------------------------------------------- helpers

def configs(m: dict) -> list[dict]:
    return m.get("configs", [])


def runs(m: dict) -> list[dict]:
    return m.get("runs", [])


def by(rows: list[dict], needle: str) -> dict:
    """The row whose label contains `needle` (the first)."""
    found = [r for r in rows if needle in r["label"]]
    if not found:
        raise KeyError(f"no row labelled like {needle!r} among {[r['label'] for r in rows]}")
    return found[0]


def val(r: dict, key: str):
    v = r.get(key)
    return math.nan if v is None else float(v)


def best(rows: list[dict], key: str) -> dict:
    return min(rows, key=lambda r: (not math.isfinite(val(r, key)), val(r, key)))


def worst(rows: list[dict], key: str) -> dict:
    return max(rows, key=lambda r: (math.isfinite(val(r, key)), val(r, key)))


def generic(m: dict) -> str:
    if "configs" in m:
        rows = configs(m)
        return "; ".join(f"{r['label']}: loss {fmt(r.get('final_loss_mean'))} ± {fmt(r.get('final_loss_std'), 2)}, "
                         f"{fmt(r.get('final_mean_wrong_mean'))} wrong px per glyph (max {fmt(r.get('final_max_wrong_mean'))})"
                         for r in rows)
    if "runs" in m:
        parts = []
        for r in runs(m):
            test = f", test {fmt(r.get('final_test_loss'))}" if r.get("final_test_loss") is not None else ""
            wrong = f", {fmt(r['train_mean_wrong'])} wrong px" if "train_mean_wrong" in r else ""
            parts.append(f"{r['label']}: train loss {fmt(r.get('final_train_loss'))}{test}{wrong}")
        return "; ".join(parts)
    if "stages" in m:
        return "; ".join(f"{k}: test accuracy {v['accuracy']:.3f}" for k, v in m["stages"].items())
    return ""


def arch(label: str) -> str:
    return label.split("layers=")[1].split(",")[0] if "layers=" in label else label
