"""The student's guide, followed in the window from a fresh start, holds at every step:
tools/replay_student_guide.py does what each step says (keys, Load config…, F5, the map's mouse,
Teach it…, the Experiments menu), checks what the step says to look for and saves its pictures.
Run here as a student would run it, in its own process, its pictures in a scratch folder; the
guide's pictures are the ones it names."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "student-guide.md"


@pytest.mark.timeout(1800)     # 212 s beside other work; past pytest's 300 s beside four busy processes
def test_every_step_of_the_student_guide_replays_in_the_window(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    env.pop("DISPLAY", None)
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "replay_student_guide.py"), "--out", str(tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    replay = json.loads((tmp_path / "replay.json").read_text())["steps"]
    assert sorted(replay) == ["1", "2", "3", "4", "5", "6"]
    assert replay["1"]["max_wrong_pixels"] == 0 and replay["1"]["status"] == "Reached target"
    assert replay["2"]["strip"] == "m-s" and replay["2"]["pinned"] == 1
    assert replay["4"]["bell_wrong_after"] < replay["4"]["bell_wrong_before"]
    assert replay["5"]["samples"] == 8
    made = {p for step in replay.values() for p in step["pictures"]}
    assert made and all((tmp_path / p).stat().st_size > 10_000 for p in made)
    # The guide shows exactly the pictures the replay makes (committed under docs/screenshots/guide).
    shown = set(re.findall(r"\]\(screenshots/guide/([^)]+\.png)\)", GUIDE.read_text(encoding="utf-8")))
    assert shown == made, (sorted(shown), sorted(made))
    assert all((ROOT / "docs" / "screenshots" / "guide" / p).is_file() for p in shown)
