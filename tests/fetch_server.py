"""A local HTTP server on 127.0.0.1 serving tiny MNIST-style .gz files, with a catalogue entry
"tiny" pointing at it (tests never reach beyond this machine)."""
import contextlib
import functools
import hashlib
import http.server
import threading

import numpy as np

from aegui.core.data import catalogue
from aegui.core.data.catalogue import DataFile, Entry
from aegui.core.data.mnist_files import write_idx


class _Quiet(http.server.SimpleHTTPRequestHandler):
    requests_seen: list = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        type(self).requests_seen.append(self.path)
        super().do_GET()


@contextlib.contextmanager
def serve_tiny(tmp_path):
    """A folder served on 127.0.0.1 with tiny MNIST-style .gz files, and a catalogue entry
    "tiny" pointing at it with those files' SHA-256."""
    root = tmp_path / "www" / "tiny"
    root.mkdir(parents=True)
    rng = np.random.default_rng(0)
    names = {}
    for split, n in (("train", 40), ("t10k", 10)):
        names[f"{split}_images"] = write_idx(root / f"{split}-images-idx3-ubyte.gz",
                                             rng.integers(0, 256, (n, 8, 8)).astype(np.uint8))
        names[f"{split}_labels"] = write_idx(root / f"{split}-labels-idx1-ubyte.gz", np.arange(n) % 3)
    roles = {"train_images": "train_images", "train_labels": "train_labels",
             "t10k_images": "test_images", "t10k_labels": "test_labels"}
    files = tuple(DataFile(p.name, "sha256:" + hashlib.sha256(p.read_bytes()).hexdigest(), roles[k])
                  for k, p in names.items())
    handler = functools.partial(_Quiet, directory=str(tmp_path / "www"))
    _Quiet.requests_seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/tiny/"
    entry = Entry("tiny", "tiny test set", (base,), files, "test license", "test citation", "",
                  ("zero", "one", "two"))
    saved = dict(catalogue.ENTRIES)
    catalogue.ENTRIES["tiny"] = entry
    try:
        yield {"entry": entry, "root": root, "server": server, "base": base}
    finally:
        catalogue.ENTRIES.clear()
        catalogue.ENTRIES.update(saved)
        server.shutdown()
        server.server_close()
