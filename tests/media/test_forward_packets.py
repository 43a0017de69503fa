"""The forwarding sender's packets (hub/media/forward.py), read back with aiortc's
own parser: headers, extensions, marker, sequence numbers, and retransmission
(plain, and wrapped for RTX as RFC 4588 says)."""
from __future__ import annotations

import asyncio

from aiortc.mediastreams import MediaStreamError
from aiortc.rtcrtpparameters import (
    RTCRtpCodecParameters,
    RTCRtpHeaderExtensionParameters,
    RTCRtpParameters,
    RTCRtpSendParameters,
)
from aiortc.rtp import HeaderExtensionsMap, RtpPacket, unwrap_rtx

from hub.media import h264
from hub.media.forward import speed_up
from hub.media.source import EncodedFrame, Source

MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid"
ABS_SEND_TIME_URI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"


class Wire:
    def __init__(self) -> None:
        self.sent: list[bytes] = []

    async def _send_rtp(self, data: bytes) -> None:
        self.sent.append(data)


class Track:
    """Hands out the frames it is given, then ends as a stopped track does."""

    def __init__(self, frames: list[tuple[EncodedFrame, int]]) -> None:
        self.frames, self.stopped = list(frames), False

    async def next_frame(self) -> tuple[EncodedFrame, int]:
        if not self.frames:
            raise MediaStreamError
        return self.frames.pop(0)

    def stop(self) -> None:
        self.stopped = True


class Sender:
    """What of aiortc's RTCRtpSender the forwarding loop reads and writes."""

    def __init__(self, extensions: HeaderExtensionsMap, rtx: int | None) -> None:
        self.transport, self._ssrc, self._rtx_ssrc, self._enabled = Wire(), 0x11223344, 0x55667788, True
        self._RTCRtpSender__mid = "1"
        self._RTCRtpSender__rtp_header_extensions_map = extensions
        self._RTCRtpSender__rtx_payload_type = rtx
        self._RTCRtpSender__rtx_sequence_number = 7
        self._RTCRtpSender__rtp_started, self._RTCRtpSender__rtp_exited = asyncio.Event(), asyncio.Event()
        self._RTCRtpSender__ntp_timestamp = self._RTCRtpSender__rtp_timestamp = 0
        self._RTCRtpSender__octet_count = self._RTCRtpSender__packet_count = 0
        self.parameters: RTCRtpSendParameters | None = None

    async def send(self, parameters: RTCRtpSendParameters) -> None:  # aiortc's starts the loop here
        self.parameters = parameters


def negotiated() -> HeaderExtensionsMap:
    extensions = HeaderExtensionsMap()
    extensions.configure(RTCRtpParameters(headerExtensions=[
        RTCRtpHeaderExtensionParameters(id=3, uri=MID_URI),
        RTCRtpHeaderExtensionParameters(id=5, uri=ABS_SEND_TIME_URI)]))
    return extensions


def vp8_frames(source: Source, sizes: list[int]) -> list[tuple[EncodedFrame, int]]:
    got: list[EncodedFrame] = []
    source.subscribers.add(type("S", (), {"offer": lambda self, frame, src: got.append(frame)})())
    for n, size in enumerate(sizes):
        source.push("VP8", bytes([0x00 if n == 0 else 0x01]) + bytes(size - 1))  # a keyframe, then deltas
    return [(frame, 3000 * n) for n, frame in enumerate(got)]


async def run(sender: Sender, track: Track, payload_type: int = 96) -> None:
    speed_up(sender, track)  # type: ignore[arg-type]
    await sender._run_rtp(RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=payload_type))


async def test_each_frame_goes_out_as_the_sources_payloads_with_a_rewritten_header():
    extensions = negotiated()
    frames = vp8_frames(Source("nancy", "video"), [3000, 500])  # 3 packets, then 1
    sender, track = Sender(extensions, rtx=None), Track(frames)
    await run(sender, track)
    packets = [RtpPacket.parse(data, extensions) for data in sender.transport.sent]
    assert [p.payload for p in packets] == [*frames[0][0].payloads, *frames[1][0].payloads]
    assert len(packets) == 4 and {p.ssrc for p in packets} == {0x11223344} and {p.payload_type for p in packets} == {96}
    assert [(p.sequence_number - packets[0].sequence_number) % 65536 for p in packets] == [0, 1, 2, 3]
    assert [p.marker for p in packets] == [0, 0, 1, 1]                       # the last packet of each frame
    assert packets[3].timestamp - packets[0].timestamp == 3000                # the track's clock, offset
    assert {p.extensions.mid for p in packets} == {"1"} and all(p.extensions.abs_send_time for p in packets)
    assert sender._RTCRtpSender__packet_count == 4 and sender._RTCRtpSender__rtp_timestamp == packets[3].timestamp
    assert sender._RTCRtpSender__octet_count == sum(len(p.payload) for p in packets)
    assert sender._RTCRtpSender__rtp_exited.is_set() and track.stopped


async def test_two_viewers_of_one_source_send_the_same_payloads():
    source = Source("nancy", "video")
    frames = vp8_frames(source, [2500])
    a, b = Sender(negotiated(), None), Sender(negotiated(), None)
    await run(a, Track(frames))
    await run(b, Track(frames))
    payload = [RtpPacket.parse(d, negotiated()).payload for d in a.transport.sent]
    assert payload == [RtpPacket.parse(d, negotiated()).payload for d in b.transport.sent]
    assert source.picture_id == 1  # cut once, for both


async def test_a_nacked_packet_is_sent_again_as_it_was_or_wrapped_for_rtx():
    extensions = negotiated()
    frames = vp8_frames(Source("nancy", "video"), [2500])
    plain, rtx = Sender(extensions, rtx=None), Sender(extensions, rtx=97)
    for sender in (plain, rtx):
        await run(sender, Track(frames))
    original = RtpPacket.parse(plain.transport.sent[1], extensions)
    await plain._retransmit(original.sequence_number)
    again = RtpPacket.parse(plain.transport.sent[-1], extensions)
    assert (again.sequence_number, again.payload) == (original.sequence_number, original.payload)
    assert again.ssrc == 0x11223344
    first = RtpPacket.parse(rtx.transport.sent[0], extensions)
    await rtx._retransmit(first.sequence_number)
    wrapped = RtpPacket.parse(rtx.transport.sent[-1], extensions)
    assert (wrapped.payload_type, wrapped.ssrc, wrapped.sequence_number) == (97, 0x55667788, 7)
    unwrapped = unwrap_rtx(wrapped, payload_type=96, ssrc=0x11223344)
    assert (unwrapped.sequence_number, unwrapped.payload) == (first.sequence_number, first.payload)
    sent = len(rtx.transport.sent)
    await rtx._retransmit((first.sequence_number + 1000) % 65536)  # long gone, or never sent: nothing
    assert len(rtx.transport.sent) == sent


def codec(mime: str, payload_type: int, **parameters: object) -> RTCRtpCodecParameters:
    return RTCRtpCodecParameters(mimeType=mime, clockRate=90000, payloadType=payload_type, parameters=parameters)


async def test_each_codec_goes_out_with_its_negotiated_payload_type_and_an_unnegotiated_one_not_at_all():
    """The program switches between a VP8 site and an H.264 one: each frame carries the payload
    type the viewer negotiated for its codec; a viewer without H.264 gets the VP8 frames only."""
    extensions = negotiated()
    vp8, h264_site = Source("reims", "video"), Source("nancy", "video")
    got: list[EncodedFrame] = []
    for source in (vp8, h264_site):
        source.subscribers.add(type("S", (), {"offer": lambda self, frame, src: got.append(frame)})())
    vp8.push("VP8", b"\x00" + bytes(2000))
    h264_site.push("H264", b"\x00\x00\x00\x01\x67\x42\xc0\x1f" + b"\x00\x00\x00\x01\x68\xce"
                   + b"\x00\x00\x00\x01\x65" + bytes(3000))
    vp8.push("VP8", b"\x01" + bytes(300))
    frames = [(frame, 3000 * n) for n, frame in enumerate(got)]
    both = [codec("video/VP8", 96), codec("video/rtx", 97, apt=96),
            codec("video/H264", 102, **{"packetization-mode": "1", "profile-level-id": "42e01f"})]
    for negotiated_codecs, expected in ((both, [96] * 2 + [102] * len(got[1].payloads) + [96]),
                                        (both[:2], [96] * 2 + [96])):
        sender, track = Sender(extensions, rtx=97), Track(list(frames))
        speed_up(sender, track)  # type: ignore[arg-type]
        await sender.send(RTCRtpSendParameters(codecs=negotiated_codecs))
        assert sender.parameters is not None  # aiortc's own send still ran
        await sender._run_rtp(negotiated_codecs[0])
        packets = [RtpPacket.parse(data, extensions) for data in sender.transport.sent]
        assert [p.payload_type for p in packets] == expected
        if len(negotiated_codecs) == 3:
            assert [p.payload for p in packets if p.payload_type == 102] == list(h264.packetize(got[1].data))
            # RTX repairs the first codec only (aiortc keeps one RTX type): an H.264 packet goes again as it was
            lost = next(p for p in packets if p.payload_type == 102)
            await sender._retransmit(lost.sequence_number)
            again = RtpPacket.parse(sender.transport.sent[-1], extensions)
            assert (again.payload_type, again.ssrc, again.sequence_number, again.payload) == (
                102, 0x11223344, lost.sequence_number, lost.payload)
