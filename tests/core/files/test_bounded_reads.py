"""Reading a user's file within its size limit reads what the file holds, in steps, and never
asks for the limit itself: `fh.read(limit + 1)` reserves that many bytes before it reads one, so
with the weights' 4 GiB limit `aegui teach` of a 336 KB model failed with MemoryError under
`ulimit -v 3000000`. A .gz IDX file whose header promises gigabytes is unpacked the same way.
Files past their limit are still refused, including ones whose size says less than they hold.

The memory cases run in a child process under RLIMIT_AS (the address space `ulimit -v` limits),
so a reader that asks for the limit fails there and not in the test process.
"""
from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aegui.core.files import userfile

ROOT = Path(__file__).resolve().parents[3]
MODEL = ROOT / "models" / "general-5x7-dae" / "model.safetensors"
GiB = 1 << 30


def _limited(code: str, *args, memory: int = GiB, env: dict | None = None) -> subprocess.CompletedProcess:
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, preexec_fn=limit,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1",
                               "OMP_NUM_THREADS": "1", **(env or {})})


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_AS is POSIX")
def test_a_small_model_is_read_within_a_memory_limit_far_below_its_kinds_limit():
    assert userfile.LIMITS["weights"][1] > GiB
    done = _limited("import sys\nfrom aegui.core.files.userfile import read_file\n"
                    "print(len(read_file(sys.argv[1], 'weights')))", MODEL)
    assert done.returncode == 0, done.stderr[-800:]
    assert int(done.stdout) == MODEL.stat().st_size


def test_no_read_asks_for_more_than_the_file_or_a_step(tmp_path, monkeypatch):
    """Every read() a reader makes, as the file object sees it."""
    asked = []
    real_open = userfile.open_file

    class Spy:
        def __init__(self, fh):
            self.fh = fh

        def read(self, n=-1):
            asked.append(n)
            return self.fh.read(n)

        def fileno(self):
            return self.fh.fileno()

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    def spying(path, kind):
        return Spy(real_open(path, kind))
    monkeypatch.setattr(userfile, "open_file", spying)
    path = tmp_path / "model.safetensors"
    path.write_bytes(MODEL.read_bytes())
    assert userfile.read_file(path, "weights") == MODEL.read_bytes()
    assert asked and max(asked) <= max(MODEL.stat().st_size + 1, 1 << 20), asked


def test_a_file_bigger_than_its_kind_is_still_refused(tmp_path, monkeypatch):
    monkeypatch.setitem(userfile.LIMITS, "table", ("a table (.csv)", 100))
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 101)
    with pytest.raises(userfile.FileRefused, match="more than the 100 bytes a table"):
        userfile.read_file(path, "table")
    path.write_bytes(b"x" * 100)
    assert userfile.read_file(path, "table") == b"x" * 100


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs Linux's /proc")
def test_a_file_holding_more_than_its_size_says_is_refused_once_it_passes_the_limit(monkeypatch):
    """/proc files say they hold 0 bytes: the steps past the stated size still stop at the limit."""
    assert os.stat("/proc/self/status").st_size == 0
    monkeypatch.setitem(userfile.LIMITS, "table", ("a table (.csv)", 100))
    with pytest.raises(userfile.FileRefused, match="more than the 100 bytes"):
        userfile.read_file("/proc/self/status", "table")
    monkeypatch.setitem(userfile.LIMITS, "table", ("a table (.csv)", 1 << 20))
    assert b"Name:" in userfile.read_file("/proc/self/status", "table")


def test_read_at_most_stops_one_byte_past_the_limit():
    assert userfile.read_at_most(io.BytesIO(b"x" * 5000), 1000) == b"x" * 1001
    assert userfile.read_at_most(io.BytesIO(b"x" * 5000), 1000, expected=10) == b"x" * 1001
    assert userfile.read_at_most(io.BytesIO(b"abc"), 1000, expected=3) == b"abc"
    assert userfile.read_at_most(io.BytesIO(b""), 1000, expected=0) == b""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_AS is POSIX")
def test_a_gz_idx_header_that_promises_gigabytes_is_refused_without_reserving_them(tmp_path):
    """2 GB of pictures promised, 300 bytes there: "truncated", not a MemoryError."""
    path = tmp_path / "train-images-idx3-ubyte.gz"
    count, rows, cols = 2_000_000, 28, 28 * 2          # 3.1e9 bytes promised
    head = (2051).to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in (count, rows, cols))
    path.write_bytes(gzip.compress(head + bytes(300)))
    done = _limited("import sys\nfrom aegui.core.data.image_data import read_idx\n"
                    "from aegui.core.schema.experiment import ConfigError\n"
                    "try:\n    read_idx(sys.argv[1], 2051)\nexcept ConfigError as e:\n    print(e)",
                    path, memory=2 * GiB, env={"AEGUI_MEMORY_LIMIT": "8G"})
    assert done.returncode == 0, done.stderr[-800:]
    assert str(path) in done.stdout and "truncated" in done.stdout and "holds 300" in done.stdout, done.stdout
