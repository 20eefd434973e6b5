"""Experiment descriptions: frozen dataclasses <-> JSON and ConfigError (experiment), the rules that
make one valid, naming the field (validation), reading and writing config files (load), students'
flat or nested JSON (student_json), and the label, tip, choices and range of each editable field
(fields)."""
