"""The glyph library panel: glyphs saved from the editor or the latent space, exported as font.h."""
