"""How the window's docks are arranged: the panel table, one entry a panel (its dock, its title,
what makes it, where and when it shows: panels.py); the perspectives (Explore, Train, Experiments)
and the room their columns take (table.py); the object that applies them to the main window, keeps
the room rules as it is resized and remembers each perspective's layout (arranger.py); and the
toolbar's switch between them (switcher.py)."""
