"""The model builder panel: the form (model_builder) put together from its sections (data, model,
training), the per-kind settings, config files, the layer list and the emoji subcategory picker."""
