"""The experiments panel: the sweep editor, the results table and the sweep charts."""
