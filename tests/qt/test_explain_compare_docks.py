"""The Explain and Compare panels in the window: docked beside the pixel editor and the
experiments, listed under View > Panels, named in both languages, fed by the workspace (the editor's
drawing reaches Explain through input_changed; Compare offers the workspace's models)."""
import numpy as np


def test_docked_listed_and_named(window):
    docks = window.docks
    from aegui.qt.perspectives.table import home_of
    # Explain beside the pixel editor (it explains the drawing), Compare with the experiments.
    assert (home_of("explain"), home_of("compare")) == ("explore", "experiments")
    window.arranger.switch("explore")
    assert docks["explain"] in window.tabifiedDockWidgets(docks["editor"])
    panels = window.menus.menu_panels.actions()
    assert docks["explain"].toggleViewAction() in panels and docks["compare"].toggleViewAction() in panels
    assert (docks["explain"].windowTitle(), docks["compare"].windowTitle()) == ("Explain", "Compare")
    window.menus.set_language("es")
    assert (docks["explain"].windowTitle(), docks["compare"].windowTitle()) == ("Explicar", "Comparar")
    window.menus.set_language("en")
    # Behind their tabs at start: nothing computed for them yet.
    assert window.explain.result is None and window.compare.comparison is None


def test_the_editors_drawing_is_explained_and_two_models_compared(window, qtbot):
    ws, editor, explain = window.workspace, window.editor, window.explain
    ws.set_current(ws.editor_model())                  # the general 5x7 denoiser
    window.show_dock("explain")
    drawing = np.zeros((7, 5), np.float32)
    drawing[1:6, 2] = 1
    editor.set_glyph(drawing)
    qtbot.waitUntil(lambda: explain.result is not None and not explain.busy()
                    and np.array_equal(explain.result.denoise.clean, drawing.ravel()), timeout=30000)
    assert explain.pictures[0].image().shape == (7, 5)
    window.show_dock("compare")
    compare = window.compare
    qtbot.waitUntil(lambda: compare.comparison is not None and not compare.busy(), timeout=60000)
    a, b = compare.chosen()
    assert a is ws.current and b is not a and b.shape == a.shape
    from aegui.qt.models.names import title
    assert [compare.choosers[0].itemText(i) for i in range(compare.choosers[0].count())] == [title(m) for m in ws.models]
