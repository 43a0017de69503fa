from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .support import RedisServer


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def hub(tmp_path: Path):
    """A running hub on the embedded SQLite log."""
    from .hubserver import HubServer
    server = HubServer(tmp_path / "data")
    await server.start()
    yield server
    await server.stop()
