"""The models open in the window as the user sees them: `names` (how every list names a model),
`models_dialog` (File > Models…) and `model_commands` (its undoable rename, close and delete)."""
