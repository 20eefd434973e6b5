"""The architectures a model can have (the config's `model.arch`), one module each, and their
registry. Everything that depends on the architecture asks its object here: validation, layout and
parameter count, building the network, whether it reads images, memory estimates, feature maps and
the builder's rows and layer chain. See base.py for what an architecture provides.

A new architecture: a module beside these (a subclass of base.Architecture), one
`register("aegui.core.archs.MODULE:Class")` line below (the module is imported there, so nothing
else names it), and the Spanish of its label in resources/i18n/es.json.
"""
from __future__ import annotations


from aegui.core.archs.base import Architecture, ImageArchitecture
from aegui.core.schema.experiment import ConfigError, shown
from aegui.core.schema.registry import LiveLabels, add

__all__ = ["ARCHS", "LABELS", "NAMES", "Architecture", "ImageArchitecture", "arch_of", "build_model", "labels",
           "parameter_count", "register", "unregister"]

ARCHS: dict[str, Architecture] = {}     # name -> architecture, in the order the builder lists them
NAMES = ARCHS.keys()                    # the registered names as they are when read, not at import
LABELS = LiveLabels(ARCHS)              # name -> label, read when asked (the builder's field)


def register(arch: Architecture | str) -> Architecture:
    """Adds an architecture to ARCHS under its name; a second one of the same name (or none) is
    refused. `arch` is one, or "package.module:Class" (schema/registry.py's add)."""
    return add(ARCHS, arch, "an architecture")


def unregister(name: str) -> None:
    """Forget an architecture (tests that register a throw-away one)."""
    ARCHS.pop(name, None)


def arch_of(spec_or_name) -> Architecture:
    """The architecture of a ModelSpec (or of its name); ConfigError naming model.arch if unknown."""
    name = getattr(spec_or_name, "arch", spec_or_name)
    try:
        return ARCHS[name]
    except (KeyError, TypeError):
        raise ConfigError("model.arch", f"{shown(name)} is not one of {', '.join(ARCHS)}") from None


def labels() -> dict[str, str]:
    """name -> English label, in the registry's order."""
    return {name: a.label for name, a in ARCHS.items()}


def parameter_count(spec) -> int:
    """Trainable parameters of one model of `spec`, counted by its architecture without building it."""
    return arch_of(spec).parameter_count(spec)


def build_model(spec, k: int = 1):
    """The network a ModelSpec describes, K stacked copies (see Architecture.build)."""
    return arch_of(spec).build(spec, k)


register("aegui.core.archs.mlp:MLP")
register("aegui.core.archs.conv:Conv")
register("aegui.core.archs.local:Local")
register("aegui.core.archs.convlayers:ConvLayers")
