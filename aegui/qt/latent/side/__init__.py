"""The column beside the canvas's plot: `side_column` (the map switch, Reset view, the decoded
preview, how the codes are drawn) and `search_bar` (labels searched, nearest neighbours ringed)."""
