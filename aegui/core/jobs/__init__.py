"""Long work for a worker thread, without Qt: the Job contract (steps() yields typed Progress,
cancel() asks it to stop, the last item carries the result) that every job of the core follows and
the window's thread layer and the CLI rely on."""
