from __future__ import annotations

import pytest

from ..hubserver import HubServer
from ..support import CuttableProxy


@pytest.fixture
async def web_hub(tmp_path):
    hub = HubServer(tmp_path / "data", tally_interval_ms=100, presence_interval_ms=500)
    await hub.start()
    yield hub
    await hub.stop()


@pytest.fixture
async def recording_hub(tmp_path):
    """A hub that also writes arrivals, video sessions and presence: what the report counts."""
    hub = HubServer(tmp_path / "data", tally_interval_ms=100, attendance_interval_ms=50, presence_interval_ms=500)
    await hub.start()
    yield hub
    await hub.stop()


@pytest.fixture
async def proxy(web_hub):
    p = CuttableProxy(web_hub.settings.port)
    await p.start()
    yield p
    await p.stop()
