"""The model builder panel: the form for data, model and training settings, with the layer list and
the emoji subcategory picker."""
