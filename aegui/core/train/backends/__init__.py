"""How the epoch loop's steps are computed: eager torch on any device (eager), replayed CUDA graphs
(capture), small dense autoencoders in numpy on the CPU (dense), scipy's minimisers (scipy_opt);
what the torch ones share (torch_base)."""
