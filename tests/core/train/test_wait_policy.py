"""The window's OpenMP wait policy: idle threads sleep unless the user chose how they wait, and
nothing is changed once torch is in (libgomp has read the variable by then, so setting it would
only claim a policy that is not in force)."""
from __future__ import annotations

import subprocess
import sys

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
