from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .support import RedisServer


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that starts a redis-server carries the `redis` mark (also the
    scenarios parametrized over both logs), so `make check` can leave them out."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "redis_server" in names or "[redis" in item.name or "redis]" in item.name:
            item.add_marker(pytest.mark.redis)


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
