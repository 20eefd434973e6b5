"""Training: the TrainingSession generator of progress records and the public contract its epoch
loops use (session); the loops: eager (any device), capture (CUDA graphs) and scipy_opt (scipy's
optimizers); optimizers on the flat buffer (optim), the records themselves (progress) and their store
(history), how close image reconstructions are (image_quality), and thread policy (threads)."""
