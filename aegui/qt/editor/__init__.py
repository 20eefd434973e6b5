"""The 5x7 pixel editor: draw, add noise, see the model's output as you paint."""
