"""The course report: one experiment per claim of a course document, each run as a job (run.py) that
trains what the claim needs, checks it against the document (checks*.py, claims.py; stats.py the test behind every verdict), draws its
figures (figures.py, models.py) and writes the page (page.py, render.py); files.py reads back what
an earlier run left, so a report resumes."""
