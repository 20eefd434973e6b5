"""Experiment descriptions: frozen dataclasses <-> JSON with validation that names the field
(experiment), reading and writing config files (load), students' flat or nested JSON (student_json),
and the label, tip, choices and range of each editable field (fields)."""
