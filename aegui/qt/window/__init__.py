"""The main window around the panels: `main_window` lays them out; `menus`, `model_bar` (the
toolbar's model chooser) and `status_bar` are its menu bar, toolbar and status bar; `window_fit`
fits it to the screen it opens on. `layout_check` and `window_matrix` find what a person would see
as broken at a size, in a language and a theme (the window-size tests and the screenshots)."""
