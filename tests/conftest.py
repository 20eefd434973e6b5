import os
import sys
from pathlib import Path

import pytest

# Must be set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Ray starts its workers at nice 15. Beside other CPU-bound work (`make test` is checked beside two
# busy processes a core) a task then got about 3 % of a core, and a cluster test that takes 21 s
# ran past its 300 s limit. The tests' Rays (ray.init here, `ray start` in bench/two_nodes.py)
# run their tasks at the priority the rest of the suite trains at.
os.environ.setdefault("RAY_worker_niceness", "0")

ROOT = Path(__file__).resolve().parents[1]
# The repository (for `tests.…` imports) and the helper modules the test folders share
# (tests/core/core_helpers.py, fuzzing.py; tests/fetch_server.py), whatever folder a test is in.
for folder in (ROOT, ROOT / "tests", ROOT / "tests" / "core"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))


def _shared_data() -> Path | None:
    """The project's shared data folder (../shared/data beside the checkout, or two levels up
    from a worktree under wt/), or AEGUI_SHARED_DATA; None in a clean clone (CI), where the
    tests that need real data skip."""
    env = os.environ.get("AEGUI_SHARED_DATA")
    candidates = [Path(env)] if env else [base / "shared" / "data" for base in ROOT.parents[:2]]
    return next((c for c in candidates if c.is_dir()), None)


SHARED_DATA = _shared_data()
SHARED_FONT_H = (SHARED_DATA or ROOT.parent / "shared" / "data") / "font.h"
# The real MNIST files (gzipped IDX, byte for byte the published files once unpacked).
SHARED_MNIST = SHARED_DATA / "mnist" if SHARED_DATA is not None and (SHARED_DATA / "mnist").is_dir() else None

# A test that kills the process (Qt's qFatal, a segfault) leaves this file behind; `make test`
# prints it last, so CI's tail names the test even when the crash dump above it is cut off.
CRASH_NOTE = ROOT / ".pytest-crash.txt"


def pytest_sessionstart(session):
    CRASH_NOTE.unlink(missing_ok=True)


def pytest_runtest_logstart(nodeid, location):
    CRASH_NOTE.write_text(f"The test suite died during {nodeid}\n")


def pytest_sessionfinish(session, exitstatus):
    CRASH_NOTE.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def real_mnist() -> Path:
    """The folder of the real MNIST .gz files; skips where ../shared/data is absent (CI's clean
    clone)."""
    if SHARED_MNIST is None:
        pytest.skip("the real MNIST files are not here (../shared/data/mnist is absent in a clean clone; "
                    "set AEGUI_SHARED_DATA to a folder holding mnist/)")
    return SHARED_MNIST


@pytest.fixture(scope="session")
def real_mnist_unpacked(real_mnist, tmp_path_factory) -> Path:
    """The four real MNIST files gunzipped into a temporary folder (what many course folders
    and torchvision's raw/ hold)."""
    import gzip
    import shutil
    folder = tmp_path_factory.mktemp("mnist_unpacked")
    for gz in sorted(real_mnist.glob("*-ubyte.gz")):
        with gzip.open(gz, "rb") as src, open(folder / gz.name[:-3], "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    return folder


@pytest.fixture(autouse=True)
def _aegui_home(tmp_path_factory, monkeypatch):
    """Nothing a test does may touch the real user data folder."""
    monkeypatch.setenv("AEGUI_HOME", str(tmp_path_factory.mktemp("aegui_home")))
