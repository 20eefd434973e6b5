"""The plain experiment description, the ground floor of the core: frozen dataclasses <-> JSON and
ConfigError, which names the field. It imports nothing of aegui, so every package can read it;
what makes one valid is config's (its field descriptions and the rules between fields)."""
