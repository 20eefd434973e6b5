"""The one epoch loop of training (epochs), what it and its helpers agree on (contract), and its
observers, each one concern of a run with its own state: the blow-up guard (divergence), the
targets (target), the best model (best), the records and their history (records), validation loss
(validation), early stopping (early_stop), and heartbeats, the window's step gate and replay
recording (live)."""
