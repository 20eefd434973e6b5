"""Work off the GUI thread and what keeps it in order: `threads` (a task on a pool thread, one
generator job at a time, a panel's newest computation), `kinds` (superqt's workers with a run
that keeps no process-wide state and reports every failure), `training_runner` (the workspace's training
on a worker), `pacing` (throttled calls, and the newest of many for the mouse), `collector`
(garbage collected in the GUI thread only) and `stop_key` (Esc stops a run from anywhere)."""
