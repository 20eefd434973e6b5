"""The OpenMP wait policy of the window and the command line: idle threads sleep unless the user
chose how they wait, and nothing is changed once torch is in (libgomp has read the variable by
then, so setting it would only claim a policy that is not in force)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from aegui.core.train.threads import idle_threads_sleep


def test_idle_threads_sleep_where_the_user_chose_nothing(monkeypatch):
    monkeypatch.delitem(sys.modules, "torch", raising=False)
    env = {"PATH": "/bin"}
    assert idle_threads_sleep(env) is True
    assert env == {"PATH": "/bin", "OMP_WAIT_POLICY": "PASSIVE"}


def test_the_users_choice_is_kept(monkeypatch):
    monkeypatch.delitem(sys.modules, "torch", raising=False)
    for chosen in ({"OMP_WAIT_POLICY": "ACTIVE"}, {"GOMP_SPINCOUNT": "10000"}):
        env = dict(chosen)
        assert idle_threads_sleep(env) is False
        assert env == chosen


def test_nothing_changes_once_torch_is_in():
    code = ("import os, torch; from aegui.core.train.threads import idle_threads_sleep; "
            "os.environ.pop('OMP_WAIT_POLICY', None); os.environ.pop('GOMP_SPINCOUNT', None); "
            "print(idle_threads_sleep(), os.environ.get('OMP_WAIT_POLICY'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "None"]


def test_the_command_line_lets_idle_threads_sleep():
    """`aegui ...` as a program sets the policy before any command imports torch; main(argv) called
    from Python (a test, a notebook) leaves the caller's environment alone."""
    code = ("import os, sys; from aegui.cli import main; os.environ.pop('OMP_WAIT_POLICY', None); "
            "os.environ.pop('GOMP_SPINCOUNT', None); "
            "sys.argv = ['aegui', '--version']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(os.environ.get('OMP_WAIT_POLICY'), 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-2:] == ["PASSIVE", "False"]


def test_a_command_called_from_python_leaves_the_environment_alone(monkeypatch):
    from aegui.cli import main
    monkeypatch.delitem(sys.modules, "torch", raising=False)     # as if it were not in yet
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    monkeypatch.delenv("GOMP_SPINCOUNT", raising=False)
    with pytest.raises(SystemExit):
        main(["--version"])
    assert "OMP_WAIT_POLICY" not in os.environ
