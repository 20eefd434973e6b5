"""File > Export: the report figures from the model on screen."""
from PIL import Image


def test_export_menu_writes_the_report_figures(window, tmp_path):
    texts = [a.text() for a in window.menus.menu_export.actions()]
    for entry in ("Reconstruction grid (PNG)…", "Latent traversal (PNG)…", "Interpolation strip (GIF)…"):
        assert entry in texts
    assert not window.files.export("strip_gif", tmp_path / "none.gif")       # no strip yet: nothing written
    assert not (tmp_path / "none.gif").exists()
    window.latent.interpolate(0, 3, steps=5)
    # Minimum sizes: glyphs are enlarged 7x in PNGs (14x in the GIF), labels add margins.
    for what, name, size in (("recon_grid", "grid.png", (100, 2 * 7 * 7)), ("traversal", "trav.png", (9 * 35, 9 * 49)),
                             ("strip", "strip.png", (5 * 35 + 4 * 7, 7 * 7 + 8)), ("strip_gif", "strip.gif", (70, 98))):
        assert window.files.export(what, tmp_path / name), what
        img = Image.open(tmp_path / name)
        assert img.width >= size[0] and img.height >= size[1], (what, img.size)
    assert Image.open(tmp_path / "strip.gif").n_frames == 8
