"""The panels (training, analyses, guide, library) and the window's own parts (menus, toolbar,
status bar, Models dialog) show every text in the language chosen, both ways, through i18n's one
mechanism (bind_text / on_language; tests/test_layout.py checks no module translates by hand)."""


def test_the_window_texts_follow_the_language_both_ways(window):
    """Menus, dock titles, the toolbar, an analysis tab's buttons, its tab name and Export menu, the
    training charts' checkbox, a library button: Spanish after the switch, the same English after
    the switch back."""
    from aegui.qt import i18n
    win = window

    def texts():
        return {"menu": win.menus.menu_file.title(), "dock": win.docks["training"].windowTitle(),
                "model": win.model_bar.model_label.text(), "run": win.analyses.probe.run_button.text(),
                "export": win.analyses.denoise.export_menu.actions()[0].text(),
                "log": win.training.log_check.text(), "send": win.library.send_button.text(),
                "tab": win.analyses.tabs.tabText(0), "undo": win.menus.act_undo.text()}
    english = texts()
    assert english == {"menu": "&File", "dock": "Training", "model": " Model: ", "run": "Run",
                       "export": "Figure as PNG…", "log": "Log scale", "send": "Send to editor",
                       "tab": "Denoising curve", "undo": "Undo"}
    i18n.set_language("es")
    spanish = texts()
    assert spanish == {key: f" {i18n.tr(text.strip())} " if key == "model" else i18n.tr(text)
                       for key, text in english.items()}
    assert spanish["run"] != "Run" and win.menus.lang_actions["es"].isChecked()
    i18n.set_language("en")
    assert texts() == english and win.menus.lang_actions["en"].isChecked()


def test_undo_and_redo_name_the_step_in_the_language_shown(window):
    """Edit > Undo / Redo say what they would undo, in the language shown after any edit. The undo
    stack's own actions kept the word "Undo" of the language Qt's translator had when they were
    made and rewrote it at every edit ("Undo Invertir" in the Spanish window, "Deshacer" in the
    English one after a window made in Spanish)."""
    win, undo, redo = window, window.menus.act_undo, window.menus.act_redo
    try:
        win.menus.set_language("es")
        win.editor.invert_button.click()
        assert undo.text() == "Deshacer: Invertir" and undo.isEnabled()
        win.menus.set_language("en")
        win.editor.invert_button.click()
        assert undo.text() == "Undo Invert"
        win.editor.undo_stack.undo()
        assert redo.text() == "Redo Invert" and redo.isEnabled()
        assert undo.text() == "Undo Invertir"       # a step keeps the words it was made with
        win.editor.undo_stack.undo()
        assert undo.text() == "Undo" and not undo.isEnabled()
    finally:
        win.menus.set_language("en")
