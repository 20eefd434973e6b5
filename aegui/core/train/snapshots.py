"""Latent replay: bounded snapshots of every shown sample's code while a model trains.

A store keeps at most `capacity` snapshots spread over the run however long it is: it takes
every `stride`-th offer, and when full it drops every other snapshot and doubles the stride,
so the kept epochs stay evenly spread (1, 3, 5 ... then 1, 5, 9 ...). The last epoch is always
kept (`add(..., final=True)`). Encoding happens only for offers the store takes, so the cost of
recording is bounded too (about capacity x log2(epochs / capacity) encodes in a run).

Saved beside the model as <weights stem>.replay.safetensors (codes [S, N, L], epochs [S],
losses [S]); the model's JSON sidecar names the file and its hash. Never pickle.
"""
from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_CAPACITY = 60
REPLAY_SAMPLES = 1000    # codes recorded per snapshot at most (the latent canvas shows as many)


@dataclass
class Snapshot:
    """The shown samples' codes at one epoch of a run, with the loss then."""
    epoch: int
    loss: float
    codes: np.ndarray      # [N, L] float32


class SnapshotStore:
    """Thread-safe: the training thread adds, the GUI thread reads copies."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY):
        if capacity < 2:
            raise ValueError("a replay needs room for at least two snapshots")
        self.capacity = int(capacity)
        self.stride = 1
        self._offers = 0
        self._items: list[Snapshot] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def wants(self) -> bool:
        """Whether the next offer will be taken (ask before paying for the encode)."""
        return self._offers % self.stride == 0

    def offer(self, epoch: int, loss: float, encode) -> bool:
        """Take a snapshot if it is due; `encode()` returns the codes [N, L] and is only called
        then. Returns True if it was taken."""
        due = self.wants()
        self._offers += 1
        if due:
            self.add(epoch, loss, encode())
        return due

    def add(self, epoch: int, loss: float, codes, final: bool = False) -> None:
        """Keeps the codes of an epoch (replacing a snapshot of the same epoch); when full, every other snapshot
        is dropped first (the first epoch stays). ValueError for codes of another shape."""
        codes = np.array(codes, dtype=np.float32, copy=True)
        if codes.ndim == 1:
            codes = codes[:, None]
        with self._lock:
            items = self._items
            if items and items[-1].epoch == epoch:
                items[-1] = Snapshot(int(epoch), float(loss), codes)
                return
            if items and codes.shape != items[0].codes.shape:
                raise ValueError(f"snapshot codes {codes.shape} differ from the first {items[0].codes.shape}")
            if len(items) >= self.capacity:
                # Keep the even positions (the first epoch stays); later offers come twice as rarely.
                self._items = items = items[::2]
                self.stride *= 2
            items.append(Snapshot(int(epoch), float(loss), codes))

    def snapshots(self) -> list[Snapshot]:
        """A copy of the snapshots, oldest first."""
        with self._lock:
            return list(self._items)

    def epochs(self) -> np.ndarray:
        """The epochs of the snapshots kept."""
        with self._lock:
            return np.array([s.epoch for s in self._items], dtype=np.int64)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(codes [S, N, L], epochs [S], losses [S])."""
        items = self.snapshots()
        if not items:
            return np.zeros((0, 0, 0), np.float32), np.zeros(0, np.int64), np.zeros(0, np.float32)
        return (np.stack([s.codes for s in items]), np.array([s.epoch for s in items], np.int64),
                np.array([s.loss for s in items], np.float32))

    @classmethod
    def from_arrays(cls, codes, epochs, losses, capacity: int | None = None) -> "SnapshotStore":
        """A store holding these codes, epochs and losses (read back from a model's replay file)."""
        store = cls(max(2, capacity or len(epochs), len(epochs)))
        for c, e, l in zip(codes, epochs, losses):
            store.add(int(e), float(l), c)
        return store


class ReplayRecorder:
    """Feeds a store from a running TrainingSession: the codes of `x` (the samples the latent
    canvas shows) under the best model so far, at the epochs the store takes, and at the end."""

    def __init__(self, x, store: SnapshotStore | None = None, labels=None):
        self.x = np.asarray(x, dtype=np.float32)
        self.store = store if store is not None else SnapshotStore()
        self.labels = labels

    def _codes(self, session) -> np.ndarray:
        from aegui.core.models.latent import encode
        return encode(session.best_model(), self.x)

    def record(self, session, rec) -> bool:
        """Call with each ProgressRecord; True when a snapshot was taken."""
        loss = float(rec.losses.get("total", np.nan))
        if rec.done:
            self.store.add(rec.epoch, loss, self._codes(session), final=True)
            return True
        return self.store.offer(rec.epoch, loss, lambda: self._codes(session))


class ReplayError(ValueError):
    """A replay file that cannot be used; the message names the file and what to do."""


def replay_path(weights_path) -> Path:
    """The replay file beside a model's weights: NAME.replay.safetensors."""
    p = Path(weights_path)
    return p.with_name(p.stem + ".replay.safetensors")


def save_replay(weights_path, store: SnapshotStore, labels=None) -> dict:
    """Write the store beside the model's weights; returns the sidecar entry that names it (and
    the snapshots' sample labels, so the replay can be drawn without the dataset)."""
    from safetensors.numpy import save as st_save

    from aegui.core.files.atomic import atomic_write_bytes
    codes, epochs, losses = store.arrays()
    if len(epochs) == 0:
        raise ReplayError("no snapshots to save: train the model with replay recording on")
    blob = st_save({"codes": codes, "epochs": epochs, "losses": losses}, metadata={"format": "aegui-replay"})
    path = replay_path(weights_path)
    atomic_write_bytes(path, blob)
    entry = {"file": path.name, "sha256": hashlib.sha256(blob).hexdigest(), "snapshots": int(len(epochs)),
             "capacity": store.capacity}
    if labels is not None:
        if len(labels) != codes.shape[1]:
            raise ReplayError(f"{len(labels)} labels for {codes.shape[1]} samples in the replay")
        entry["labels"] = [str(s) for s in labels]
    return entry


def load_replay(weights_path, entry: dict | None = None) -> SnapshotStore:
    """The snapshots saved beside a model; `entry` is the sidecar's "replay" dict (checks the hash)."""
    from safetensors.numpy import load as st_load
    path = Path(weights_path).with_name(entry["file"]) if entry and entry.get("file") else replay_path(weights_path)
    from aegui.core.files.userfile import read_file
    try:
        blob = read_file(path, "replay")
    except FileNotFoundError:
        raise ReplayError(f"{path}: no replay saved with this model; train it in aegui with replay "
                          "recording on and save it") from None
    except OSError as e:
        from aegui.core.files.errors import user_message
        raise ReplayError(user_message(e, path)) from None
    if blob[:1] == b"\x80" or blob[:2] == b"PK":
        raise ReplayError(f"{path}: this is a pickle, which aegui never loads; it is not a replay file")
    if entry and entry.get("sha256") and entry["sha256"] != hashlib.sha256(blob).hexdigest():
        raise ReplayError(f"{path}: the replay does not match the hash in the model's JSON file; "
                          "the files were changed or mixed up")
    try:
        t = st_load(blob)
        codes, epochs, losses = t["codes"], t["epochs"], t["losses"]
    except Exception as e:   # safetensors raises its own error types for corrupt data
        raise ReplayError(f"{path}: not a readable replay file ({e})") from None
    if codes.ndim != 3 or len(codes) != len(epochs) or len(epochs) != len(losses):
        raise ReplayError(f"{path}: the replay's arrays do not fit together (codes {codes.shape}, "
                          f"{len(epochs)} epochs, {len(losses)} losses)")
    order = np.argsort(epochs, kind="stable")
    return SnapshotStore.from_arrays(codes[order], epochs[order], losses[order],
                                     (entry or {}).get("capacity"))
