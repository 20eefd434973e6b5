import os
import sys
from pathlib import Path

import pytest

# Must be set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
# The repository (for `tests.…` imports) and the helper modules the test folders share
# (tests/core/core_helpers.py, fuzzing.py; tests/fetch_server.py), whatever folder a test is in.
for folder in (ROOT, ROOT / "tests", ROOT / "tests" / "core"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

SHARED_FONT_H = ROOT.parent / "shared" / "data" / "font.h"

# A test that kills the process (Qt's qFatal, a segfault) leaves this file behind; `make test`
# prints it last, so CI's tail names the test even when the crash dump above it is cut off.
CRASH_NOTE = ROOT / ".pytest-crash.txt"


def pytest_sessionstart(session):
    CRASH_NOTE.unlink(missing_ok=True)


def pytest_runtest_logstart(nodeid, location):
    CRASH_NOTE.write_text(f"The test suite died during {nodeid}\n")


def pytest_sessionfinish(session, exitstatus):
    CRASH_NOTE.unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _aegui_home(tmp_path_factory, monkeypatch):
    """Nothing a test does may touch the real user data folder."""
    monkeypatch.setenv("AEGUI_HOME", str(tmp_path_factory.mktemp("aegui_home")))
