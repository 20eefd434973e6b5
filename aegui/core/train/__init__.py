"""Training: the TrainingSession generator of progress records (session), optimizers on the flat
buffer (optim) and scipy's (scipy_opt), the records themselves (progress), and thread policy (threads)."""
