"""aiortc peers for tests: a publisher of a solid colour (and silence), viewers
that decode what they get and remember its size and colour."""
from __future__ import annotations

import asyncio
import fractions
import math
import time

from aiortc import RTCConfiguration, RTCPeerConnection, RTCRtpSender, RTCSessionDescription, VideoStreamTrack
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError
from av import AudioFrame, VideoFrame

RED, BLUE = (255, 0, 0), (0, 0, 255)


def yuv(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    r, g, b = rgb
    y = 0.257 * r + 0.504 * g + 0.098 * b + 16
    u = -0.148 * r - 0.291 * g + 0.439 * b + 128
    v = 0.439 * r - 0.368 * g - 0.071 * b + 128
    return round(y), round(u), round(v)


def solid(size: tuple[int, int], rgb: tuple[int, int, int]) -> VideoFrame:
    """A picture of one colour (a camera the viewers can tell apart by a pixel)."""
    frame = VideoFrame(*size, "yuv420p")
    for plane, value in zip(frame.planes, yuv(rgb), strict=True):
        plane.update(bytes([value]) * plane.buffer_size)
    return frame


class ColourTrack(VideoStreamTrack):
    """640x480 frames of one colour, at 30 fps."""

    def __init__(self, rgb: tuple[int, int, int], size: tuple[int, int] = (640, 480)) -> None:
        super().__init__()
        self.size, self.rgb = size, rgb

    async def recv(self) -> VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = solid(self.size, self.rgb)
        frame.pts, frame.time_base = pts, time_base
        return frame


class ToneTrack(AudioStreamTrack):
    """A sine tone at `hz` (mono, 48 kHz, 20 ms frames), so a listener can tell sites apart."""

    def __init__(self, hz: float) -> None:
        super().__init__()
        self.hz = hz
        self.sent = 0

    async def recv(self) -> AudioFrame:
        timed = await super().recv()  # paced in real time (8 kHz, 20 ms): its timing, our samples
        samples = 960
        values = bytearray()
        for i in range(samples):
            value = int(8000 * math.sin(2 * math.pi * self.hz * (self.sent + i) / 48000))
            values += value.to_bytes(2, "little", signed=True)
        frame = AudioFrame(format="s16", layout="mono", samples=samples)
        plane = frame.planes[0]
        plane.update(bytes(values) + bytes(plane.buffer_size - len(values)))
        frame.pts, frame.sample_rate = timed.pts * 6, 48000
        frame.time_base = fractions.Fraction(1, 48000)
        self.sent += samples
        return frame


def colour_of(frame: VideoFrame) -> str:
    """"red", "blue", "green" or "other", from the chroma at the centre of the picture."""
    u_plane, v_plane = frame.planes[1], frame.planes[2]
    row, col = frame.height // 4, frame.width // 4
    u = bytes(u_plane)[row * u_plane.line_size + col]
    v = bytes(v_plane)[row * v_plane.line_size + col]
    if v > 200 and u < 128:
        return "red"
    if u > 200 and v < 160:
        return "blue"
    if u < 100 and v < 100:
        return "green"
    return "other"


async def offer_of(pc: RTCPeerConnection) -> str:
    await pc.setLocalDescription(await pc.createOffer())  # aiortc gathers every candidate here
    return pc.localDescription.sdp


async def publish(media, site: str, rgb, audio: bool = True, codec: str | None = None) -> RTCPeerConnection:
    """`codec` ("video/H264"): the only picture codec offered, as an encoder set to it does."""
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    video = pc.addTransceiver(ColourTrack(rgb), direction="sendonly")
    if codec is not None:
        video.setCodecPreferences([c for c in RTCRtpSender.getCapabilities("video").codecs if c.mimeType == codec])
    if audio:
        pc.addTransceiver(AudioStreamTrack(), direction="sendonly")
    _, answer = await media.publish(site, await offer_of(pc))
    await pc.setRemoteDescription(RTCSessionDescription(answer, "answer"))
    return pc


class Watcher:
    def __init__(self) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.video_frames = 0
        self.audio_frames = 0
        self.sizes: set[tuple[int, int]] = set()
        self.colours: list[tuple[float, str]] = []
        self.first_frame_at: float | None = None
        self.started = time.monotonic()
        self.tasks: list[asyncio.Task] = []
        self.negotiations = 0

        @self.pc.on("track")
        def on_track(track) -> None:
            self.tasks.append(asyncio.ensure_future(self._consume(track)))

        @self.pc.on("negotiationneeded")
        def renegotiate() -> None:
            self.negotiations += 1

    async def _consume(self, track) -> None:
        try:
            while True:
                frame = await track.recv()
                if track.kind == "audio":
                    self.audio_frames += 1
                    continue
                self.video_frames += 1
                self.first_frame_at = self.first_frame_at or time.monotonic()
                self.sizes.add((frame.width, frame.height))
                self.colours.append((time.monotonic(), colour_of(frame)))
        except MediaStreamError:
            pass

    @property
    def colour(self) -> str | None:
        return self.colours[-1][1] if self.colours else None

    async def watch(self, media, target: str) -> "Watcher":
        self.pc.addTransceiver("video", direction="recvonly")
        self.pc.addTransceiver("audio", direction="recvonly")
        _, answer = await media.watch(target, await offer_of(self.pc))
        await self.pc.setRemoteDescription(RTCSessionDescription(answer, "answer"))
        return self

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await self.pc.close()


async def publish_over_whip(http, token: str, event: str, site: str, rgb, hz: float,
                            codec: str | None = None) -> RTCPeerConnection:
    """A site's camera and microphone over the hub's WHIP endpoint, as a browser sends
    them: one colour and one tone, so viewers and listeners can tell sites apart.
    `codec` ("video/H264"): the only picture codec offered, as an encoder set to it does."""
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    video = pc.addTransceiver(ColourTrack(rgb), direction="sendonly")
    if codec is not None:
        video.setCodecPreferences([c for c in RTCRtpSender.getCapabilities("video").codecs if c.mimeType == codec])
    pc.addTransceiver(ToneTrack(hz), direction="sendonly")
    r = await http.post(f"/api/events/{event}/media/{site}/whip", content=await offer_of(pc),
                        headers={"Content-Type": "application/sdp", "Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.text
    await pc.setRemoteDescription(RTCSessionDescription(r.text, "answer"))
    return pc
