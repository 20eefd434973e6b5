"""The model builder and the workspace: Train, Pause, Step and Stop ask the workspace; the form
shows how the model on screen was made, and marks the field a failed run blames."""
from __future__ import annotations

from aegui.core.workspace.state import LOADING, PAUSED, STEPPING


def follows(model, workspace) -> bool:
    """Whether the builder shows how `model`, come on screen, was made (Train re-runs it as is):
    not a run's live model, nor anything while a run goes on."""
    return model is not None and model is not workspace.live and not workspace.training.busy


def bind_builder(builder, workspace, shown_model=None) -> None:
    """`shown_model`: a builder made after start-up (the window builds it when first reached)
    starts from the workspace as it is: the last model it would have followed, the run's state,
    the devices."""
    ws = workspace
    builder.train_requested.connect(ws.train)
    builder.pause_requested.connect(ws.pause)
    builder.resume_requested.connect(ws.resume)
    builder.stop_requested.connect(ws.stop)
    builder.step_controls.step_requested.connect(lambda unit: step(builder, ws, unit))
    builder.step_controls.cap_changed.connect(ws.set_speed_cap)
    builder.checked.connect(lambda exp, error: ws.set_draft(exp, error))
    def running(st):
        builder.set_running(st.busy, paused=st.phase in (PAUSED, STEPPING), loading=st.phase == LOADING)
    ws.training_changed.connect(running)
    ws.training_failed.connect(lambda error, _stage: mark_failure(builder, error))
    ws.run_finished.connect(lambda _model, rec: mark_divergence(builder, rec))
    ws.ready_changed.connect(lambda devices, _name: builder.set_devices(devices))

    shown = {"model": None, "name": None}     # the model on screen, and its name then

    def show(model):
        shown.update(model=model, name=getattr(model, "name", None))
        if follows(model, ws):
            builder.set_experiment(model.experiment)
    ws.current_changed.connect(lambda model, _previous: show(model))
    if shown_model is not None:
        builder.set_experiment(shown_model.experiment)
    shown.update(model=ws.current, name=getattr(ws.current, "name", None))
    if ws.ready:
        builder.set_devices(ws.devices)
    if ws.training.busy:
        running(ws.training)

    def renamed():
        # File > Models… renamed it: the form's name follows, if the form still holds its experiment.
        model = shown["model"]
        if model is not None and model.name != shown["name"]:
            if builder.loaded_experiment.name == shown["name"]:
                builder.rename_loaded(model.name)
            shown["name"] = model.name
    ws.models_changed.connect(renamed)


def train_now(builder, workspace, step: str | None = None) -> bool:
    """Train what the form holds (F5, or Step with nothing running); an invalid form says why."""
    try:
        exp = builder.experiment()
    except ValueError as e:
        workspace.tell("{error}", error=str(e))
        return False
    return workspace.train(exp, step=step)


def step(builder, workspace, unit: str) -> None:
    if workspace.training.busy:
        workspace.step(unit)
    else:
        train_now(builder, workspace, step=unit)


def mark_failure(builder, error) -> None:
    """A run that could not start because of a field (a ConfigError: data not found, a model too
    big for memory) marks that field."""
    field, problem = getattr(error, "field", None), getattr(error, "problem", None)
    if field and problem and builder.field_widget(field) is not None:
        builder.mark_field(field, problem)


def mark_divergence(builder, rec) -> None:
    if rec is not None and rec.state == "diverged":
        from aegui.qt.widgets.text.pieces import message_text
        builder.mark_field("train.learning_rate", message_text(rec))


# ---------------------------------------------------------------- its entry in the window's panel table

def follow_until_built(window) -> dict:
    """From the window's start until the builder is built (when first reached): the last model on
    screen it would have followed, which it then starts from."""
    followed = {"model": None}

    def note(model, _previous):
        if not window.built("builder") and follows(model, window.workspace):
            followed["model"] = model
    window.workspace.current_changed.connect(note)
    return followed


def join_window(builder, window, followed: dict) -> None:
    bind_builder(builder, window.workspace, followed["model"])
