"""What lands on disk: models (safetensors + JSON sidecar), atomic writes, JSON reading, where files
live (paths), the metrics CSV, the glyph library, and PNG writing."""
