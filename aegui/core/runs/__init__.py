"""A run and what is left of it: a trained model with its experiment, data, history, replay and
metrics (open / save), how it is stored (storage: safetensors + JSON sidecar), the --out folder a
model claims (outfolder), the trash of deleted models (trash), and what the panels show of a model
(its view), computed off the GUI thread."""
