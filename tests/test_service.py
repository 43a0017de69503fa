"""The service without a server: refusals that write nothing, and rate-limit tokens
that a refused append gives back."""
from __future__ import annotations

from pathlib import Path

import pytest

from hub.domain import commands as c
from hub.domain.actors import Actor, Role
from hub.domain.errors import DomainError
from hub.event_files import load_event_file
from hub.log import LogUnavailable, Position
from hub.log.sqlite import SqliteLog
from hub.read.replica import EventReplica
from hub.write.service import EventService

EVENT_FILE = Path(__file__).resolve().parent / "events" / "grand-est-2020.yaml"
VIEWER = Actor(role=Role.VIEWER, pid="viewer-000001")


class FlakyLog(SqliteLog):
    """The embedded log, with a switch that makes appends fail as an unreachable Redis would."""

    down = False

    async def append(self, event: str, data: bytes, expect: Position | None = None) -> int:
        if self.down:
            raise LogUnavailable("switched off by the test")
        return await super().append(event, data, expect)


@pytest.fixture
async def service(tmp_path):
    log = FlakyLog(str(tmp_path / "log.db"))
    await log.open()
    replica = EventReplica(load_event_file(EVENT_FILE), log)
    await replica.start()
    yield EventService(replica)
    await replica.stop()
    await log.close()


async def test_a_refused_append_does_not_use_up_a_rate_limit_token(service):
    service.replica.log.down = True
    for _ in range(15):  # more than the 10 reactions per 10 s the event allows
        with pytest.raises(DomainError) as err:
            await service.submit(VIEWER, c.React(emoji="👏"))
        assert err.value.code == "log.unavailable"
    service.replica.log.down = False
    for i in range(10):
        await service.submit(VIEWER, c.React(emoji="👏"), cid=f"r{i}")
    with pytest.raises(DomainError) as err:
        await service.submit(VIEWER, c.React(emoji="👏"))
    assert err.value.code == "rate.limited"
    assert sum(service.replica.state.reactions.counts["👏"].values()) == 10


async def test_a_refusal_by_a_later_bucket_gives_back_the_earlier_token(service):
    limit = service.replica.config.settings.limits.questions_per_minute
    for i in range(limit):
        await service.submit(VIEWER, c.AskQuestion(text=f"Question {i}"))
    commands_left = service._limiters[("commands", "pid")].allow(VIEWER.pid, service.monotonic())  # peek: take one...
    service._limiters[("commands", "pid")].refund(VIEWER.pid)                                     # ...and give it back
    assert commands_left == 0.0
    tokens_before = service._limiters[("commands", "pid")]._buckets[VIEWER.pid].tokens
    with pytest.raises(DomainError) as err:
        await service.submit(VIEWER, c.AskQuestion(text="Une de trop"))
    assert err.value.code == "rate.limited"
    assert service._limiters[("commands", "pid")]._buckets[VIEWER.pid].tokens >= tokens_before
