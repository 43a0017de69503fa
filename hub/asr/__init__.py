"""Speech recognition for the live captions, in a worker process of its own
(`multiplex asr EVENT`): it listens to the program like a viewer and writes caption
lines like a captioner. docs/accessibility.md."""
