from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from .support import RedisServer


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()
