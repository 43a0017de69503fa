"""The read side: each process folds the log into the state, in order."""
