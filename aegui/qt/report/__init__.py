"""File > Export course report…: a course document's experiments run into a folder and written as
one HTML page (aegui.core.analyses.report.run.ReportJob, what `aegui report` runs)."""
