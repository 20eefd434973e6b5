"""The network view: a fully connected model drawn live, its units lit by one input."""
