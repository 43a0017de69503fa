"""What operators see of a running hub: its metrics."""
