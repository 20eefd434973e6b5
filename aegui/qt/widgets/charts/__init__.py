"""Pieces of the charts (pyqtgraph): axes in the interface language (`locale_axis`) and on a
log scale (`log_axis`), a view of counts that starts at 0 (`count_view`), curves of one point
(`lone_points`), legends and titles never cut (`plot_text`)."""
