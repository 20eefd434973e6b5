"""Sweeps and searches: a grid of settings x seeds trained K models at a time (sweep.py), on this
machine or a Ray cluster (on_ray.py, tasks.py), an Optuna search over ranges (search.py,
search_spec.py), what each run is measured on beyond its training glyphs (evaluate.py), the files a
sweep writes (files.py) and the jobs the window runs (jobs.py)."""
