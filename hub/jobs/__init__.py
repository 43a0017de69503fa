"""Work the hub does by itself: writing arrivals and video sessions in batches, purging personal data."""
