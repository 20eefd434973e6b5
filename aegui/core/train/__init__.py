"""Training: the TrainingSession generator of progress records and the public contract its loop
uses (session); the one epoch loop and its observers (loop/); the backends that compute the steps
(backends/); optimizers on the flat buffer and the torch Adam (optim), which experiments can train
as one session's stacked models (stacking), the records themselves (progress) and their store
(history), what a check measures (evaluation), how close image reconstructions are
(image_quality), pause / step / speed cap (gate), replay snapshots (snapshots), memory estimates
(memory), devices (devices) and thread policy (threads)."""
