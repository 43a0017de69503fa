from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from ..hubserver import EVENTS_DIR, HubServer
from .standins import BLUESKY_HANDLE, BLUESKY_PASSWORD, MASTODON_TOKEN, StandIns


def social_events(directory: Path) -> Path:
    """The tests' events, the Grand Est day publishing to both networks."""
    shutil.copytree(EVENTS_DIR, directory, ignore=shutil.ignore_patterns("*.md"))
    day = directory / "grand-est-2020.yaml"
    day.write_text(day.read_text() + "\nsocial: [mastodon, bluesky]\n")
    return directory


@pytest.fixture
def standins() -> Iterator[StandIns]:
    networks = StandIns()
    networks.start()
    yield networks
    networks.stop()


def hub_on_standins(tmp_path: Path, standins: StandIns, **settings: Any) -> HubServer:
    """A hub whose Grand Est day publishes to, and reads from, the stand-ins' two accounts."""
    return HubServer(tmp_path / "data", events_dir=social_events(tmp_path / "events"),
                     mastodon_url=standins.url, mastodon_token=MASTODON_TOKEN, bluesky_url=standins.url,
                     bluesky_handle=BLUESKY_HANDLE, bluesky_password=BLUESKY_PASSWORD, **settings)


@pytest.fixture
async def social_hub(tmp_path: Path, standins: StandIns) -> AsyncIterator[HubServer]:
    hub = hub_on_standins(tmp_path, standins, social_timeout_s=30.0)
    await hub.start()
    yield hub
    await hub.stop()
