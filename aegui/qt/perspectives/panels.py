"""The window's panels, one entry each: its dock's key and title, what makes the panel (imported only
when the panel is built), where the perspectives put it, whether it scrolls, when it is built, and
how it joins the window (what it binds to, what brings it forward). The main window (its docks,
their titles, building and binding the panels), the perspectives' columns (table.py) and View >
Panels (the docks, in this order) all read this table.

A new panel: its folder in aegui/qt/ (a QWidget with `bind(workspace)`), one `register(Panel(...))`
line below, the Spanish of its title in resources/i18n/es.json, and its section in the user guide
(docs/window.md's table of panels, its anchor in `guide`).

No Qt here and no panel module imported: the window reads the table before its first paint.
"""
from __future__ import annotations

from dataclasses import dataclass

from aegui.core.schema.registry import load

# When a panel is built. START: before the window's first paint (the Explore perspective shows it).
# REACHED: when it is first reached (its perspective shown, its dock opened, a menu action or a test
# asking the window for it), before its dock is laid out, so nothing moves when it comes. RAISED: a
# tab behind another panel, built when its tab is raised; its minimum size fits in what the tab in
# front already asks of its column (tests/qt/test_panels_built_when_reached.py).
START, REACHED, RAISED = "start", "reached", "raised"
COLUMNS = ("hero", "left", "right", "bottom")


@dataclass(frozen=True)
class Place:
    """Where a perspective shows a panel: in a column (the hero takes what the others leave), as
    its `tab`-th tab (0 in front)."""
    perspective: str
    column: str
    tab: int = 0


@dataclass(frozen=True)
class Panel:
    key: str                          # the dock's key (its object name is dock-<key>)
    title: str                        # the dock's title, English (its Spanish is in es.json)
    make: str                         # "module:callable" that makes the panel
    places: tuple[Place, ...] = ()    # none: a dock that opens floating (View > Panels)
    scrolls: bool = False             # in a scroll area: its width never sets the window's minimum
    built: str = REACHED
    term: str = ""                    # a term of the glossary its title explains (widgets/text/terms.py)
    needs: tuple[str, ...] = ()       # panels built before it (it starts from what they hold)
    # "module:function(window) -> state": called once the window has its docks, built or not: what
    # brings the panel forward (a run starting, a glyph sent to it), what it will start from.
    at_start: str = ""
    # "module:function(panel, window, state)": how a built panel joins the window; "" is
    # panel.bind(window.workspace).
    bind: str = ""
    # The user guide's section on it, "page.md#anchor" of docs/ (Help > Help on a panel, its "?"):
    # tests/test_docs_site.py checks that the built site has each anchor.
    guide: str = ""


PANELS: dict[str, Panel] = {}        # key -> panel, in the order of the docks and View > Panels


def register(panel: Panel) -> Panel:
    if not panel.key or panel.key in PANELS:
        raise ValueError(f"a panel needs a dock key of its own; {panel.key!r} is taken or empty")
    if panel.built not in (START, REACHED, RAISED):
        raise ValueError(f"{panel.key}: built must be {START!r}, {REACHED!r} or {RAISED!r}, not {panel.built!r}")
    bad = [p for p in panel.places if p.column not in COLUMNS]
    if bad:
        raise ValueError(f"{panel.key}: {bad[0].column!r} is not one of the columns {', '.join(COLUMNS)}")
    page, _, anchor = panel.guide.partition("#")
    if panel.guide and not (page.endswith(".md") and anchor):
        raise ValueError(f"{panel.key}: guide must be a page of docs/ and an anchor (\"window.md#panel-x\"), "
                         f"not {panel.guide!r}")
    PANELS[panel.key] = panel
    return panel


def unregister(key: str) -> None:
    """Forget a panel (tests that register a throw-away one)."""
    PANELS.pop(key, None)


def make(key: str):
    """A new panel for the dock `key`."""
    return load(PANELS[key].make)()


def docks_at(perspective: str, column: str) -> tuple[str, ...]:
    """The docks a perspective shows in a column, the one in front first."""
    placed = [(place.tab, i, key) for i, (key, p) in enumerate(PANELS.items()) for place in p.places
              if place.perspective == perspective and place.column == column]
    return tuple(key for _, _, key in sorted(placed))


def later(key: str) -> bool:
    """Whether a dock's panel waits until it is reached or raised."""
    return key in PANELS and PANELS[key].built != START


register(Panel("builder", "Model builder", "aegui.qt.builder.model_builder:ModelBuilder",
               (Place("train", "left"), Place("experiments", "left")),
               at_start="aegui.qt.builder.binding:follow_until_built", bind="aegui.qt.builder.binding:join_window",
               guide="window.md#panel-builder"))
register(Panel("latent", "Latent space", "aegui.qt.latent.latent_canvas:LatentCanvas",
               (Place("explore", "hero"), Place("train", "hero")), built=START, term="latent space",
               guide="window.md#panel-latent"))
register(Panel("editor", "Pixel editor", "aegui.qt.editor.pixel_editor:PixelEditor",
               (Place("explore", "right", 0),), built=START,
               at_start="aegui.qt.editor.docks:bring_editor", bind="aegui.qt.editor.docks:join_window",
               guide="window.md#panel-editor"))
register(Panel("recon", "Reconstructions", "aegui.qt.training.reconstructions:ReconstructionsPanel",
               (Place("train", "bottom", 1),), guide="window.md#panel-recon"))
register(Panel("library", "Glyph library", "aegui.qt.library.library_panel:LibraryPanel",
               (Place("train", "bottom", 3),), built=START, guide="window.md#panel-library"))
register(Panel("network", "Network", "aegui.qt.network.network_view:NetworkView",
               (Place("train", "bottom", 2),), built=RAISED, guide="watch.md#panel-network"))
register(Panel("draw", "Draw", "aegui.qt.editor.image_canvas:DrawPanel",
               (Place("explore", "right", 1),), built=RAISED, at_start="aegui.qt.editor.docks:offer_draw",
               guide="window.md#panel-draw"))
register(Panel("explain", "Explain", "aegui.qt.explain.explain_panel:ExplainPanel",
               (Place("explore", "right", 2),), scrolls=True, built=RAISED, guide="window.md#explain-one-input"))
register(Panel("experiments", "Experiments", "aegui.qt.experiments.experiments_panel:ExperimentsPanel",
               (Place("experiments", "hero", 0),), scrolls=True, needs=("builder",),   # a sweep starts from the draft
               guide="window.md#panel-experiments"))
register(Panel("analyses", "Analyses", "aegui.qt.analyses.analyses_panel:AnalysesPanel",
               (Place("experiments", "hero", 1),), scrolls=True, guide="window.md#panel-analyses"))
register(Panel("compare", "Compare", "aegui.qt.compare.compare_panel:ComparePanel",
               (Place("experiments", "hero", 2),), scrolls=True, guide="window.md#compare-two-models"))
register(Panel("training", "Training", "aegui.qt.training.training_panel:TrainingPanel",
               (Place("train", "bottom", 0),), at_start="aegui.qt.training.docks:raise_on_run",
               guide="window.md#panel-training"))
