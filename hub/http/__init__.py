"""HTTP routes: health, event metadata (pages come with the web app)."""
