"""Every benchmark still runs, and so does every command of `make fuzz`, `make soak`, `make bench`,
`make report`, `make fingerprints` and `make tolerances`.

tests/test_bench_imports.py checks that the names a benchmark imports exist; a call to a method
that was removed passed it: bench/soak.py called `MainWindow.start_training` long after the
window stopped holding training, and `make soak` died at its first run. Here each script in
bench/ is run for real, in its own process, through its command-line entry (main()): with the
options the Makefile gives it, then the smallest sizes it takes (SMALLEST), which come last and
so win. It must exit 0, print what it reports, leave the checkout as it was (a benchmark that
writes its page into docs/ is pointed at a temporary file) and leave nothing in its temp folder
(bench/soak.py left its settings folder behind at every run: the window wrote its settings again
at exit, after the folder was removed). What they measure at these sizes means nothing; that they
run is the point. All of them take about 100 s of CPU time.

Scripts that need the real MNIST files run only where ../shared/data/mnist is (not in a clean
clone); those that need Ray or Optuna only where the `cluster` extra is installed, Ray on a local
instance on 127.0.0.1. Those that can use a GPU run on the CPU.

The Makefile's targets are read with `make -n` (the commands make would run, its variables
expanded): each command of `make fuzz` and `make fingerprints` names test files that exist (the
suite runs them, with fewer examples or comparing rather than writing) and sets an environment
variable that those files, or the helpers they import, read; each of `make soak` and `make bench` runs a script that exists and is run above with the
same options; `make report`'s command lists its experiments (--list) and runs none.
"""
from __future__ import annotations

import ast
import importlib.util
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
PY = sys.executable
TARGETS = ("fuzz", "soak", "bench", "report", "fingerprints", "tolerances")
RUN_LIMIT_S = 240       # one benchmark's smallest run takes seconds; this is only against a hang
PARALLEL = 2            # benchmarks running at once

# The smallest run of each script: extra options ({tmp}: a temporary folder), what its output
# must hold (JSON: its last line is a JSON object), and what it needs beyond a clean clone.
SMALLEST = {
    "analyses.py": (["--quick"], "JSON", ()),
    "batched_vs_sequential.py": (["--k", "2", "--epochs", "2"], "JSON", ()),
    "conv_layers.py": (["--batches", "2", "--steps", "1", "--gemm-sizes", "64", "--repeats", "1"], "JSON", ()),
    "conv_step.py": (["--batches", "2", "--steps", "1", "--rounds", "1", "--gemm-sizes", "64", "--repeats", "1"],
                     "JSON", ()),
    "denoiser_limits.py": (["--seeds", "1", "--repeats", "1", "--epochs", "1", "--jobs", "1",
                            "--out", "{tmp}/denoiser-limits.md"], "# What a 5x7 denoiser can do", ()),
    "emoji_vae_vs_reference.py": (["--seconds", "0.01", "--check-every", "1"], "JSON", ()),
    "font_targets.py": (["--runs", "1"], "JSON", ()),
    "general_denoiser.py": (["--seeds", "1", "--repeats", "1", "--epochs", "1", "--jobs", "1",
                             "--out", "{tmp}/general-denoiser.md"], "# The general 5x7 denoisers", ()),
    "general_denoiser_recipes.py": (['{"epochs": 1, "layers": [35, 8, 35]}', "--seeds", "1", "--repeats", "1"],
                                    "JSON", ()),
    "gpu_vs_plain.py": (["--device", "cpu", "--quick", "--k", "2"], "JSON", ()),
    "gpu_report_rows.py": (["--device", "cpu", "--quick", "--rounds", "1", "--skip-rows"], "JSON", ("mnist",)),
    "gpu_report_rows.py one row": (["--device", "cpu", "--skip-one", "--one-row", "000-inits", "--budget", "120"],
                                   '"whole": true', ()),
    "gui_latency.py": (["--moves", "8", "--seconds", "0.1", "--stops", "1", "--teach-epochs", "2"], "JSON", ()),
    "gui_training_speed.py": (["--rounds", "1", "--seconds", "1", "--samples", "300", "--policies", "PASSIVE,team"],
                              "JSON", ("mnist",)),
    "memory_estimate.py": (["--only", "font3 35-25-10-2 adam K=1"], "JSON", ()),
    "mnist_presets.py": (["--synthetic", "--n", "600", "--only", "mnist-vae"], "JSON", ()),
    "mnist_scale.py": (["--rounds", "1", "--n", "128"], "JSON", ()),
    "preset_times.py": (["--only", "seed000-inits", "--epochs", "1", "--seeds", "1"], "JSON", ()),
    "report_floor.py": (["--gemm-sizes", "64", "--repeats", "1", "--steps", "1", "--images", "1",
                         "--rows", "003-embedding-mnist"], "JSON", ()),
    "report_ray.py": (["--epochs", "2", "--seeds", "1"], "JSON", ("ray",)),
    "rounding_growth.py": (["--epochs", "20", "--every", "10"], "JSON", ()),
    "search_vs_grid.py": (["--epochs", "2", "--seeds", "1", "--trials", "2"], "as good as the grid's best",
                          ("optuna",)),
    "soak.py": (["--minutes", "0.05", "--epochs", "100", "--sample-every", "1"], "JSON", ()),
    "startup.py": (["--runs", "1", "--warm-ups", "0"], "JSON", ()),
    "sweep_ray.py": (["--epochs", "1", "--seeds", "1", "--cpus", "1"], "same numbers as the local run", ("ray",)),
    "sweep_vs_sequential.py": (["--epochs", "1", "--seeds", "1", "--phases", "cli,gui,runner,plain"], "JSON", ()),
    "sweep_vs_sequential.py grid": (["--phases", "grid", "--grid-samples", "64", "--grid-epochs", "1",
                                     "--grid-stacks", "0"], "JSON", ("mnist",)),
    "teach.py": (["--seeds", "1", "--repeats", "1", "--local-epochs", "1", "--epochs", "1",
                  "--out", "{tmp}/teach.md"], "# Teaching the general 5x7 denoiser", ()),
}
# Scripts without an entry of their own, and the benchmark whose run uses them.
LIBRARIES = {"font_reference.py": "font_targets.py", "two_nodes.py": "report_ray.py"}
SKIPPED_IN_TREE = ("__pycache__", ".git", ".venv", ".pytest_cache", "build", "dist")


def make_commands(*targets: str, **variables: str) -> list[list[str]]:
    """The commands `make -n` prints for `targets` (variables expanded, the venv taken as made,
    $(PY) this Python), each split as the shell would; [] where make is not installed."""
    if shutil.which("make") is None:
        return []
    # VENV given (not taken from the environment) so that -o names the stamp the targets depend on.
    out = subprocess.run(["make", "--no-print-directory", "-n", "-o", ".venv/.aegui-installed", "VENV=.venv",
                          f"PY={PY}", *(f"{k}={v}" for k, v in variables.items()), *targets],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    return [shlex.split(line) for line in out.stdout.splitlines() if line.strip()]


def split_env(argv: list[str]) -> tuple[dict[str, str], list[str]]:
    """A command's leading VAR=value assignments, and the rest."""
    env = {}
    while argv and "=" in argv[0] and argv[0].split("=")[0].isidentifier():
        key, _, value = argv[0].partition("=")
        env[key], argv = value, argv[1:]
    return env, argv


def makefile_options() -> dict[str, list[str]]:
    """script name -> the options `make soak` / `make bench` give it."""
    found = {}
    for argv in make_commands("soak", "bench", SOAK_MINUTES="0.1"):
        _, argv = split_env(argv)
        if argv[:1] == [PY] and len(argv) > 1 and argv[1].startswith("bench/"):
            found[Path(argv[1]).name] = argv[2:]
    return found


def tree_state() -> dict[str, tuple[int, int]]:
    """Every file of the checkout (not caches, the venv or build output): (size, mtime in ns)."""
    state = {}
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIPPED_IN_TREE and not d.endswith(".egg-info")]
        for name in files:
            if name == ".pytest-crash.txt" or name.endswith(".pyc"):
                continue
            st = os.stat(os.path.join(folder, name))
            state[os.path.relpath(os.path.join(folder, name), ROOT)] = (st.st_size, st.st_mtime_ns)
    return state


def missing(needs) -> str | None:
    """Why a run cannot be made here (a package not installed), or None."""
    for need in needs:
        if need in ("ray", "optuna") and importlib.util.find_spec(need) is None:
            return f"needs {need} (the cluster extra: pip install -e '.[cluster]')"
    return None


def child_env(home: Path, temp: Path | None) -> dict[str, str]:
    """A benchmark's environment: this checkout's aegui, the test's home, offscreen; `temp` its
    temp folder (None: the system's; Ray's socket paths do not fit under pytest's folders)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AEGUI_HOME": str(home), "QT_QPA_PLATFORM": "offscreen",
           "RAY_USAGE_STATS_ENABLED": "0"}
    if temp is not None:
        env["TMPDIR"] = str(temp)
    return env


def shown(proc: subprocess.CompletedProcess) -> str:
    return f"exit {proc.returncode}\n--- stdout (end)\n{proc.stdout[-3000:]}\n--- stderr (end)\n{proc.stderr[-3000:]}"


def check_output(stdout: str, expect: str) -> None:
    """The run reported what it measures: its last line a JSON object, or `expect` in its output;
    and no JSON line of it names an error."""
    lines = [ln for ln in stdout.splitlines() if ln.strip()]
    assert lines, "the benchmark printed nothing"
    for line in lines:
        if line.startswith("{"):
            assert "error" not in json.loads(line), line
    if expect == "JSON":
        assert isinstance(json.loads(lines[-1]), dict), lines[-1]
    else:
        assert expect in stdout


@dataclass
class Run:
    """One benchmark's run: the command, its home and temp folder (None: the system's), the
    process once it ended, and when it ran (ns, the clock of file times)."""
    argv: list[str]
    home: Path
    temp: Path | None
    proc: subprocess.CompletedProcess | None = None
    start_ns: int = 0
    end_ns: int = 0


def prepare(name: str, options: list[str], folder: Path, mnist: Path | None) -> Run:
    """The run's command and folders: its own home (the MNIST files registered there, as `aegui
    data add mnist FOLDER` does, when it needs them), its outputs and temp folder in `folder`."""
    extra, _, needs = SMALLEST[name]
    home = folder / "home"
    home.mkdir()
    if "mnist" in needs:
        from aegui.core.data.local_files import register
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("AEGUI_HOME", str(home))
            register("mnist", mnist)
    temp = None if "ray" in needs else folder / "temp"
    if temp is not None:
        temp.mkdir()
    argv = [PY, f"bench/{name.split()[0]}", *options, *(a.replace("{tmp}", str(folder)) for a in extra)]
    return Run(argv, home, temp)


def execute(run: Run) -> Run:
    run.start_ns = time.time_ns()
    run.proc = subprocess.run(run.argv, cwd=ROOT, env=child_env(run.home, run.temp), capture_output=True,
                              text=True, timeout=RUN_LIMIT_S)
    run.end_ns = time.time_ns()
    return run


def changed_while(before: dict, after: dict, start_ns: int, end_ns: int) -> list[str]:
    """Files of the checkout made, changed or removed between two tree_state()s, the changes
    dated between start_ns and end_ns (a removal cannot be dated: always counted)."""
    return sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p)
                  and (p not in after or start_ns <= after[p][1] <= end_ns))


@pytest.fixture(scope="module")
def make_options():
    return makefile_options()


@pytest.fixture(scope="module")
def bench_runs(request, make_options, tmp_path_factory):
    """(run name -> Future of its Run, the checkout's files before any started): the selected
    benchmarks start at once, PARALLEL at a time, in the order their tests ask for them. Most
    keep one core busy, so two at a time halve the wall time on CI's 2 cores."""
    try:
        mnist = request.getfixturevalue("real_mnist")
    except pytest.skip.Exception:
        mnist = None
    selected = [item.callspec.params["run"] for item in request.session.items
                if item.originalname == "test_every_benchmark_runs_through_its_entry"]
    runnable = [name for name in selected if not missing(SMALLEST[name][2])
                and (mnist is not None or "mnist" not in SMALLEST[name][2])]
    before = tree_state()
    # The two Ray benchmarks run one after the other: side by side, two Ray instances on one machine
    # (a local one and a 2-node cluster) made the cluster's driver lose an object it owned
    # (OwnerDiedError) in a full `make test` on 2 cores.
    with ThreadPoolExecutor(PARALLEL) as pool, ThreadPoolExecutor(1) as ray_pool:
        futures = {name: (ray_pool if "ray" in SMALLEST[name][2] else pool).submit(
                       execute, prepare(name, make_options.get(name.split()[0], []),
                                        tmp_path_factory.mktemp("bench"), mnist))
                   for name in runnable}
        yield futures, before
        pool.shutdown(cancel_futures=True)
        ray_pool.shutdown(cancel_futures=True)


@pytest.mark.parametrize("run", sorted(SMALLEST), ids=sorted(SMALLEST))
def test_every_benchmark_runs_through_its_entry(run, bench_runs, request):
    extra, expect, needs = SMALLEST[run]
    why = missing(needs)
    if why:
        pytest.skip(why)
    if "mnist" in needs:
        request.getfixturevalue("real_mnist")      # skips where the files are not (a clean clone)
    futures, before = bench_runs
    done = futures[run].result()
    proc = done.proc
    assert proc.returncode == 0, f"{shlex.join(done.argv[1:])}: {shown(proc)}"
    check_output(proc.stdout, expect)
    changed = changed_while(before, tree_state(), done.start_ns, done.end_ns)
    assert changed == [], f"the checkout changed while {run} ran: {changed}"
    if done.temp is not None:
        # torch keeps its compile cache there on purpose (torchinductor_<user>), for every later run.
        left = sorted(p.name for p in done.temp.iterdir() if not p.name.startswith("torchinductor_"))
        assert left == [], f"{run} left these in the temp folder: {left}"


def test_every_script_in_bench_is_run_or_used_by_one_that_is():
    scripts = {p.name for p in BENCH.glob("*.py")}
    run = {name.split()[0] for name in SMALLEST}
    assert scripts - run == set(LIBRARIES), "add the new script's smallest run to SMALLEST"
    assert run <= scripts, f"SMALLEST names scripts that are gone: {sorted(run - scripts)}"
    for library, user in LIBRARIES.items():
        tree = ast.parse((BENCH / library).read_text(encoding="utf-8"))
        assert not any(isinstance(n, ast.FunctionDef) and n.name == "main" for n in tree.body), \
            f"{library} has an entry now: give it a run in SMALLEST"
        imported = {a.name for n in ast.walk(ast.parse((BENCH / user).read_text(encoding="utf-8")))
                    if isinstance(n, ast.Import) for a in n.names}
        assert library[:-3] in imported, f"{user} no longer uses {library}"


def test_the_makefile_is_read_as_make_reads_it():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    soak = [split_env(argv) for argv in make_commands("soak", SOAK_MINUTES="0.25")]
    assert soak == [({"QT_QPA_PLATFORM": "offscreen"}, [PY, "bench/soak.py", "--minutes", "0.25"])]
    assert split_env(["A=1", "B_2=x y", "python", "C=3"]) == ({"A": "1", "B_2": "x y"}, ["python", "C=3"])


def imported_test_helpers(path: Path) -> list[Path]:
    """The modules of tests/ that a test file imports by name (tests/core/fuzzing.py ...)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[-1])
        elif isinstance(node, ast.Import):
            names.update(a.name.split(".")[-1] for a in node.names)
    return [p for name in sorted(names) for p in (ROOT / "tests").rglob(f"{name}.py")]


def check_pytest_command(env: dict, argv: list[str]) -> None:
    files = [ROOT / a for a in argv if a.endswith(".py")]
    assert files and all(f.is_file() for f in files), f"{shlex.join(argv)}: a test file is missing"
    texts = "".join(p.read_text(encoding="utf-8") for f in files for p in [f, *imported_test_helpers(f)])
    for name in env:
        if name.startswith("AEGUI_"):
            assert name in texts, f"{shlex.join(argv)}: none of its test files reads {name}"


@pytest.mark.parametrize("target", TARGETS)
def test_each_make_target_runs_what_exists_with_options_it_takes(target, make_options):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    commands = [split_env(argv) for argv in make_commands(target, SOAK_MINUTES="0.1")]
    ours = [(env, argv) for env, argv in commands if argv[:1] == [PY]]
    assert ours, f"make {target} runs nothing with $(PY)"
    for env, argv in ours:
        if argv[1:3] == ["-m", "pytest"]:
            check_pytest_command(env, argv)
        elif argv[1] == "-m" and argv[2].split(".")[0] == "aegui":
            # --list: what the command would run and where it stands, without running it.
            proc = subprocess.run([*argv, "--list"], cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                                  text=True, timeout=RUN_LIMIT_S)
            assert proc.returncode == 0 and proc.stdout.strip(), shown(proc)
        else:
            script = Path(argv[1])
            assert script.parent == Path("bench") and (ROOT / script).is_file(), f"{shlex.join(argv)}: no such script"
            # Its run above starts it with these very options.
            assert script.name in SMALLEST and make_options[script.name] == argv[2:]


def test_tolerances_makes_its_rows_again_where_asked():
    """`make tolerances TOLERANCE_SCRATCH=DIR` makes the rows again in DIR, where a measurement
    stopped midway keeps the runs it finished; left unset, a temporary folder is used.
    TOLERANCE_SETS=compatible makes that kernel set only."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")

    def ours(**variables):
        return [argv for _, argv in map(split_env, make_commands("tolerances", **variables)) if argv[:1] == [PY]]
    (kept,) = ours(TOLERANCE_SCRATCH="/tmp/aegui-kernels-kept")
    assert kept[kept.index("--scratch") + 1] == "/tmp/aegui-kernels-kept"
    (default,) = ours()
    assert "--scratch" not in default and "--variants" not in default and default[-1] == "--write"
    (one,) = ours(TOLERANCE_SETS="compatible")
    assert one[one.index("--variants") + 1] == "compatible"
