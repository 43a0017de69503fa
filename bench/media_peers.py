"""The benchmark's publishers and viewers (aiortc, on the load generator's core).

A publisher replays VP8 frames encoded once at start (a 2-second group of
pictures, 640x480 @ 30 fps, ~1 Mbit/s) and answers keyframe requests by starting
the group again, so it costs almost nothing. A counting viewer taps its receiver
and decodes nothing. The latency publisher paints its capture time into each
picture; the latency viewer decodes and reads it back.
"""
from __future__ import annotations

import asyncio
import fractions
import random
import time

import av
import httpx
from aiortc import RTCConfiguration, RTCPeerConnection, RTCRtpSender, RTCSessionDescription, VideoStreamTrack
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from hub.media import h264
from hub.media.tap import is_vp8_keyframe, on_keyframe_request, tap_receiver

FPS, WIDTH, HEIGHT = 30, 640, 480
BITS, BLOCK = 44, 12  # the capture time in ms, as 44 black/white blocks on the top rows


def encode_gop(seconds: float = 2.0, codec: str = "libvpx") -> list[bytes]:
    """One group of pictures (a keyframe, then deltas) in VP8, or in H.264 ("libx264") as
    an encoder such as OBS sends it (baseline, no B-frames, parameter sets on the keyframe)."""
    encoder = av.CodecContext.create(codec, "w")
    encoder.width, encoder.height, encoder.pix_fmt = WIDTH, HEIGHT, "yuv420p"
    encoder.time_base = fractions.Fraction(1, FPS)
    encoder.bit_rate = 1_000_000
    encoder.options = ({"deadline": "realtime", "cpu-used": "8", "kf-max-dist": "9999"} if codec == "libvpx" else
                       {"tune": "zerolatency", "preset": "veryfast", "profile": "baseline", "g": "9999"})
    frames: list[bytes] = []
    for i in range(int(seconds * FPS)):
        frame = av.VideoFrame(WIDTH, HEIGHT, "yuv420p")
        # a moving gradient under noise: as hard to compress as a camera, so the
        # encoder runs at its bitrate target (realistic packet counts per frame)
        line = frame.planes[0].line_size
        noise = random.Random(i).randbytes(line * (HEIGHT // 24))
        gradient = bytes((x + 4 * i) % 256 for x in range(line)) * (HEIGHT - HEIGHT // 24)
        frame.planes[0].update((noise + gradient)[:frame.planes[0].buffer_size])
        for plane in frame.planes[1:]:
            plane.update(bytes([128]) * plane.buffer_size)
        frame.pts = i
        frame.pict_type = av.video.frame.PictureType.I if i == 0 else av.video.frame.PictureType.NONE
        frames += [bytes(p) for p in encoder.encode(frame)]
    return frames


class ReplayTrack(MediaStreamTrack):
    kind = "video"

    def __init__(self, gop: list[bytes]) -> None:
        super().__init__()
        assert is_vp8_keyframe(gop[0]) or h264.is_keyframe(gop[0])
        self.gop, self.index, self.count = gop, 0, 0
        self.start = time.monotonic()

    def restart(self) -> None:  # a keyframe was asked for: the group starts with one
        self.index = 0

    async def recv(self) -> av.Packet:
        due = self.start + self.count / FPS
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        data = self.gop[self.index]
        self.index = (self.index + 1) % len(self.gop)
        self.count += 1
        packet = av.Packet(data)
        packet.pts, packet.time_base = self.count * 3000, fractions.Fraction(1, 90_000)
        return packet


class ClockTrack(VideoStreamTrack):
    """Frames that carry their capture time (wall clock, ms) as blocks of luma."""

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = av.VideoFrame(WIDTH, HEIGHT, "yuv420p")
        stamp, line = int(time.time() * 1000), frame.planes[0].line_size
        rows = bytearray(b"\x80" * frame.planes[0].buffer_size)
        for bit in range(BITS):
            value = 235 if stamp >> (BITS - 1 - bit) & 1 else 16
            for r in range(BLOCK):
                start = r * line + bit * BLOCK
                rows[start:start + BLOCK] = bytes([value]) * BLOCK
        frame.planes[0].update(bytes(rows))
        for plane in frame.planes[1:]:
            plane.update(bytes([128]) * plane.buffer_size)
        frame.pts, frame.time_base = pts, time_base
        return frame


def read_clock(frame: av.VideoFrame) -> int:
    plane, line = frame.planes[0], frame.planes[0].line_size
    data = bytes(plane)
    stamp = 0
    for bit in range(BITS):
        stamp = stamp << 1 | (data[(BLOCK // 2) * line + bit * BLOCK + BLOCK // 2] > 128)
    return stamp


def only(pc: RTCPeerConnection, codec: str = "video/VP8") -> None:
    for t in pc.getTransceivers():
        if t.kind == "video":  # the sound, if any, keeps Opus
            t.setCodecPreferences([c for c in RTCRtpSender.getCapabilities("video").codecs
                                   if c.mimeType == codec])


def vp8_only(pc: RTCPeerConnection) -> None:
    only(pc, "video/VP8")


async def exchange(http: httpx.AsyncClient, url: str, pc: RTCPeerConnection, headers: dict) -> None:
    await pc.setLocalDescription(await pc.createOffer())
    r = await http.post(url, content=pc.localDescription.sdp, headers={"Content-Type": "application/sdp", **headers})
    r.raise_for_status()
    await pc.setRemoteDescription(RTCSessionDescription(r.text, "answer"))


async def publish(http, base: str, site: str, track: MediaStreamTrack, headers: dict,
                  codec: str = "video/VP8") -> RTCPeerConnection:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    sender = pc.addTransceiver(track, direction="sendonly").sender
    if isinstance(track, ReplayTrack):
        on_keyframe_request(sender, track.restart)
    only(pc, codec)
    await exchange(http, f"{base}/{site}/whip", pc, headers)
    return pc


class CountingViewer:
    def __init__(self) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.frames = 0

    def _count(self, codec: str, data: bytes) -> None:
        self.frames += 1

    async def watch(self, http, base: str, target: str) -> "CountingViewer":
        transceiver = self.pc.addTransceiver("video", direction="recvonly")
        tap_receiver(transceiver.receiver, self._count)  # count encoded frames, decode nothing
        vp8_only(self.pc)
        await exchange(http, f"{base}/{target}/whep", self.pc, {})
        return self


class LatencyViewer:
    def __init__(self) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.samples: list[float] = []
        self.recording = False
        self.task: asyncio.Task | None = None

        @self.pc.on("track")
        def on_track(track) -> None:
            self.task = asyncio.ensure_future(self._read(track))

    async def _read(self, track) -> None:
        try:
            while True:
                frame = await track.recv()
                if self.recording:
                    self.samples.append(time.time() * 1000 - read_clock(frame))
        except MediaStreamError:
            pass

    async def watch(self, http, base: str, target: str) -> "LatencyViewer":
        self.pc.addTransceiver("video", direction="recvonly")
        vp8_only(self.pc)
        await exchange(http, f"{base}/{target}/whep", self.pc, {})
        return self
