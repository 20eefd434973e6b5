"""Which part of the latent space the canvas shows: `projection_bar` (the plane of a space of
more than two dimensions), `rotate3d` (a plane the user turns, for 3-D codes) and `view_follow`
(the view fitted again to codes that move while the model trains)."""
