"""The write side: check a command (roles, limits), gate conflicting ones, append it to the log."""
