"""Experiment descriptions: frozen dataclasses <-> JSON with validation that names the field
(experiment), reading and writing config files (load), and students' flat or nested JSON (student_json)."""
