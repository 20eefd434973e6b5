"""The course report: one experiment per claim of a course document, each run as a job (run.py) that
trains what the claim needs (health.py: whether each run trained), checks it against the document
(verdicts/: the checks, claims.py, stats.py the test behind every verdict), draws its figures
(figures/) and writes the page (page.py, render.py); files.py reads back what an earlier run left,
so a report resumes, and keys.py (with numerics.py, uses.py) says which rows are stale."""
