"""A run and what is left of it: a trained model with its experiment, data, history, replay and
metrics (open / save), and what the panels show of a model (its view), computed off the GUI thread."""
