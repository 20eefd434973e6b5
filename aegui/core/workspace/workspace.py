"""The window's state in one place, without Qt: the models listed, the one shown, the one being
trained, the pixel editor's model, the charted history and where training stands.

Panels never talk to each other: each binds itself to the events it needs (napari's pattern: a Qt
view connects itself to its model's events) and asks the workspace for what it wants done. Every
change happens on the GUI thread; the Qt layer's training runner hands the worker's results over
there (aegui.qt.workers.training_runner). The workspace holds no runner: it asks for runs through its
request events, which the runner subscribes to, and is told what happened through report_*().

Events (aegui.core.workspace.signals: emitted synchronously, each callback given the arguments it takes):
    models_changed()                      the list, a title or a dirty mark changed
    current_changed(model, previous)      another model is shown (clear what belonged to the old one)
    current_updated(model)                the shown model has new weights (a training snapshot)
    editor_changed(model, previous)       the model the pixel editor denoises with
    editor_updated(model)                 ... has new weights
    history_changed(history)              the charts show another history (History object)
    history_appended(history)             records were appended to it
    training_changed(state)               TrainingState: phase, epoch, rate, ETA, outcome
    training_failed(error, stage)         an exception object (ConfigError names its field); stage
                                          "loading" (the dataset) or "training"
    run_finished(model, record)           a run ended; `model` its TrainedModel (None if nothing trained)
    ready_changed(devices, device_name)   torch is in; the devices it can train on
    editor_glyph_requested(image)         show this 7x5 glyph in the pixel editor
    glyph_save_requested(image, source, label)   keep this glyph in the user's library (label None: ask)
    teach_requested(images, labels, source)      teach the editor's model these (7, 5) glyphs
    input_changed(x)                      the input the network view follows (hover, drawing); the
                                          last one stays in `input` for panels built later
    code_marked(z)                        a code to mark on the latent canvas (None: none)
    draft_changed(experiment)             the builder's experiment (None while its form is invalid)
    notice(text, args)                    a sentence for the status bar (English template + args)

Requests to whoever runs training (the window's runner subscribes; without a subscriber nothing starts):
    run_requested(experiment, step)       start a run (step "epoch"/"batch": paused after the first one)
    pause_requested() / resume_requested() / stop_requested()
    step_requested(unit)                  one more batch or epoch, then pause
    speed_cap_requested(epochs_per_s)     at most this many epochs a second (None: no cap)
"""
from __future__ import annotations

import time

from aegui.core.workspace.signals import Signal
from aegui.core.schema.kinds import kind_of
from aegui.core.data.dataset import GLYPH_SHAPE
from aegui.core.train.history import History
from aegui.core.runs.trained import TrainedModel
from aegui.core.workspace.state import BUSY, IDLE, LOADING, PAUSED, RUNNING, STEPPING, TrainingClock

# Models trained in this session that the list keeps; older ones stay autosaved on disk. Without a
# bound, a class demo that trains all afternoon grows the window's memory without end
# (bench/soak.py: +6.8 % in 10 minutes with 874 models in the list).
MAX_SESSION_MODELS = 30
LOCAL_FALLBACK = "general-5x7-local"   # the shipped local denoiser, preferred as the editor's fallback


class Workspace:
    """The window's state without Qt: the models, the one shown, the one training, the editor's model, the
    charted history and where training stands; panels bind to its events (module docstring)."""
    models_changed = Signal()
    current_changed = Signal(object, object)
    current_updated = Signal(object)
    editor_changed = Signal(object, object)
    editor_updated = Signal(object)
    history_changed = Signal(object)
    history_appended = Signal(object)
    training_changed = Signal(object)
    training_failed = Signal(object, str)
    run_finished = Signal(object, object)
    ready_changed = Signal(object, str)
    editor_glyph_requested = Signal(object)
    glyph_save_requested = Signal(object, str, object)
    teach_requested = Signal(object, object, str)
    input_changed = Signal(object)
    code_marked = Signal(object)
    draft_changed = Signal(object)
    notice = Signal(str, object)
    run_requested = Signal(object, object)
    pause_requested = Signal()
    resume_requested = Signal()
    step_requested = Signal(str)
    stop_requested = Signal()
    speed_cap_requested = Signal(object)

    def __init__(self, clock=None):
        self.models: list[TrainedModel] = []
        self.current: TrainedModel | None = None
        self.live: TrainedModel | None = None         # the run in progress, updated by snapshots
        self.editor_choice: TrainedModel | None = None   # None: the editor follows the shown model
        self._editor: TrainedModel | None = None      # the editor's model as resolved
        self.history = History()                      # what the charts show
        self._clock = TrainingClock(clock) if clock else TrainingClock()
        self.ready = False          # torch imported, demo models open
        self.devices: list = []
        self.device_name = ""
        self.input = None           # the last input_changed's (panels built later start from it)
        self.draft = None           # the builder's experiment, while its form is valid
        self.draft_error = None     # ... else the first ConfigError it shows
        self.record_replay = True   # runs keep snapshots of the shown samples' codes (latent replay)
        self._follow_next = False   # the next snapshot makes the run the shown model
        self._last_run: tuple = (None, None)   # (the live entry, the model it ended as)
        self._shown_before_run = None  # the model the run took the map from (a failed run gives it back)
        self._numbered: dict[str, int] = {}   # name -> the highest number it was given (see _joined)

    # -- the models ------------------------------------------------------------------------------
    @property
    def training(self):
        """The current TrainingState."""
        return self._clock.state

    def add(self, model: TrainedModel, make_current: bool = True) -> None:
        """Adds a model to the list (shown unless `make_current` is false); the oldest autosaved runs of the
        session past MAX_SESSION_MODELS leave the list."""
        self._joined(model)
        self.models.append(model)
        if make_current:
            self.set_current(model)
        self._forget_old_runs()
        self.models_changed.emit()

    def set_current(self, model: TrainedModel | None) -> None:
        """Shows `model` (None: none); the charts switch to its history unless a run is on."""
        previous = self.current
        if model is previous:
            return
        self.current = model
        self.current_changed.emit(model, previous)
        if model is not None and model is not self.live and not self.training.busy:
            # The charts show how the model on screen was trained (a run keeps its own charts).
            self._chart(model.history)
        if self.editor_choice is None:
            self._resolve_editor()

    def same_run(self, live, model) -> bool:
        """Whether `model` is what the run shown as `live` ended as: one model for the panels,
        which keep what they showed of it (the view, the pins) rather than starting over."""
        was_live, ended = self._last_run
        return live is not None and live is was_live and model is ended

    def mark_saved(self, model: TrainedModel, path) -> None:
        """The model is saved at `path` and no longer has unsaved changes."""
        model.path, model.dirty = path, False
        self.models_changed.emit()

    def opened_at_start(self, models: list[TrainedModel], last_session: bool, devices, device_name: str) -> None:
        """The demo models (and the last session's model, `last_session`) are open: show the last
        one opened, and give the editor a denoiser when the shown model is not one."""
        self.devices, self.device_name, self.ready = list(devices), device_name, True
        for model in models:
            self._joined(model)
        self.models.extend(models)
        self.models_changed.emit()
        if models:
            self.set_current(models[-1] if last_session else models[0])
            denoisers = [m for m in self.models if kind_of(m).corrupts_inputs]
            if denoisers and not kind_of(self.current).corrupts_inputs:
                self.set_editor_choice(denoisers[0])
        self.ready_changed.emit(self.devices, self.device_name)

    # -- renaming and removing (File > Models…) ---------------------------------------------------
    def rename(self, model: TrainedModel, name: str) -> None:
        """`model` is called `name` from now on, in every list and in what Save writes (the saved
        files are renamed by the caller, through aegui.core.runs.storage.rename_model)."""
        from dataclasses import replace
        if name != model.name and not model.demo:
            model.number = self._number_for(name, model)
        model.name = name
        model.experiment = replace(model.experiment, name=name)
        self.models_changed.emit()

    def remove(self, model: TrainedModel) -> int:
        """Take `model` out of the list (its files are the caller's business); returns where it
        was. The shown model gone, its neighbour is shown; the editor's, the editor picks again."""
        index = next(i for i, m in enumerate(self.models) if m is model)
        del self.models[index]
        if self.current is model:
            rest = self.models
            self.set_current(rest[max(0, index - 1)] if rest else None)
        if self.editor_choice is model:
            self.editor_choice = None
        if self._editor is model:
            self._editor = None
            self._resolve_editor()
            if self._editor is None and self.glyph_models():    # an image model shown: keep a denoiser
                glyph = self.glyph_models()
                self.set_editor_choice(next((m for m in glyph if kind_of(m).corrupts_inputs), glyph[0]))

        self.models_changed.emit()
        return index

    def restore(self, model: TrainedModel, index: int, current: bool = False) -> None:
        """A removed model back at `index` (an undone removal); `current`: shown again."""
        self.models.insert(min(index, len(self.models)), model)
        self.models_changed.emit()
        if current:
            self.set_current(model)

    def _joined(self, model: TrainedModel) -> None:
        """A model joins the list: one not shipped with aegui gets its number among the models
        of its name, which tells it apart from them (two runs of one config)."""
        if model.number is None and not model.demo:
            model.number = self._number_for(model.name, model)

    def _number_for(self, name: str, model: TrainedModel) -> int:
        """1 for the only model of `name` in the list (its title shows no number), else the next
        number of that name in this session: counted per name, so the first "my first AE" is not
        #2 because another model came before it, and never one an open model of that name has."""
        taken = [m.number or 1 for m in self.models if m is not model and m.name == name and not m.demo]
        if not taken:
            return 1
        number = max(self._numbered.get(name, 1), *taken) + 1
        self._numbered[name] = number
        return number

    # -- the pixel editor's model ---------------------------------------------------------------
    def editor_model(self) -> TrainedModel | None:
        """The model the pixel editor denoises with (None: none)."""
        return self._editor

    def set_editor_choice(self, model: TrainedModel | None) -> None:
        """The editor denoises with `model`, or (None) with the shown model when it is a glyph model."""
        self.editor_choice = model
        self._resolve_editor()

    def _resolve_editor(self) -> None:
        wanted = self.editor_choice
        if wanted is None:
            cur = self.current
            # An image model on the canvas: the editor keeps the glyph model it had.
            wanted = cur if cur is not None and cur.shape == GLYPH_SHAPE else self._editor
        if wanted is not self._editor:
            previous, self._editor = self._editor, wanted
            self.editor_changed.emit(wanted, previous)

    def glyph_models(self) -> list[TrainedModel]:
        """The models that can denoise the editor's 5x7 drawings."""
        return [m for m in self.models if m.shape == GLYPH_SHAPE]

    def fallback_for(self, model: TrainedModel | None) -> TrainedModel | None:
        """The local 5x7 model that denoises drawings `model` finds unfamiliar: the shipped
        general-5x7-local when it is open, else the latest other local glyph model; None when
        `model` is local itself (it has no glyphs to snap to) or none is open."""
        from aegui.core.archs import arch_of     # with the models, not with the window (its start-up)

        def local(m) -> bool:
            return m.shape == GLYPH_SHAPE and arch_of(m.experiment.model).denoises_unseen_shapes
        if model is None or local(model):
            return None
        found = [m for m in self.models if m is not model and local(m)]
        shipped = [m for m in found if m.path is not None and m.path.name == LOCAL_FALLBACK]
        return (shipped or found[::-1] or [None])[0]

    # -- taught models -------------------------------------------------------------------------
    def report_taught(self, model: TrainedModel) -> None:
        """A model taught new glyphs (`model.taught_from`: the one it started from) joins the list
        and becomes the editor's model. The map keeps the model it shows: teaching changes what
        the editor denoises with, not what the user explores (choosing the taught model in the
        model list shows it, and File > Save saves it)."""
        self._joined(model)
        self.models.append(model)
        if self._editor is not model:
            self.set_editor_choice(model)
        self._forget_old_runs()
        self.models_changed.emit()

    @staticmethod
    def taught_root(model: TrainedModel | None) -> TrainedModel | None:
        """The model a chain of teaching started from (the shipped one), or None if `model` was
        not taught here."""
        root = None
        while model is not None and model.taught_from is not None:
            root = model = model.taught_from
        return root

    def revert_taught(self) -> TrainedModel | None:
        """The editor goes back to the model its taught model started from; returns it, or None
        when there is nothing to revert. The map is left alone, whatever it shows."""
        root = self.taught_root(self._editor)
        if root is None:
            return None
        if not any(m is root for m in self.models):
            self.models.append(root)
            self.models_changed.emit()
        if self._editor is not root:
            self.set_editor_choice(root)
        return root

    # -- training: asked by the window ----------------------------------------------------------
    def train(self, experiment, step: str | None = None) -> bool:
        """Start a run (`step` "epoch" or "batch": paused after the first one). False when it
        cannot start now (torch not loaded yet, a run going on)."""
        if not self.ready or self.training.busy or not self.can_run():
            return False
        self._emit_state(self._clock.loading(experiment.train.epochs))
        self.run_requested.emit(experiment, step)
        return True

    def can_run(self) -> bool:
        """Whether anything runs training here (a window's runner subscribed to run_requested)."""
        return len(self.run_requested) > 0

    def pause(self) -> None:
        """Asks the running run to pause."""
        if self.training.phase in (RUNNING, STEPPING):
            self.pause_requested.emit()
            self._emit_state(self._clock.set_phase(PAUSED))

    def resume(self) -> None:
        """Asks a paused or stepping run to run freely again."""
        if self.training.phase in (PAUSED, STEPPING):
            self.resume_requested.emit()
            self._emit_state(self._clock.set_phase(RUNNING))

    def step(self, unit: str = "epoch") -> bool:
        """One more batch or epoch of the run, then pause; with none running, start one paused
        after its first step (needs the draft). False when nothing could be done."""
        if self.training.phase in (RUNNING, PAUSED, STEPPING):
            self.step_requested.emit(unit)
            self._emit_state(self._clock.set_phase(STEPPING))
            return True
        if self.training.busy or self.draft is None:
            return False
        return self.train(self.draft, step=unit)

    def stop(self) -> None:
        """Asks the run to stop (its best model so far is kept)."""
        if self.training.busy:
            self.stop_requested.emit()

    def set_speed_cap(self, epochs_per_s: float | None) -> None:
        """At most this many epochs a second from now on (None or 0: no cap), this run and later ones."""
        self.speed_cap_requested.emit(epochs_per_s)

    # -- training: reported by the runner (GUI thread) ------------------------------------------
    def report_loading(self, done: int, total: int) -> None:
        """The runner's word on how far the dataset's loading has got."""
        self._emit_state(self._clock.loaded(done, total))

    def report_started(self, experiment, dataset, models: int, stepping: bool, bar_labels=()) -> None:
        """The data is in and the first epoch begins: the run gets its entry and its charts
        (`bar_labels`: the samples a record's per-sample wrong pixels count)."""
        self.live = TrainedModel(experiment.name, None, experiment, dataset)
        self._follow_next = True
        history = History(experiment.train.epochs, models)
        history.labels = list(bar_labels)
        self._chart(history)
        self.models_changed.emit()
        self._emit_state(self._clock.started(paused=stepping))

    def report_progress(self, records) -> None:
        """The runner's records: appended to the history, and the training state moved on to the last one."""
        for rec in records:
            self.history.append(rec)
        last = records[-1]
        self.history_appended.emit(self.history)
        self._emit_state(self._clock.progress(last.epoch, last.total_epochs, last.batch, last.batches))

    def report_snapshot(self, view) -> None:
        """New weights of the run, with what the panels show of them (computed on the worker)."""
        live = self.live
        if live is None:
            return
        live.model, live.view = view.model, view
        follow = self._follow_next or self.current is None or self.current is live
        first = self._follow_next
        self._follow_next = False
        if first:
            self._shown_before_run = self.current
            self.set_current(live)
        elif follow:
            self.current_updated.emit(live)
        if self._editor is live and not first:
            self.editor_updated.emit(live)

    def report_paused(self) -> None:
        """The worker waits (a step is done, or Pause reached it)."""
        if self.training.phase in (RUNNING, STEPPING):
            self._emit_state(self._clock.set_phase(PAUSED))

    def report_finished(self, model: TrainedModel | None, record) -> None:
        """The run ended (`record.state` says how): its model joins the list and is shown."""
        was_live, self.live = self.live, None
        self._last_run = (was_live, model)
        if model is not None:
            model.history = self.history    # the charts already show this run
            if model.trained_at is None:
                model.trained_at = time.time()
            self._joined(model)
            self.models.append(model)
            # Shown as the run's, unless the user chose another model while it trained. A run that
            # ended before its first snapshot (two epochs of a convolutional net on MNIST) was
            # never shown: the charts were its own while the map and model list stayed on the
            # model before, so it is shown now.
            if self.current is was_live or self.current is None or self._follow_next:
                self.set_current(model)
            self._forget_old_runs()
        self._follow_next = False
        if self._editor is was_live and was_live is not None:
            self._editor = None
            self._resolve_editor()
        self.models_changed.emit()
        self._emit_state(self._clock.ended(getattr(record, "state", None) or "stopped"))
        self.run_finished.emit(model, record)

    def report_failed(self, error: BaseException | None) -> None:
        """The run could not start or broke (None: the user stopped the dataset load)."""
        stage = "loading" if self.training.phase == LOADING else "training"
        was_live, self.live = self.live, None
        if self.current is was_live and was_live is not None:
            # Nothing to show of the run: back to the model the user had.
            before = self._shown_before_run
            self.set_current(before if any(m is before for m in self.models) else
                             self.models[-1] if self.models else None)
        self.models_changed.emit()
        self._emit_state(self._clock.ended("failed" if error is not None else "stopped"))
        if error is not None:
            self.training_failed.emit(error, stage)

    # -- requests between panels ----------------------------------------------------------------
    def send_to_editor(self, image) -> None:
        """Asks the pixel editor to show this glyph."""
        self.editor_glyph_requested.emit(image)

    def save_glyph(self, image, source: str, label: str | None = None) -> None:
        """Asks for this glyph to be kept in the user's library (label None: ask for one)."""
        self.glyph_save_requested.emit(image, source, label)

    def teach(self, images, labels, source: str) -> None:
        """Ask for the editor's model to be taught these glyphs (the editor runs it)."""
        self.teach_requested.emit(list(images), list(labels), source)

    def set_input(self, x) -> None:
        """The input the network view follows now (kept for panels built later)."""
        self.input = x
        self.input_changed.emit(x)

    def mark_code(self, z) -> None:
        """Asks the latent canvas to mark this code (None: no mark)."""
        self.code_marked.emit(z)

    def set_draft(self, experiment, error=None) -> None:
        """What the builder holds now: a valid experiment, or None and the error that marks it."""
        changed = experiment != self.draft
        self.draft, self.draft_error = experiment, error
        if changed:
            self.draft_changed.emit(experiment)

    def tell(self, text: str, **args) -> None:
        """A sentence for the status bar: an English template and its arguments, translated there."""
        self.notice.emit(text, args)

    # -- internals -------------------------------------------------------------------------------
    def _chart(self, history: History) -> None:
        if history is not self.history:
            self.history = history
            self.history_changed.emit(history)

    def _emit_state(self, state) -> None:
        self.training_changed.emit(state)

    def _forget_old_runs(self) -> None:
        """Drop the oldest autosaved models trained here beyond MAX_SESSION_MODELS from the list
        (never the one shown, the editor's or a running one)."""
        keep = (self.current, self._editor, self.editor_choice, self.live)
        trained = [m for m in self.models if m.trained is not None and m.path is not None]
        old = [m for m in trained if not any(m is k for k in keep)]
        drop = {id(m) for m in old[:max(0, len(trained) - MAX_SESSION_MODELS)]}
        if drop:
            self.models = [m for m in self.models if id(m) not in drop]
            from aegui.core.files.paths import autosave_dir
            self.tell("Older models of this session left the list; they stay in {path} (File > Open model).",
                      path=str(autosave_dir()))


__all__ = ["Workspace", "MAX_SESSION_MODELS", "IDLE", "BUSY"]
