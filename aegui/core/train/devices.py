"""Which device trains: "auto" takes CUDA, else Apple's MPS where torch offers it, else the CPU;
and the words the CLI's JSON, the status bar and the builder show for it."""
from __future__ import annotations

import torch

from aegui.core.schema.experiment import ConfigError


def mps_available() -> bool:
    """Whether Apple's MPS can be used (False on torch builds without it)."""
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def resolve_device(name: str) -> torch.device:
    """The torch device for train.device ("auto": CUDA, then MPS, then the CPU); ConfigError when the one named
    is not available."""
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError("train.device", "CUDA is not available on this machine; use 'cpu' or 'auto'")
    if name == "mps" and not mps_available():
        raise ConfigError("train.device", "Apple's MPS is not available on this machine; use 'cpu' or 'auto'")
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "mps" if mps_available() else "cpu"
    return torch.device(name)


def describe(device) -> str:
    """"NVIDIA H100 80GB HBM3, 79 GiB" for a CUDA device, "Apple MPS", or "CPU"."""
    dev = torch.device(device)
    if dev.type == "cuda":
        props = torch.cuda.get_device_properties(dev)
        # Whole GiB: the window shows this label as it is, in either language (no decimal point).
        return f"{props.name}, {props.total_memory / 2**30:.0f} GiB"
    if dev.type == "mps":
        return "Apple MPS"
    return "CPU"


def choices() -> list[tuple[str, str]]:
    """(key, label) of each device this machine can train on, "auto" first."""
    out = [("auto", f"Auto ({describe(resolve_device('auto'))})"), ("cpu", "CPU")]
    if torch.cuda.is_available():
        out.append(("cuda", f"CUDA: {describe('cuda')}"))
    if mps_available():
        out.append(("mps", describe("mps")))
    return out
