"""The application's state without Qt: the Workspace the window's panels subscribe to, where
training stands (TrainingState), and what opens at start-up."""
