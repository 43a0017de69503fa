"""The event's social networks: live posts published there (publisher.py), one adapter per network."""
