"""Training: the TrainingSession generator of progress records and the public contract its epoch
loops use (session); the loops: eager (any device), dense (small dense models on the CPU, in
numpy), capture (CUDA graphs) and scipy_opt (scipy's optimizers); optimizers on the flat buffer
(optim), which experiments can train as one session's stacked models (stacking), the records
themselves (progress) and their store (history), how close image reconstructions are
(image_quality), and thread policy (threads)."""
