"""Check a built bundle on any OS: it starts, loads the demo models and draws its window.

    python installer/check_bundle.py EXECUTABLE [--out DIR]

Runs `EXECUTABLE --smoke` and `EXECUTABLE --screenshot DIR/aegui-window.png` offscreen with a
fresh AEGUI_HOME; both must exit 0 (--smoke exits 1 when no model loaded, 2 when one could not
be read) and the screenshot must be a window-sized PNG. The screenshot does not depend on
stdout, which a windowed Windows build may not have; where stdout is there, --smoke's JSON
must name the demo models. Used by .github/workflows/bundle.yml on Linux, Windows and macOS.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

TIMEOUT_S = 300   # a windowed build that hits an error shows a dialog nobody closes


def run(exe: Path, args: list[str], home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", AEGUI_HOME=str(home))
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=env,
                          timeout=TIMEOUT_S, cwd=home)


def problems(exe: Path, out: Path) -> list[str]:
    if not exe.is_file():
        return [f"no executable at {exe}"]
    found = []
    with tempfile.TemporaryDirectory() as home:
        try:
            smoke = run(exe, ["--smoke"], Path(home))
        except subprocess.TimeoutExpired:
            return [f"{exe} --smoke did not end within {TIMEOUT_S} s"]
        print(smoke.stdout + smoke.stderr)
        if smoke.returncode != 0:
            found.append(f"{exe} --smoke exited {smoke.returncode}")
        lines = [ln for ln in smoke.stdout.splitlines() if ln.startswith("{")]
        if lines and not any("(demo)" in m for m in json.loads(lines[-1]).get("models", [])):
            found.append(f"{exe} --smoke loaded no demo model")
    shot = out / "aegui-window.png"
    with tempfile.TemporaryDirectory() as home:
        try:
            proc = run(exe, ["--screenshot", str(shot.resolve())], Path(home))
        except subprocess.TimeoutExpired:
            return found + [f"{exe} --screenshot did not end within {TIMEOUT_S} s"]
        if proc.returncode != 0:
            found.append(f"{exe} --screenshot exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
    if not shot.is_file():
        found.append(f"{exe} --screenshot wrote no {shot}")
    else:
        from PIL import Image
        with Image.open(shot) as im:
            if im.size[0] < 1000 or im.size[1] < 600:
                found.append(f"{shot} is {im.size[0]}x{im.size[1]}, not a window")
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("executable", type=Path)
    parser.add_argument("--out", type=Path, default=Path("."), help="folder for the screenshot")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    found = problems(args.executable, args.out)
    for line in found:
        print(f"check_bundle.py: {line}", file=sys.stderr)
    if not found:
        print(f"check_bundle.py: {args.executable} starts, loads the demo models and draws its window")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
