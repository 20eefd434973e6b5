"""Shared pieces of the property-based reader tests: how many examples, mutations of a valid
file, and the guards every example runs under (no hang, no runaway allocation).

AEGUI_FUZZ_EXAMPLES sets the examples per reader: `make fuzz` runs 1000; the default test run
a few (derandomized, so CI is repeatable), keeping the whole fuzz part near 30 s on 2 cores.
"""
from __future__ import annotations

import os
import resource
from contextlib import contextmanager
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("AEGUI_FUZZ_EXAMPLES", "0") or 0)
FUZZ = EXAMPLES > 0
EXAMPLES = EXAMPLES or 12
# A reader that takes longer than this on one small input is hung (the deadline counts each
# example alone; 2 busy cores make a healthy one take ~100 ms at worst).
DEADLINE = timedelta(seconds=10)
ALLOC_LIMIT_MB = 400      # growth of the peak resident memory any one example may cause

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES, deadline=DEADLINE, derandomize=not FUZZ, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                           HealthCheck.data_too_large, HealthCheck.filter_too_much],
    print_blob=True)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def bounded():
    """Fails the example when it raised the process's peak memory by more than the limit."""
    before = peak_mb()
    yield
    grew = peak_mb() - before
    assert grew < ALLOC_LIMIT_MB, f"one input made the reader allocate {grew:.0f} MB"


@st.composite
def mutated(draw, seed: bytes, max_ops: int = 6):
    """`seed` with a few byte-level edits: flips, inserts, deletes, repeats and cuts."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, max_ops))):
        op = draw(st.sampled_from(("flip", "set", "insert", "delete", "repeat", "cut", "swap")))
        n = len(data)
        at = draw(st.integers(0, max(0, n - 1)))
        if op == "flip" and n:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "set" and n:
            data[at] = draw(st.sampled_from(b"\x00\xff{}[],:\"'0123456789-.eE/*#\n\\x \t"))
        elif op == "insert":
            data[at:at] = draw(st.binary(max_size=16) | st.sampled_from(
                (b"0x7f", b"-1", b"1e309", b"99999999999", b"NaN", b"null", b"[]", b"{}", b"/*", b"*/",
                 b"//", b'"', b"\\", b"\xc3\x28", b"\x00", b"[" * 3000, b'{"a":' * 2000, b"9" * 5000)))
        elif op == "delete" and n:
            del data[at:at + draw(st.integers(1, 64))]
        elif op == "repeat" and n:
            data[at:at] = data[at:at + draw(st.integers(1, 64))] * draw(st.integers(1, 4))
        elif op == "cut":
            del data[at:]
        elif op == "swap" and n > 1:
            other = draw(st.integers(0, n - 1))
            data[at], data[other] = data[other], data[at]
    return bytes(data)


# Any JSON value, with the numbers and strings that break readers: huge, negative, NaN-like.
json_leaf = (st.none() | st.booleans() | st.integers(-2 ** 63, 2 ** 63)
             | st.sampled_from([0, -1, 1, 10 ** 9, 10 ** 12, 2 ** 31, 1e308, -1e-308, 0.5])
             | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
             | st.sampled_from(["", "all", "relu", "adam", "cuda", "../x", "Font3", "nan", "1e9"]))
json_value = st.recursive(json_leaf, lambda kids: st.lists(kids, max_size=5)
                          | st.dictionaries(st.text(max_size=12), kids, max_size=5), max_leaves=12)


@st.composite
def edited_json(draw, doc):
    """A JSON document with a few values replaced, removed or added at any depth."""
    import copy
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(1, 4))):
        node, path = doc, []
        while isinstance(node, (dict, list)) and node and draw(st.booleans()):
            key = draw(st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node))))
            if not isinstance(node[key], (dict, list)):
                break
            path.append(key)
            node = node[key]
        if isinstance(node, dict):
            op = draw(st.sampled_from(("replace", "delete", "add")))
            if op == "add" or not node:
                node[draw(st.text(max_size=12) | st.sampled_from(sorted(node) or ["x"]))] = draw(json_value)
            elif op == "delete":
                node.pop(draw(st.sampled_from(sorted(node))))
            else:
                node[draw(st.sampled_from(sorted(node)))] = draw(json_value)
        elif isinstance(node, list):
            if node and draw(st.booleans()):
                node[draw(st.integers(0, len(node) - 1))] = draw(json_value)
            else:
                node.append(draw(json_value))
        else:
            doc = draw(json_value)
    return doc


# Text that breaks JSON readers beyond the values above: nesting deeper than Python's recursion
# (RecursionError in json.loads), and numbers longer than int() converts (ValueError).
@st.composite
def hostile_json(draw) -> bytes:
    depth = draw(st.integers(1, 3000) | st.sampled_from((63, 64, 65, 100_000)))
    digits = draw(st.integers(4000, 100_000))
    inner = draw(st.sampled_from((b"1", b"9" * digits, b"-" + b"1" * digits, b"1e" + b"9" * digits, b"[]")))
    opener, closer = draw(st.sampled_from(((b"[", b"]"), (b'{"a":', b"}"), (b'[{"b":', b"}]"))))
    doc = opener * depth + inner + closer * depth
    return doc if draw(st.booleans()) else doc[:draw(st.integers(0, len(doc)))]


SPECIAL_KINDS = ("fifo", "device", "socket", "oversized", "folder", "dangling", "loop")


def make_special(path, kind: str, limit: int):
    """Put at `path` something that is not a readable regular file: a named pipe (a plain open()
    waits forever for a writer), a link to /dev/zero (endless), a socket, a sparse file one byte
    over `limit`, a folder, a dangling link or a link loop. Returns what must stay open (the
    socket) or None."""
    import os
    import socket
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        os.symlink("/dev/zero", path)
    elif kind == "socket":
        s = socket.socket(socket.AF_UNIX)
        s.bind(str(path))
        return s
    elif kind == "oversized":
        with open(path, "wb") as fh:
            fh.truncate(limit + 1)
    elif kind == "folder":
        os.mkdir(path)
    elif kind == "dangling":
        os.symlink(str(path) + ".gone", path)
    else:
        os.symlink(path, path)
    return None


def in_child(call, errors, seconds: int = 60) -> tuple[str, str]:
    """call() in a forked child: ("returned", ""), or (the exception's type, its message), the type
    prefixed with "unexpected " unless it is one of `errors`. A child still busy after `seconds`
    (blocked on a pipe, or reading an endless file in C, which no signal interrupts) is killed
    and reported as "hung": the parent never blocks and never holds the memory."""
    import json
    import os
    import select
    import signal
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:                                   # the child: no pytest, no hypothesis from here
        os.close(r)
        try:
            call()
            out = ("returned", "")
        except BaseException as e:                 # noqa: BLE001 - reported to the parent
            out = (("" if isinstance(e, errors) else "unexpected ") + type(e).__name__, str(e)[:4000])
        os.write(w, json.dumps(out).encode())
        os._exit(0)
    os.close(w)
    try:
        ready, _, _ = select.select([r], [], [], seconds)
        if not ready:
            os.kill(pid, signal.SIGKILL)
            return ("hung", f"still busy after {seconds} s")
        data = b""
        while chunk := os.read(r, 1 << 16):
            data += chunk
    finally:
        os.close(r)
        os.waitpid(pid, 0)
    return tuple(json.loads(data)) if data else ("died", "the child ended without a word")


def names_file(message: str, path) -> bool:
    """The message names the file (its full path, or its name where a short form is used)."""
    from pathlib import Path
    return str(path) in message or Path(path).name in message
