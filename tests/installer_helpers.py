"""What the installer tests share: installer/'s modules loaded by path (installer/ is not a
package), and installer/aegui.spec run with PyInstaller's classes replaced by recorders."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "installer" / "aegui.spec"
SPEC_CLASSES = ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE")


def load_installer(name: str):
    """installer/<name>.py as a module."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "installer" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Recorder:
    """Stands in for one of PyInstaller's spec classes: keeps what the spec passed it."""
    calls: dict = {}

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs
        self.datas, self.binaries, self.pure, self.scripts = [], [], [], []
        Recorder.calls.setdefault(type(self).__name__, []).append(self)


def run_spec(folder: Path, **classes) -> dict:
    """Runs the spec with a Recorder for each PyInstaller class (those in `classes` replace
    them), DISTPATH and workpath in `folder`; returns {class name: [recorded instances]}.
    Callers patch sys.path (the spec inserts installer/) and sys.platform themselves."""
    names = {name: type(name, (Recorder,), {}) for name in SPEC_CLASSES}
    names.update(classes)
    Recorder.calls = {}
    namespace = dict(names, SPECPATH=str(SPEC.parent), DISTPATH=str(folder), workpath=str(folder),
                     __file__=str(SPEC))
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
    return Recorder.calls
