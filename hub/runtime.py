"""Everything live in one hub process: per event, a replica of the log, the
service that writes to it, the fan-out channel and a presence reporter."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from .domain import commands as c
from .domain.actors import Actor, Role
from .domain.errors import DomainError
from .domain.event import EventConfig
from .live.fanout import Channel
from .log import Log, open_log
from .replica import EventReplica
from .service import EventService
from .settings import Settings

log = logging.getLogger(__name__)


@dataclass
class EventRuntime:
    config: EventConfig
    replica: EventReplica
    service: EventService
    channel: Channel
    reported: dict[str, int] = field(default_factory=dict)
    reporter: asyncio.Task[None] | None = None

    async def report_presence(self, node: str, interval: float) -> None:
        """Put this process's connection counts in the log when they change."""
        system = Actor(role=Role.SYSTEM, pid=f"node:{node}")
        while True:
            counts = {k: v for k, v in self.channel.by_origin.items() if v > 0}
            if counts != self.reported:
                try:
                    await self.service.submit(system, c.PresenceReport(node=node, counts=counts))
                    self.reported = counts
                except DomainError as exc:
                    log.warning("%s: presence not reported (%s)", self.config.id, exc.code)
            await asyncio.sleep(interval)


class Runtime:
    def __init__(self, settings: Settings, events: dict[str, EventConfig], log_: Log | None = None) -> None:
        self.settings = settings
        self.log = log_ or open_log(settings.effective_log_url)
        self.events: dict[str, EventRuntime] = {}
        for config in events.values():
            replica = EventReplica(config, self.log, snapshot_every=settings.snapshot_every)
            self.events[config.id] = EventRuntime(config=config, replica=replica,
                                                  service=EventService(replica), channel=Channel(replica, settings))

    async def start(self) -> None:
        await self.log.open()
        for ev in self.events.values():
            snapshot = await self.log.load_snapshot(ev.config.id)
            await ev.replica.start()
            ev.channel.start(floor=snapshot[0] if snapshot else 0)
            ev.reporter = asyncio.create_task(
                ev.report_presence(self.settings.node_id, self.settings.presence_interval_ms / 1000))

    async def stop(self) -> None:
        for ev in self.events.values():
            if ev.reporter:
                ev.reporter.cancel()
                await asyncio.gather(ev.reporter, return_exceptions=True)
            await ev.channel.stop()
            await ev.replica.stop()
        await self.log.close()
