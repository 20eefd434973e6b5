"""A model's lock file (`.model.lock`) is written and later deleted, so whatever already sits at
its name must never be followed, truncated, deleted or waited on: a symbolic link there sent the
pid into the file it pointed at and then deleted that file. Each such thing is refused with one
sentence naming the lock's path and saying to remove it, and left exactly as it was; a lock left
by a process that ended is still taken over, and a full disk while the pid is written names the
lock file."""
import errno
import os
import stat
import subprocess
import sys

import pytest

from aegui.core.files import lock

VICTIM = b"the user's own notes\n" * 3


def _victim(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_bytes(VICTIM)
    return victim


def _make(kind: str, at, victim):
    """Put `kind` at the lock's path `at`."""
    if kind == "link to a file":
        os.symlink(victim, at)
    elif kind == "dangling link":
        os.symlink(victim.with_name("not-there-yet.txt"), at)
    elif kind == "link to a folder":
        os.symlink(victim.parent, at)
    elif kind == "hard link":
        os.link(victim, at)
    elif kind == "fifo":
        os.mkfifo(at)
    elif kind == "folder":
        at.mkdir()
        (at / "inside.txt").write_bytes(VICTIM)
    elif kind == "other contents":
        at.write_bytes(VICTIM)
    elif kind == "other user's":
        at.write_text("12345\n")
        os.chown(at, 65534, -1)


def _state(path):
    """What is at `path`, as far as a refused lock must leave it unchanged."""
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        return ("link", os.readlink(path))
    if stat.S_ISDIR(st.st_mode):
        return ("folder", sorted(p.name for p in path.iterdir()))
    if stat.S_ISREG(st.st_mode):
        return ("file", path.read_bytes(), st.st_nlink, st.st_uid)
    return (stat.S_IFMT(st.st_mode),)


KINDS = {
    "link to a file": "symbolic link",
    "dangling link": "symbolic link",
    "link to a folder": "symbolic link",
    "hard link": "other names",
    "fifo": "named pipe",
    "folder": "is a folder",
    "other contents": "other data",
    "other user's": "another user",
}


@pytest.mark.parametrize("kind", KINDS)
def test_what_is_not_a_lock_file_of_ours_is_refused_and_left_untouched(tmp_path, kind):
    from fuzzing import in_child
    if kind == "other user's" and os.geteuid() != 0:
        pytest.skip("giving a file to another user needs root")
    folder = tmp_path / "model"
    folder.mkdir()
    victim = _victim(tmp_path)
    at = lock.lock_path(folder, "model")
    _make(kind, at, victim)
    before = _state(at)

    def take():
        lock.release(lock.acquire(folder))
    # In a child with a time limit: a named pipe must never be waited on.
    outcome, message = in_child(take, (lock.FolderBusy,), 30)
    assert victim.read_bytes() == VICTIM
    assert _state(at) == before
    assert not victim.with_name("not-there-yet.txt").exists()
    assert outcome == "NotALock", (outcome, message)
    assert message.startswith(f"{at}: ") and KINDS[kind] in message, message
    assert "remove it" in message and "\n" not in message


def test_a_link_to_the_lock_of_a_live_writer_is_not_followed_either(tmp_path):
    """The link points at a real lock file that another model's writer holds: refused as a
    link, not reported as that writer's lock, and that lock file is kept."""
    other = tmp_path / "other"
    held = lock.acquire(other)
    try:
        folder = tmp_path / "model"
        folder.mkdir()
        os.symlink(held, lock.lock_path(folder, "model"))
        with pytest.raises(lock.FolderBusy, match="symbolic link"):
            lock.acquire(folder)
        assert held.read_text().strip() == str(os.getpid())
    finally:
        lock.release(held)


def test_a_lock_left_by_a_process_that_ended_is_replaced_by_one_of_our_own(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait(timeout=60)
    at = lock.lock_path(tmp_path, "model")
    at.write_text(f"{dead.pid}\n")
    held = lock.acquire(tmp_path)
    try:
        assert held.read_text() == f"{os.getpid()}\n"
        assert stat.S_ISREG(os.lstat(at).st_mode) and os.stat(at).st_nlink == 1
    finally:
        lock.release(held)
    assert not at.exists()


def test_an_empty_lock_file_is_taken_over(tmp_path):
    """A writer killed between making the file and writing its pid leaves it empty."""
    at = lock.lock_path(tmp_path, "model")
    at.touch()
    lock.release(lock.acquire(tmp_path))
    assert not at.exists()


def test_a_full_disk_while_the_pid_is_written_names_the_lock_file_and_leaves_no_lock(tmp_path, monkeypatch):
    from aegui.core.files.errors import user_message

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(lock.os, "write", full)
    with pytest.raises(OSError) as info:
        lock.acquire(tmp_path / "m")
    monkeypatch.undo()
    at = lock.lock_path(tmp_path / "m", "model")
    assert user_message(info.value) == f"{at}: the disk is full; free some space and try again"
    assert not at.exists()
    lock.release(lock.acquire(tmp_path / "m"))      # nothing was left held


def test_release_never_deletes_a_file_put_in_the_locks_place(tmp_path):
    """Whatever replaced the lock file while it was held (a user's file moved there) stays."""
    held = lock.acquire(tmp_path)
    try:
        os.unlink(held)
        held.write_bytes(VICTIM)
    finally:
        lock.release(held)
    assert held.read_bytes() == VICTIM
