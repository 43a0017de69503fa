"""One event's media: publishers (one per site), watchers, the program.

publish(site, offer) and watch(target, offer) answer an SDP offer (WHIP and WHEP
do the HTTP around them). A publisher's encoded frames go to its site's sources;
each watcher gets forwarding tracks on those sources, or on the program, which
follows the site on air. Switching the program re-points tracks: no renegotiation.
"""
from __future__ import annotations

import asyncio
import collections
import logging
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from aiortc import RTCPeerConnection, RTCRtpReceiver, RTCSessionDescription

from ..domain.errors import DomainError
from ..domain.event import EventConfig
from ..domain.presence import INTERPRETER
from ..settings import Settings
from .dtls import accept_rsa_certificates
from .forward import speed_up
from .hls import parse_renditions
from .hls_streams import HlsStreams
from .ice import configuration, filter_remote_candidates
from .recorder import Recorder, file_name
from .source import Source
from .tap import on_keyframe_request, request_keyframe, tap_receiver
from .tracks import ForwardTrack

if TYPE_CHECKING:
    from .workers import WorkerPool


accept_rsa_certificates()  # encoders (GStreamer's webrtcbin) present RSA certificates: hub/media/dtls.py
log = logging.getLogger(__name__)
CODECS = {"video": ("video/VP8", "video/H264", "video/rtx"), "audio": ("audio/opus",)}
PROGRAM = "program"


ENDED_KEPT = 4096  # ended session ids remembered, so that a late DELETE is answered as done
THUMBNAIL_INTERVAL_S = 1.0  # a thumbnail's picture: about one a second


@dataclass
class MediaSession:
    id: str
    role: str                 # "publish" or "watch"
    target: str               # a site id, or "program"
    pc: RTCPeerConnection
    tracks: list[ForwardTrack] = field(default_factory=list)


def _prefer_forwardable_codecs(pc: RTCPeerConnection) -> None:
    """VP8 or H.264, and Opus: what the hub forwards as is. The answer keeps the offer's
    order, so a publisher sends the first of them it offered: VP8 for a browser left to
    itself, H.264 for an encoder (OBS) or a browser told to prefer it."""
    for transceiver in pc.getTransceivers():
        wanted = CODECS.get(transceiver.kind, ())
        capabilities = RTCRtpReceiver.getCapabilities(transceiver.kind)
        assert capabilities is not None  # video and audio always have some
        codecs = [c for c in capabilities.codecs if c.mimeType in wanted]
        transceiver.setCodecPreferences(codecs)


PUBLISHED: dict[str, tuple[str, ...]] = {"video": ("vp8", "h264"), "audio": ("opus",)}  # what a site may send
WATCHED: dict[str, tuple[str, ...]] = {"video": ("vp8",), "audio": ("opus",)}  # what a viewer must take, at least


def require_forwardable_codecs(sdp: str, wanted: dict[str, tuple[str, ...]] = PUBLISHED) -> None:
    """Refuse an offer with none of `wanted`'s codecs for its picture or its sound: the hub
    forwards packets as they come, so a site's AV1 or HEVC (OBS can send either) would reach
    every browser and the HLS decoder as something they did not negotiate. A viewer must take
    VP8, what browsers publish; H.264 it takes if it offers it (hub/media/forward.py).
    Checked before anything is set up, so such an offer changes nothing."""
    for section in sdp.split("\nm=")[1:]:
        head = section.split(None, 2)
        kind, port = (head[0], head[1]) if len(head) >= 2 else ("", "0")
        if kind not in wanted or port == "0" or "a=inactive" in section:
            continue
        offered = {line.split(" ", 1)[1].split("/", 1)[0].lower()
                   for line in section.splitlines() if line.startswith("a=rtpmap:") and " " in line}
        if not offered & set(wanted[kind]):
            takes = " or ".join(name.upper() for name in wanted[kind])
            raise DomainError("media.codec", f"this hub takes {takes} for the {kind}; the offer's is "
                              f"{', '.join(sorted(offered)) or 'no codec'} (set the encoder to {takes})",
                              kind=kind, offered=sorted(offered))


class EventMedia:
    def __init__(self, config: EventConfig, settings: Settings) -> None:
        self.config = config
        self.settings = settings
        interval = settings.media_keyframe_interval_ms / 1000
        # the sites, and the sign-language interpreter's picture (shown over the program)
        self.sources = {kind: {s: Source(s, kind, keyframe_interval=interval)
                               for s in [*(site.id for site in config.sites), INTERPRETER]}
                        for kind in ("video", "audio")}
        self.sessions: dict[str, MediaSession] = {}
        # Sessions ended lately, by either side: a page's DELETE often races the hub noticing that
        # its peer closed, and ending what has ended is done, not an error (bounded: ids only).
        self.ended: collections.OrderedDict[str, None] = collections.OrderedDict()
        self.publishers: dict[str, str] = {}          # site -> session id
        self.program_tracks: set[ForwardTrack] = set()
        self.on_air: str | None = None
        self.recordings_dir = settings.data_dir / "recordings" / config.id
        self.recorder: Recorder | None = None
        self.recording: int | None = None
        # the files closed: (file, its time zero, when it stopped) in ms since the epoch, what captions are timed by
        self.finished: list[tuple[Path, int, int]] = []
        # each site's camera, recorded per its track's session (recordings/<event>/<site>/…); no captions:
        # those are of the program (docs/accessibility.md)
        self.track_recorders: dict[str, tuple[int, Recorder]] = {}
        self.track_files: list[Path] = []
        self.workers: WorkerPool | None = None  # HUB_MEDIA_WORKERS: remote viewers served by other processes
        # HLS of the program and of each site, packaged here on demand (hub/media/hls.py)
        self.hls = HlsStreams(config.id, parse_renditions(settings.hls_renditions),
                              self._hls_tracks, self.drop_program_track, segment_s=settings.hls_segment_s,
                              window=settings.hls_window, idle_s=settings.hls_idle_s,
                              remuxed=lambda target: target != PROGRAM)  # the program is always encoded

    # -- state the rest of the hub reads ------------------------------------------------
    def live_sites(self) -> list[str]:
        return sorted(site for site, source in self.sources["video"].items() if source.live)

    @property
    def recorded(self) -> list[Path]:
        return [path for path, _, _ in self.finished]

    def watching(self) -> int:
        here = sum(1 for s in self.sessions.values() if s.role == "watch")
        workers = self.workers.handed_out(self.config.id) if self.workers is not None else 0
        return here + workers + sum(self.hls.audience().values())

    def webrtc_watching(self) -> int:
        """Remote viewers on WebRTC (here and in the workers): what the régie's HLS threshold compares."""
        return self.watching() - sum(self.hls.audience().values())

    def source(self, kind: str, site: str | None) -> Source | None:
        return self.sources[kind].get(site) if site else None

    # -- the on-air switch (the domain decides; media only follows) --------------------
    def set_on_air(self, site: str | None) -> None:
        self.on_air = site
        for track in list(self.program_tracks):
            track.switch(self.source(track.kind, site))

    async def record(self, session: int | None) -> None:
        """Follow the domain's recording state: one file per programme session."""
        if session == self.recording:
            return
        self.recording = session
        if self.recorder is not None:
            done, self.recorder = self.recorder, None
            path = await done.stop()
            if path is not None:
                self.finished.append((path, done.started_ms, int(time.time() * 1000)))
        if session is not None and session < len(self.config.programme):
            title = self.config.programme[session].title
            path = self.recordings_dir / file_name(session, title, time.time())
            self.recorder = Recorder(path, self.program_track("video"), self.program_track("audio"))

    async def record_tracks(self, sessions: dict[str, int | None]) -> None:
        """Follow each site's track: a file per session from that site's own camera,
        whatever is on air, the packets as they come (no re-encoding)."""
        for site, session in sessions.items():
            running = self.track_recorders.get(site)
            if running is not None and running[0] == session:
                continue
            if running is not None:
                del self.track_recorders[site]
                path = await running[1].stop()
                if path is not None:
                    self.track_files.append(path)
            if session is not None and session < len(self.config.programme) and site in self.sources["video"]:
                title = self.config.programme[session].title
                path = self.recordings_dir / site / file_name(session, title, time.time())
                tracks = [ForwardTrack(kind) for kind in ("video", "audio")]
                for track in tracks:
                    track.attach(self.sources[track.kind][site])
                self.track_recorders[site] = (session, Recorder(path, *tracks))

    def program_track(self, kind: str) -> ForwardTrack:
        track = ForwardTrack(kind)
        track.attach(self.source(kind, self.on_air))
        self.program_tracks.add(track)
        return track

    def _hls_tracks(self, target: str) -> tuple[ForwardTrack, ForwardTrack]:
        """What an HLS packager of `target` reads: the program's tracks, or a site's."""
        self.require_target(target)
        if target == PROGRAM:
            return self.program_track("video"), self.program_track("audio")
        video, audio = ForwardTrack("video"), ForwardTrack("audio")
        video.attach(self.sources["video"][target])
        audio.attach(self.sources["audio"][target])
        return video, audio

    def drop_program_track(self, track: ForwardTrack) -> None:
        self.program_tracks.discard(track)
        track.stop()

    # -- WHIP: a site publishes --------------------------------------------------------
    async def publish(self, site: str, offer_sdp: str) -> tuple[str, str]:
        if site not in self.sources["video"]:
            raise DomainError("site.not_found", f"no site {site}")
        require_forwardable_codecs(offer_sdp)
        pc = RTCPeerConnection(configuration(self.settings))
        session = MediaSession(secrets.token_urlsafe(12), "publish", site, pc)
        try:
            await pc.setRemoteDescription(self._offer(offer_sdp))
            receivers = {}
            for transceiver in pc.getTransceivers():
                source = self.sources[transceiver.kind][site]
                tap_receiver(transceiver.receiver, source.push)
                receivers[transceiver.kind] = transceiver.receiver
            _prefer_forwardable_codecs(pc)
            await pc.setLocalDescription(await pc.createAnswer())
        except DomainError:
            await pc.close()
            raise
        except Exception as exc:
            await pc.close()
            raise DomainError("media.offer", f"this offer cannot be answered: {exc}") from None
        if "video" not in receivers:
            await pc.close()
            raise DomainError("media.no_video", "a site publishes a video track (VP8 or H.264)")
        previous = self.publishers.get(site)
        if previous:  # the site reconnected: the new connection takes over
            await self.close(previous)
        self.publishers[site] = session.id
        video = self.sources["video"][site]
        video.request_keyframe = lambda: request_keyframe(receivers["video"])
        if "audio" in receivers:
            self.sources["audio"][site].request_keyframe = lambda: None
        self._register(session)
        return session.id, pc.localDescription.sdp

    # -- WHEP: somebody watches a site or the program -------------------------------------
    def require_target(self, target: str) -> None:
        """What can be watched: a site (or the interpreter's picture), or the program."""
        if target != PROGRAM and target not in self.sources["video"]:
            raise DomainError("site.not_found", f"no site {target}")

    async def watch(self, target: str, offer_sdp: str, *, thumbnail: bool = False,
                    here: bool = False) -> tuple[str, str]:
        """`thumbnail`: a site's picture for the control room, keyframes only (tracks.py).
        `here`: served by this process even with media workers (a worker's own pull)."""
        self.require_target(target)
        if thumbnail and target == PROGRAM:
            raise DomainError("media.offer", "thumbnails are of one site, not of the program")
        require_forwardable_codecs(offer_sdp, WATCHED)
        if self.workers is not None and not thumbnail and not here and target != INTERPRETER:
            return await self.workers.watch(self.config.id, target, offer_sdp)
        pc = RTCPeerConnection(configuration(self.settings))
        session = MediaSession(secrets.token_urlsafe(12), "watch", target, pc)
        try:
            await pc.setRemoteDescription(self._offer(offer_sdp))
            for transceiver in pc.getTransceivers():
                kind = transceiver.kind
                if thumbnail and kind != "video":
                    raise DomainError("media.offer", "a thumbnail is video only")
                track = (self.program_track(kind) if target == PROGRAM
                         else ForwardTrack(kind, keyframe_every=THUMBNAIL_INTERVAL_S if thumbnail else None))
                if target != PROGRAM:
                    track.attach(self.sources[kind][target])
                sender = pc.addTrack(track)
                speed_up(sender, track)  # forward the source's packets (hub/media/forward.py)
                on_keyframe_request(sender, track.keyframe_request)
                session.tracks.append(track)
            _prefer_forwardable_codecs(pc)
            await pc.setLocalDescription(await pc.createAnswer())
        except Exception as exc:
            for track in session.tracks:
                self.drop_program_track(track)
            await pc.close()
            raise DomainError("media.offer", f"this offer cannot be answered: {exc}") from None
        self._register(session)
        return session.id, pc.localDescription.sdp

    # -- lifecycle -----------------------------------------------------------------------
    def _offer(self, sdp: str) -> RTCSessionDescription:
        if "m=" not in sdp:
            raise DomainError("media.offer", "the body is not an SDP offer")
        return RTCSessionDescription(filter_remote_candidates(sdp, self.settings), "offer")

    def _register(self, session: MediaSession) -> None:
        self.sessions[session.id] = session

        @session.pc.on("connectionstatechange")
        async def changed() -> None:
            if session.pc.connectionState in ("failed", "closed"):
                await self.close(session.id)

    async def close(self, session_id: str) -> bool:
        if self.workers is not None and self.workers.owns(session_id):
            return await self.workers.close(self.config.id, session_id)
        session = self.sessions.pop(session_id, None)
        if session is None:
            return False
        self.ended[session_id] = None
        while len(self.ended) > ENDED_KEPT:
            self.ended.popitem(last=False)
        if session.role == "publish" and self.publishers.get(session.target) == session_id:
            del self.publishers[session.target]
            for kind in ("video", "audio"):
                self.sources[kind][session.target].request_keyframe = None
        for track in session.tracks:
            self.drop_program_track(track)
        await session.pc.close()
        return True

    def has_ended(self, session_id: str) -> bool:
        return session_id in self.ended

    async def start(self) -> None:
        """Nothing to start: sessions come with WHIP/WHEP requests."""

    async def stop(self) -> None:
        await self.hls.stop()
        await self.record(None)
        await self.record_tracks({site: None for site in self.track_recorders})
        await asyncio.gather(*(self.close(sid) for sid in list(self.sessions)), return_exceptions=True)
