"""How OpenMP's idle threads wait in the window and on the command line: they sleep soon unless the
user chose how they wait (torch's libgomp spins briefly, GOMP_SPINCOUNT=1000; another OpenMP gets the
standard OMP_WAIT_POLICY=PASSIVE), and nothing is changed once torch is in (OpenMP has read the
variables by then, so setting one would only claim a policy that is not in force)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from aegui.core.train import threads
from aegui.core.train.threads import how_openmp_waits, idle_threads_sleep


@pytest.mark.parametrize("libgomp, chosen", [(True, {"GOMP_SPINCOUNT": "1000"}),
                                             (False, {"OMP_WAIT_POLICY": "PASSIVE"})])
def test_idle_threads_sleep_where_the_user_chose_nothing(monkeypatch, libgomp, chosen):
    monkeypatch.delitem(sys.modules, "torch", raising=False)
    monkeypatch.setattr(threads, "torch_uses_libgomp", lambda: libgomp)
    env = {"PATH": "/bin"}
    assert idle_threads_sleep(env) == how_openmp_waits(chosen)
    assert env == {"PATH": "/bin", **chosen}


def test_the_users_choice_is_kept(monkeypatch):
    monkeypatch.delitem(sys.modules, "torch", raising=False)
    for chosen in ({"OMP_WAIT_POLICY": "ACTIVE"}, {"GOMP_SPINCOUNT": "10000"}):
        env = dict(chosen)
        assert idle_threads_sleep(env) == ""
        assert env == chosen


def test_the_installed_torch_is_found_to_carry_libgomp_on_linux():
    """The wheel this project installs on Linux links GNU's OpenMP; finding it must not import torch."""
    if not sys.platform.startswith("linux"):
        pytest.skip("torch's Linux wheels carry libgomp; other systems' carry another OpenMP")
    code = ("import sys; from aegui.core.train.threads import torch_uses_libgomp as f; "
            "print(f(), 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["True", "False"], out.stderr


def test_nothing_changes_once_torch_is_in():
    code = ("import os, torch; from aegui.core.train.threads import idle_threads_sleep; "
            "os.environ.pop('OMP_WAIT_POLICY', None); os.environ.pop('GOMP_SPINCOUNT', None); "
            "print(repr(idle_threads_sleep()), os.environ.get('OMP_WAIT_POLICY'), os.environ.get('GOMP_SPINCOUNT'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["''", "None", "None"]


def test_the_command_line_lets_idle_threads_sleep():
    """`aegui ...` as a program sets it before any command imports torch; main(argv) called from Python
    (a test, a notebook) leaves the caller's environment alone."""
    code = ("import os, sys; from aegui.cli import main; from aegui.core.train.threads import how_openmp_waits; "
            "os.environ.pop('OMP_WAIT_POLICY', None); os.environ.pop('GOMP_SPINCOUNT', None); "
            "sys.argv = ['aegui', '--version']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(how_openmp_waits() or '-', 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    expected = "GOMP_SPINCOUNT=1000" if threads.torch_uses_libgomp() else "OMP_WAIT_POLICY=PASSIVE"
    assert out.stdout.split()[-2:] == [expected, "False"]


def test_a_command_called_from_python_leaves_the_environment_alone(monkeypatch):
    from aegui.cli import main
    monkeypatch.delitem(sys.modules, "torch", raising=False)     # as if it were not in yet
    for name in threads.USER_CHOSEN:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit):
        main(["--version"])
    assert how_openmp_waits() == ""
