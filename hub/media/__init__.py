"""Media: sites publish over WHIP, viewers watch over WHEP; encoded frames are
forwarded as they are (no per-viewer decoding or encoding). See docs/media.md."""
