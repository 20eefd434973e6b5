"""A real Ray cluster of two nodes on 127.0.0.1 (`ray start --head`, then a worker node joining it),
each of one CPU by default, both under a temporary folder of their own: what bench/report_ray.py
and the Ray tests of the course report (tests/core/ray_nodes.py) run on.

Stopped by killing its own processes (`ray stop` would stop every Ray of this machine, another
test run's too): those whose command line names its folder, and their children (the agents and
the workers a raylet starts). Token authentication is turned off for it (Ray 2.60's `ray start`
turns it on, with a token in the user's home) and so are usage statistics.

A driver in this process talks to it on the loopback only after loopback_driver().
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

# Workers at nice 0, not Ray's 15: the bench compares them with local runs at nice 0, and beside other
# busy processes nice-15 tasks crawl (tests/conftest.py).
ENV = {"RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0", "RAY_worker_niceness": "0"}
# `ray start`, with Ray's own guess of this machine's address pinned to 127.0.0.1: on Linux it turns
# 127.0.0.1 into the first interface's address (services.resolve_ip_for_localhost), so the nodes
# and their traffic would be on that address; pinned, everything stays on the loopback.
RAY_START = ("import sys, ray._private.services as s; s.get_node_ip_address = lambda address=None: '127.0.0.1'; "
             "from ray.scripts.scripts import main; sys.argv[0] = 'ray'; sys.exit(main())")
START_S = 120        # a node's start on a loaded 2-core machine takes 5-30 s


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every live process (zombies left out: a dead
    process whose parent is gone is not ours to reap)."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        state, parent = stat.rsplit(")", 1)[1].split()[:2]
        if state != "Z":
            out[int(entry)] = (int(parent), cmd)
    return out


def descendants(pid: int | None = None) -> set[int]:
    """The live descendants of a process (this one by default)."""
    procs = processes()
    found, todo = set(), [pid or os.getpid()]
    while todo:
        parent = todo.pop()
        for p, (pp, _) in procs.items():
            if pp == parent and p not in found:
                found.add(p)
                todo.append(p)
    return found


class TwoNodes:
    """`with TwoNodes(folder) as c:` c.address ("127.0.0.1:PORT"), c.head_node / c.worker_node
    (node ids), c.kill_worker() (SIGKILLs the worker node's raylet: the node is lost)."""

    def __init__(self, folder: Path, cpus: int = 1):
        self.folder = Path(folder)
        self.cpus = cpus
        self.temp = self.folder / "t"
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.worker_pids: set[int] = set()
        self._worker_node: str | None = None

    def _env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
        root = str(Path(__file__).resolve().parents[1])
        env.update(ENV, PYTHONPATH=os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p))
        return env

    def _start(self, *args: str) -> None:
        ports = ["--dashboard-agent-listen-port", str(free_port()), "--dashboard-agent-grpc-port", str(free_port()),
                 "--metrics-export-port", str(free_port()), "--runtime-env-agent-port", str(free_port())]
        subprocess.run([sys.executable, "-c", RAY_START, "start", f"--num-cpus={self.cpus}",
                        "--node-ip-address=127.0.0.1", "--disable-usage-stats", *ports, *args],
                       env=self._env(), check=True, capture_output=True, timeout=START_S)

    def mine(self) -> set[int]:
        """This cluster's processes: those naming its folder, and their descendants."""
        procs = processes()
        found = {p for p, (_, cmd) in procs.items() if str(self.temp) in cmd}
        grew = True
        while grew:
            more = {p for p, (pp, _) in procs.items() if pp in found} - found
            found |= more
            grew = bool(more)
        return found

    def __enter__(self):
        self.temp.mkdir(parents=True, exist_ok=True)
        try:
            self._start("--head", f"--port={self.port}", "--include-dashboard=false", f"--temp-dir={self.temp}",
                        f"--dashboard-port={free_port()}")
            before = self.mine()
            self._start(f"--address={self.address}", f"--temp-dir={self.temp}")
            self.worker_pids = self.mine() - before
        except BaseException:
            self.stop()
            raise
        return self

    def raylet_of_worker(self) -> int:
        procs = processes()
        return next(p for p in self.worker_pids if p in procs and "/raylet " in procs[p][1] + " ")

    def worker_node(self) -> str:
        """The worker node's Ray id (of a driver connected to the cluster): the node that is not
        the head."""
        if self._worker_node is None:
            import ray
            self._worker_node = next(n["NodeID"] for n in ray.nodes()
                                     if n["Alive"] and "node:__internal_head__" not in n["Resources"])
        return self._worker_node

    def kill_worker(self) -> None:
        """The worker node lost at once: its raylet SIGKILLed (its workers end with it)."""
        os.kill(self.raylet_of_worker(), signal.SIGKILL)

    def stop(self) -> None:
        """SIGKILL every process of this cluster, and wait until none is left."""
        deadline = time.monotonic() + 30
        while (left := self.mine()) and time.monotonic() < deadline:
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.2)
        assert not self.mine(), f"Ray processes left behind: {sorted(self.mine())}"

    def __exit__(self, *exc):
        self.stop()
        return False


def loopback_driver() -> None:
    """This process, as a Ray driver, on 127.0.0.1 too (as the nodes are) and without a token."""
    import ray._private.services as services
    os.environ.update(ENV)
    services.get_node_ip_address = lambda address=None: "127.0.0.1"
