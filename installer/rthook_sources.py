"""PyInstaller runtime hook: the bundle's modules get their Python source from _internal/sources.zip.

torch reads the source of some of its own modules while it runs: `import torch` registers
operators whose registration looks up the caller's line (inspect.getframeinfo), its config
modules parse their own text, TorchScript compiles functions from their source, and
traceback.format_stack (torch.cuda's lazy calls) shows source lines. PyInstaller's torch hook
therefore collects all of torch's .py files beside their bytecode: 25 MB. The spec packs them into
one compressed archive instead (6 MB), and this hook makes the bundle's module loader serve a
module's source from it when the .py file is not on disk. Python's linecache and inspect already
ask a module's loader for its source (PEP 302 `get_source`) when the file is missing, so every one
of those readers finds the text as before, and nothing else in the bundle changes.

tests/test_installer.py checks serve_sources with a stand-in loader; a bundle whose sources are
neither on disk nor served fails `--smoke` at `import torch`.
"""
import os
import sys
import threading
import zipfile

ARCHIVE = "sources.zip"


def serve_sources(loader_class, archive_path, root):
    """Makes loader_class.get_source fall back to archive_path, where a module's source is stored
    under its file's path relative to root ('torch/nn/functional.py')."""
    original = loader_class.get_source
    lock = threading.Lock()
    opened = []

    def get_source(self, fullname):
        source = original(self, fullname)
        if source is not None:
            return source
        name = os.path.relpath(getattr(self, "path", "") or "", root).replace(os.sep, "/")
        if not name.endswith(".py") or name.startswith("../"):
            return None
        try:
            with lock:
                if not opened:
                    opened.append(zipfile.ZipFile(archive_path))
                data = opened[0].read(name)
        except (OSError, KeyError, zipfile.BadZipFile):
            return None
        import importlib.util
        return importlib.util.decode_source(data)

    loader_class.get_source = get_source


if getattr(sys, "frozen", False) and os.path.isfile(os.path.join(sys._MEIPASS, ARCHIVE)):
    import pyimod02_importers

    serve_sources(pyimod02_importers.PyiFrozenLoader, os.path.join(sys._MEIPASS, ARCHIVE), sys._MEIPASS)
