"""The model kinds (the config's `model.kind`) and what each one is, as flags the rest of aegui asks.

This is the one place a kind's name is compared: the form, validation, training, the analyses
and the panels ask a flag ("does it corrupt its inputs?") of `kind_of(...)`, never the name, so a
kind registered here with its flags is treated everywhere as its flags say. How a kind trains
(its loss) is its objective in aegui/core/models/objectives.py, which reads these same flags.
Torch-free, so that the config layer can ask too.
"""
from __future__ import annotations

from dataclasses import dataclass

from aegui.core.schema.registry import LiveLabels


@dataclass(frozen=True)
class Kind:
    """One value of model.kind with the flags that say what it is (corrupts its inputs, samples its codes, has a
    KL term, ...), which the rest of aegui asks instead of naming kinds."""
    name: str
    label: str                        # shown in the form and the lists (translated by the Qt side)
    noun: str = ""                    # in a model's made-up name ("Font3 3-D VAE"); empty: its name
    # Trained on noisy inputs towards clean targets: the noise settings apply, the analyses feed
    # it noisy inputs and show its denoising.
    corrupts_inputs: bool = False
    # The encoder emits a mean and a log-variance per code unit and the code is a sample of
    # N(mean, variance): the encoder's last layer is twice the code, no code activation applies,
    # the training loss is random.
    samples_codes: bool = False
    # The loss adds beta x KL(q(z|x) || N(0, I)): beta and its warm-up apply, codes drawn from
    # N(0, I) decode like the data.
    has_kl: bool = False
    # The codes are kept sparse, as model.sparsity says (an L1 or KL penalty, or the k largest).
    sparse_codes: bool = False
    # The loss penalises the encoder's Jacobian (computed for MLP encoders only).
    penalizes_jacobian: bool = False
    # The kind a student's config means when it gives this kind and a noise section.
    with_noise: str = ""


KIND_TABLE: dict[str, Kind] = {k.name: k for k in (
    Kind("ae", "autoencoder", "autoencoder", with_noise="dae"),
    Kind("dae", "denoising", "denoising autoencoder", corrupts_inputs=True),
    Kind("vae", "variational (VAE)", "VAE", samples_codes=True, has_kl=True),

    Kind("sparse", "sparse", sparse_codes=True),
    Kind("contractive", "contractive", penalizes_jacobian=True),
)}
NAMES = KIND_TABLE.keys()            # the registered kinds as they are when read, not at import


LABELS = LiveLabels(KIND_TABLE)      # name -> label, read when asked (model.kind's field)


def kind_of(thing) -> Kind:
    """The Kind of a kind's name, a ModelSpec, an Experiment, or anything with a `kind` name (a
    TrainedModel, a SavedModel). A name no kind has (a loaded file's, before validation refuses
    it) is a kind with no flags: it is asked nothing it does not do."""
    name = thing if isinstance(thing, str) else getattr(thing, "kind", None)
    if not isinstance(name, str):
        name = thing.model.kind
    return KIND_TABLE.get(name) or Kind(name, name)
