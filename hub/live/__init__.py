"""The live channel: websocket sessions, fan-out of rendered frames, resume."""
