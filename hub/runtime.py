"""Everything live in one hub process: per event, a replica of the log, the
service that writes to it, the fan-out channel and a presence reporter."""
from __future__ import annotations

import asyncio
import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from .domain import captions
from .domain import commands as c
from .domain.actors import Actor, Role
from .domain.errors import DomainError
from .domain.event import EventConfig
from .domain.stage import on_air_title, track_session
from .domain.state import EventState, Outcome
from .jobs import purge
from .jobs.attendance import AttendanceRecorder
from .live.admission import AddressGate, parse_networks
from .live.fanout import Channel
from .log import Log, LogUnavailable, open_log
from .media.engine import MediaEngine, open_engine
from .media.hls import parse_renditions
from .media.ice import restrict_host_addresses
from .media.radio import Radio, source_url
from .ops.fdlimit import raise_to_hard
from .ops.metrics import Metrics
from .port import EventPort, RuntimePort
from .read.replica import EventReplica
from .security.ratelimit import Via
from .settings import Settings, SettingsError
from .social.inbound import HashtagReader
from .social.networks import Network
from .social.publisher import Health, Publisher
from .write.service import EventService

if TYPE_CHECKING:
    from .media.workers import WorkerPool

log = logging.getLogger(__name__)


WEBRTC_DELAY_MS = 1500  # the most a WebRTC picture is behind (jitter buffer and a slow path)


@dataclass
class EventRuntime:
    config: EventConfig
    replica: EventReplica
    service: EventService
    channel: Channel
    media: MediaEngine
    attendance: AttendanceRecorder
    reported: tuple[dict[str, int], list[str], int] = field(default_factory=lambda: ({}, [], 0))
    reporter: asyncio.Task[None] | None = None
    recording_change: asyncio.Future[None] | None = None  # the media layer opening or closing a file
    radio: Radio | None = None  # the webradio (HUB_RADIO_URL), embedded media only
    captioned: int = 0  # recordings whose captions are written
    publisher: Publisher | None = None  # live posts to the event's social networks (hub/social)
    hashtag: HashtagReader | None = None  # the networks' posts with the event's hashtag

    # -- the port (hub/port.py): what transports may do with this event ---------------
    @property
    def state(self) -> EventState:
        return self.replica.state

    @property
    def diverged(self) -> str | None:
        return self.replica.diverged

    @property
    def last_snapshot(self) -> int:
        return self.replica.last_snapshot

    async def submit(self, actor: Actor, cmd: c.AnyCommand, cid: str | None = None, via: Via | None = None) -> Outcome:
        if isinstance(cmd, c.Vote) and cmd.delay_ms is not None:
            cmd = msgspec.structs.replace(cmd, delay_ms=self.vouched_delay_ms(actor, cmd.delay_ms))
        return await self.service.submit(actor, cmd, cid, via)

    def vouched_delay_ms(self, actor: Actor, claimed: int) -> int:
        """How far behind the live moment the hub believes this voter's picture is: what the
        client says, lowered to what its way of watching allows. A remote viewer known as an
        HLS player may be up to the playlist window behind (8 s by default): known to this
        hub (it reported within 45 s), or to the log (an `attendance.watch` as `hls:...`,
        which the media hub writes, so a vote reaching another hub is judged alike). Anyone
        else watches WebRTC, or is on site, and gets at most WEBRTC_DELAY_MS."""
        hls = getattr(self.media, "hls", None)  # the embedded engine's HLS streams
        remote = actor.role is Role.VIEWER
        if remote and hls is not None and (hls.watching(actor.pid) or self.played_hls(actor.pid)):
            return min(max(claimed, 0), int(hls.delay_bound_ms))
        return min(max(claimed, 0), WEBRTC_DELAY_MS)

    def played_hls(self, pid: str) -> bool:
        """Whether the log says this participant has watched over HLS in this event."""
        return any(pid in who for way, who in self.state.attendance.ways.items() if way.startswith("hls:"))

    def arrived(self, actor: Actor) -> None:
        self.attendance.arrived(actor)

    def watched(self, watcher: str, way: str = "webrtc", continued: bool = False) -> None:
        self.attendance.watched(watcher, way, continued)

    async def report_presence(self, node: str, interval: float) -> None:
        """Put this process's connection counts in the log when they change."""
        system = Actor(role=Role.SYSTEM, pid=f"node:{node}")
        while True:
            counts = {k: v for k, v in self.channel.by_origin.items() if v > 0}
            now = (counts, self.media.live_sites(), self.media.watching())
            if now != self.reported:
                try:
                    await self.service.submit(system, c.PresenceReport(node=node, counts=now[0], publishing=now[1],
                                                                       watching=now[2]))
                    self.reported = now
                except DomainError as exc:
                    log.warning("%s: presence not reported (%s)", self.config.id, exc.code)
            await asyncio.sleep(interval)

    def social_health(self) -> dict[str, dict[str, Any]]:
        def seen(health: Health | None) -> dict[str, Any] | None:
            return None if health is None else {"state": health.state, "reason": health.reason,
                                                "since": int(health.since * 1000), "count": health.count}
        sending = self.publisher.health if self.publisher is not None else {}
        reading = self.hashtag.health if self.hashtag is not None else {}
        return {n: {"account": n in sending, "sending": seen(sending.get(n)), "reading": seen(reading.get(n))}
                for n in self.config.social}

    def follow_stage(self, outcome: Outcome) -> None:
        """The domain decides who is on air and what is recorded; the media only follows."""
        if outcome.effects is not None and ("stage", "") in outcome.effects.now:
            self.sync_media()

    def sync_media(self) -> None:
        """Bring the media to the stage as the log has it: the program's site, the
        webradio's title, what is recorded (one change at a time, in log order). The
        one place the stage reaches the media: at start and after every stage entry."""
        stage = self.replica.state.stage
        self.media.set_on_air(stage.on_air)
        if self.radio is not None:
            self.radio.retitle(on_air_title(stage, self.config))
        self.recording_change = asyncio.ensure_future(self._record_after(self.recording_change))

    def track_sessions(self) -> dict[str, int | None]:
        """What each site's camera records now: its track's session (when the event records tracks)."""
        if not self.config.settings.record_tracks:
            return {}
        stage = self.replica.state.stage
        return {s.id: track_session(stage, s.id) for s in self.config.sites}

    async def _record_after(self, previous: asyncio.Future[None] | None) -> None:
        """One recording change at a time, in the order the log gave them: quick
        switches never leave a file open, and the last state always wins."""
        if previous is not None:
            await asyncio.gather(previous, return_exceptions=True)
        await self.record(self.replica.state.stage.recording)

    async def record(self, session: int | None) -> None:
        await self.media.record(session)
        await self.media.record_tracks(self.track_sessions())
        self.write_captions()

    def write_captions(self) -> None:
        """Each recording the media closed gets its captions beside it, as WebVTT."""
        for path, start, end in self.media.finished[self.captioned:]:
            lines = captions.between(self.replica.state.captions, start, end)
            try:
                path.with_suffix(".vtt").write_text(captions.webvtt(lines, start, end), encoding="utf-8")
            except OSError as exc:
                log.warning("%s: captions of %s not written (%s)", self.config.id, path.name, exc)
        self.captioned = len(self.media.finished)


def check_settings(settings: Settings, events: dict[str, EventConfig]) -> None:
    """What can only be judged with the events in hand: said before anything starts."""
    try:
        parse_networks(settings.trusted_proxies)
    except ValueError as exc:
        raise SettingsError(f"HUB_TRUSTED_PROXIES: {exc}") from None
    try:
        parse_renditions(settings.hls_renditions)
    except ValueError as exc:
        raise SettingsError(f"HUB_HLS_RENDITIONS: {exc}") from None
    if not 0.5 <= settings.hls_segment_s <= 6 or not 3 <= settings.hls_window <= 30:
        raise SettingsError("HUB_HLS_SEGMENT_S is 0.5 to 6 seconds and HUB_HLS_WINDOW 3 to 30 segments")
    if not settings.radio_url:
        return
    if settings.media_engine != "embedded":
        raise SettingsError("HUB_RADIO_URL needs the embedded media engine (the program is made there)")
    if len(events) > 1 and "{event}" not in settings.radio_url:
        # one Icecast mount takes one source: the events would fight over it forever
        raise SettingsError("HUB_RADIO_URL serves several events: put {event} in its mount (…/{event}.ogg)")
    for event in events:
        try:
            source_url(settings.radio_url, event)
        except ValueError as exc:
            raise SettingsError(str(exc)) from None


def social_accounts(settings: Settings, config: EventConfig) -> list[Network]:
    """The networks this event publishes to (its file) that hub.env has an account for."""
    accounts: list[Network] = []
    if "mastodon" in config.social and settings.mastodon_url and settings.mastodon_token:
        from .social.mastodon import MastodonAccount
        accounts.append(MastodonAccount(settings.mastodon_url, settings.mastodon_token, settings.social_timeout_s))
    if "bluesky" in config.social and settings.bluesky_handle and settings.bluesky_password:
        from .social.bluesky import BlueskyAccount
        accounts.append(BlueskyAccount(settings.bluesky_url, settings.bluesky_handle, settings.bluesky_password,
                                       settings.social_timeout_s))
    return accounts


def _radio(settings: Settings, config: EventConfig, media: MediaEngine) -> Radio:
    from .media.sessions import EventMedia
    assert isinstance(media, EventMedia)  # check_settings: the radio needs the embedded engine
    return Radio(settings.radio_url, config.id, lambda: media.program_track("audio"), media.drop_program_track,
                 name=config.title)


def _upload_check(folder: Path) -> Callable[[str], bool]:
    """Whether an upload of this event is stored (the photo a contribution names)."""
    return lambda name: (folder / name).is_file()


class Runtime:
    def __init__(self, settings: Settings, events: dict[str, EventConfig], log_: Log | None = None) -> None:
        self.settings = settings
        self.log = log_ or open_log(settings.effective_log_url)
        self.events: dict[str, EventRuntime] = {}
        check_settings(settings, events)
        # live connections per client address, in this process (every event's together)
        self.addresses = AddressGate(settings.max_connections_per_address, settings.connections_per_address_per_10s)
        self.trusted_proxies = parse_networks(settings.trusted_proxies)
        self.metrics = Metrics()
        self.fd_limit: dict[str, int] = {}  # the file descriptors this process may open (ops/fdlimit.py)
        self._lag_meter: asyncio.Task[None] | None = None
        for config in events.values():
            replica = EventReplica(config, self.log, snapshot_every=settings.snapshot_every)
            service = EventService(replica, upload_exists=_upload_check(settings.uploads_dir(config.id)),
                                   address_share=settings.address_share, site_share=settings.site_share,
                                   on_append=self.metrics.append_seconds.labels(event=config.id).observe)
            ev = EventRuntime(config=config, replica=replica, service=service,
                              attendance=AttendanceRecorder(service, settings.node_id,
                                                            settings.attendance_interval_ms / 1000),
                              channel=Channel(replica, settings,
                                              on_flush=self.metrics.flush_seconds.labels(event=config.id).observe),
                              media=open_engine(config, settings))
            # the one place the replica's listeners are wired: the channel, then the media
            replica.listeners.extend([ev.channel.on_applied, ev.follow_stage])
            replica.replay_listeners.append(ev.channel.remember)
            if settings.radio_url:
                ev.radio = _radio(settings, config, ev.media)
            networks = social_accounts(settings, config)
            if networks:
                ev.publisher = Publisher(service, networks, node=settings.node_id, secret=settings.secret,
                                         uploads=settings.uploads_dir(config.id), timeout_s=settings.social_timeout_s)
                replica.listeners.append(ev.publisher.on_applied)
                ev.hashtag = HashtagReader(service, networks, node=settings.node_id, interval_s=settings.social_poll_s,
                                           timeout_s=settings.social_timeout_s)
            self.events[config.id] = ev
        restrict_host_addresses(settings)
        self.media_workers = self._media_workers(settings)
        self.metrics.watch(self)

    def _media_workers(self, settings: Settings) -> "WorkerPool | None":
        """HUB_MEDIA_WORKERS processes for the remote viewers of every event (embedded engine)."""
        if settings.media_workers <= 0 or settings.media_engine != "embedded":
            return None
        from .media.sessions import EventMedia
        from .media.workers import WorkerPool
        pool = WorkerPool(settings.media_workers, f"http://127.0.0.1:{settings.port}", settings)
        for ev in self.events.values():
            if isinstance(ev.media, EventMedia):
                ev.media.workers = pool
        return pool

    async def start(self) -> None:
        self.fd_limit = raise_to_hard()
        self.metrics.gc_pauses.install()
        await self.log.open()
        today = datetime.date.today()
        for ev in self.events.values():
            if purge.retention_over(ev.config, self.settings.retention_days, today):
                await purge.purge(self.log, ev.config, self.settings.secret)  # before anything is read or served
        for ev in self.events.values():
            await ev.replica.start()
            ev.channel.start(floor=ev.replica.replayed_from)
            await ev.media.start()
            ev.attendance.start()
            if ev.radio is not None:
                ev.radio.start()
            if ev.publisher is not None:
                ev.publisher.start()
            if ev.hashtag is not None:
                ev.hashtag.start()
            ev.sync_media()  # a restart resumes recording, in a new file
            if ev.recording_change is not None:
                await ev.recording_change
            ev.reporter = asyncio.create_task(
                ev.report_presence(self.settings.node_id, self.settings.presence_interval_ms / 1000))
        self._lag_meter = asyncio.create_task(self._measure_lag_every(5.0), name="metrics-lag")
        if self.media_workers is not None:
            await self.media_workers.start()

    async def _measure_lag_every(self, seconds: float) -> None:
        """The replicas' lag behind the log, for the metrics (read by every scrape)."""
        while True:
            for event, ev in self.events.items():
                try:
                    head = await asyncio.wait_for(self.log.head(event), timeout=1.0)
                except (TimeoutError, LogUnavailable):
                    continue
                self.metrics.lag[event] = max(head - ev.replica.state.seq, 0)
            await asyncio.sleep(seconds)

    async def log_reachable(self) -> bool:
        first = next(iter(self.events), None)
        if first is None:
            return True
        try:
            await asyncio.wait_for(self.log.head(first), timeout=1.0)
        except (TimeoutError, LogUnavailable):
            return False
        return True

    async def stop(self) -> None:
        if self.media_workers is not None:
            await self.media_workers.stop()
        if self._lag_meter is not None:
            self._lag_meter.cancel()
            await asyncio.gather(self._lag_meter, return_exceptions=True)
        for ev in self.events.values():
            if ev.reporter:
                ev.reporter.cancel()
                await asyncio.gather(ev.reporter, return_exceptions=True)
            await ev.channel.stop()
            await ev.attendance.stop()
            if ev.hashtag is not None:
                await ev.hashtag.stop()
            if ev.publisher is not None:
                await ev.publisher.stop()
            if ev.radio is not None:
                await ev.radio.stop()
            await ev.media.stop()
            ev.write_captions()
            await ev.replica.stop()
        await self.log.close()
        self.metrics.gc_pauses.uninstall()


def as_ports(runtime: Runtime, event: EventRuntime) -> tuple[RuntimePort, EventPort]:
    """The runtime is the front door transports see (hub/port.py): mypy checks it here."""
    return runtime, event
