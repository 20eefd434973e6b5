"""The Analyses dock: the denoising curve, the latent space vs PCA vs t-SNE, and the classifier
probe, one tab each. Each tab runs its own job (JobController), so one can run while another
shows its results; closing the window cancels whatever runs (shutdown)."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from aegui.qt.i18n import on_language, tr
from aegui.qt.analyses.denoise_view import DenoiseView
from aegui.qt.analyses.embedding_view import EmbeddingView
from aegui.qt.analyses.probe_view import ProbeView

TABS = {"denoise": "Denoising curve", "embedding": "Latent vs PCA vs t-SNE", "probe": "Classifier probe"}


class AnalysesPanel(QWidget):
    running_changed = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.denoise = DenoiseView()
        self.embedding = EmbeddingView()
        self.probe = ProbeView()
        self.views = {"denoise": self.denoise, "embedding": self.embedding, "probe": self.probe}
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for view in self.views.values():
            self.tabs.addTab(view, "")
            view.running_changed.connect(self._running_changed)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.tabs)
        on_language(self, self._name_tabs)
        self._name_tabs()

    def show_tab(self, key: str) -> QWidget:
        view = self.views[key]
        self.tabs.setCurrentWidget(view)
        return view

    def current_key(self) -> str:
        return next(k for k, v in self.views.items() if v is self.tabs.currentWidget())

    def bind(self, workspace) -> None:
        workspace.current_changed.connect(lambda model, _previous: self.set_model(model))
        workspace.models_changed.connect(lambda: self.set_model(workspace.current))   # a rename
        self.set_model(workspace.current)    # built after the models came in (the window builds it late)

    def set_model(self, entry) -> None:
        """The window's current model, offered by the tabs that can measure it."""
        self.denoise.set_model(entry)
        self.probe.set_model(entry)

    def is_running(self) -> bool:
        return any(v.is_running() for v in self.views.values())

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel every running analysis and wait for it (the window is closing)."""
        for view in self.views.values():
            view.cancel()
        return all(view.shutdown(timeout_ms) for view in self.views.values())

    def _running_changed(self, _running: bool) -> None:
        self._name_tabs()
        self.running_changed.emit(self.is_running())

    def _name_tabs(self) -> None:
        """Each tab's name, and whether it runs."""
        for i, (key, view) in enumerate(self.views.items()):
            title = tr(TABS[key])
            self.tabs.setTabText(i, tr("{title} (running)", title=title) if view.is_running() else title)
