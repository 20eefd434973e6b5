"""How the window's docks are arranged: perspectives (Explore, Train, Experiments), each a table of
which panels show where and how much room they take (table.py); the object that applies them to
the main window, keeps the room rules as it is resized and remembers each perspective's layout
(arranger.py); and the toolbar's switch between them (switcher.py)."""
