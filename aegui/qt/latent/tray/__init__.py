"""Under the canvas's plot: `latent_tray` (the generated samples and the interpolation strip),
`tray_room` (the room it keeps from the start, so the map holds still), `arithmetic_panel`
(a − b + c) and `replay_bar` (how the codes moved while the model trained)."""
