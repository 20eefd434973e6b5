"""What makes an experiment (its dataclasses are aegui/core/schema/) valid and how it is read: the
label, tip, type, choices and range of each field (fields), validation = each field's own check plus
the rules between fields, naming the field (validation), reading and writing config files (load), and
students' flat or nested JSON (student_json). It sits above archs, data and files, which read only
the schema."""
