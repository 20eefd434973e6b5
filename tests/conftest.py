import os
import sys
from pathlib import Path

# Must be set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

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
