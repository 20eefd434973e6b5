"""How much memory is free, without torch: the training guard (core/train/memory.py) and the
readers that would otherwise trust a header's size (a .gz IDX file) ask here."""
from __future__ import annotations

import os
import re

ENV_LIMIT = "AEGUI_MEMORY_LIMIT"   # e.g. "2G": behave as if only this much memory were free


def parse_size(text: str) -> int | None:
    """"2G", "512M", "1.5g", "1000000" -> bytes (binary units); None when it is not a size."""
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]*)?)\s*([kmgt]?)(?:i?b)?\s*", str(text), re.IGNORECASE)
    if not m:
        return None
    power = "kmgt".find(m.group(2).lower()) + 1 if m.group(2) else 0
    return int(float(m.group(1)) * 1024 ** power)


def forced_limit() -> int | None:
    """The free memory $AEGUI_MEMORY_LIMIT says to assume, in bytes; None when it is unset or not a size."""
    return parse_size(os.environ.get(ENV_LIMIT, ""))


def _meminfo_available() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _cgroup_room() -> int | None:
    """A container's own limit (cgroup v2) can be far below what the host has free."""
    try:
        with open("/sys/fs/cgroup/memory.max", encoding="ascii") as fh:
            limit = fh.read().strip()
        if limit == "max":
            return None
        with open("/sys/fs/cgroup/memory.current", encoding="ascii") as fh:
            used = int(fh.read().strip())
        return max(0, int(limit) - used)
    except (OSError, ValueError):
        return None


def ram_available() -> int | None:
    """Bytes of RAM a new allocation can take (the forced limit first); None when unknown."""
    forced = forced_limit()
    if forced is not None:
        return forced
    room = [v for v in (_meminfo_available(), _cgroup_room()) if v is not None]
    return min(room) if room else None
