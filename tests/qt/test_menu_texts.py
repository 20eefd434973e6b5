"""A menu entry is either a dialog or a submenu: "Open dataset…" had both an ellipsis and a
submenu arrow. An ellipsis says a dialog follows; a submenu's arrow says more choices follow: never
both."""
from aegui.qt import i18n


def _entries(menu, path=()):
    for act in menu.actions():
        if act.isSeparator():
            continue
        yield path + (act.text(),), act
        if act.menu() is not None:
            yield from _entries(act.menu(), path + (act.text(),))


def test_no_submenu_has_an_ellipsis_in_either_language(window):
    for lang in ("en", "es"):
        i18n.set_language(lang)
        submenus = [(p, a) for p, a in _entries(window.menuBar()) if a.menu() is not None]
        assert len(submenus) >= 8
        bad = [" > ".join(p) for p, _ in submenus if p[-1].rstrip().endswith(("…", "..."))]
        assert bad == []
    dataset = window.menus.menu_dataset.menuAction()
    assert dataset.text() == "Abrir conjunto de datos"
    assert [a.text() for a in window.menus.menu_dataset.actions()][0] == "Carpeta de imágenes…"  # a dialog: "…"
    i18n.set_language("en")
    assert dataset.text() == "Open dataset"
