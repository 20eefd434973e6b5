"""Help in the window: the first-run hints (hints.py), the guided tour of the perspectives
(tour.py), both floating callouts placed beside what they point at (callout.py, spots.py), and the
keyboard shortcuts dialog made from the window's own actions (shortcuts.py), and the user guide
opened in the browser from local files, whole or at a panel's section (user_guide.py)."""
