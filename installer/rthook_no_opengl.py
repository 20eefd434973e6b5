"""PyInstaller runtime hook: a stand-in for PySide6.QtOpenGL, which the bundle leaves out (8.5 MB).

pyqtgraph imports Qt's OpenGL binding whenever its curves are imported (PlotCurveItem, and its
Qt.OpenGLHelpers), but only reads from it to draw with OpenGL, which is off unless a program turns
pyqtgraph's `useOpenGL` on; aegui never does. So the bundle excludes the binding (installer/aegui.spec)
and this hook answers its import with an empty module, whose every attribute raises an error that
says what is missing. The finder goes last on sys.meta_path: it answers only for a name no other
finder has, so a bundle that does carry the binding imports the real one.

tests/test_bundle_trimming.py draws pyqtgraph plots with the stand-in in place of the real module;
tests/test_package.py checks that the built bundle carries no binding and still starts.
"""
import importlib.abc
import importlib.util
import sys
import types

LEFT_OUT = ("PySide6.QtOpenGL",)


class LeftOutModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds each of `names` as an empty module whose attributes raise AttributeError."""

    def __init__(self, names):
        self.names = frozenset(names)

    def find_spec(self, fullname, path=None, target=None):
        return importlib.util.spec_from_loader(fullname, self) if fullname in self.names else None

    def create_module(self, spec):
        module = types.ModuleType(spec.name, f"Stand-in: {spec.name} is not in this bundle.")

        def __getattr__(attr):
            raise AttributeError(f"{spec.name}.{attr}: {spec.name} is not in this bundle (it is only "
                                 "needed for pyqtgraph's OpenGL drawing, which aegui does not use)")

        module.__getattr__ = __getattr__
        return module

    def exec_module(self, module):
        pass


if getattr(sys, "frozen", False):
    sys.meta_path.append(LeftOutModules(LEFT_OUT))
