"""A viewer's RTP sender that forwards, rather than re-packetises, each frame.

aiortc's RTCRtpSender, given an encoded packet, cuts it into RTP payloads again for
every viewer (its own VP8 picture ids), builds a packet object per RTP packet with
its header extensions, and reads the NTP clock twice per packet. The hub's frames
arrive already cut, once per source (hub/media/source.py, with aiortc's own
packetizer), so per viewer and per packet what is left is a 12-byte header (its
sequence number, timestamp and SSRC), the header extensions computed once per
frame, the encryption, and the write. Nothing is decoded or encoded.

`speed_up(sender, track)` swaps that loop in for one sender, before the connection
starts; aiortc keeps the rest (RTCP, sender reports from the counters updated
here, keyframe requests). Retransmissions asked by NACK are served from this
loop's own history, wrapped for RTX when the viewer negotiated it (RFC 4588).
A codec the hub does not cut itself falls back to aiortc's own loop.

A site may publish VP8 or H.264, and the program switches between sites: each frame
goes out with the payload type the viewer negotiated for its own codec (a receiver
follows a change of payload type between negotiated codecs at a keyframe, which is
where the program switches). A frame whose codec the viewer did not negotiate is not
sent: its picture holds until one it can decode comes.
"""
from __future__ import annotations

import asyncio
import logging
import struct
import traceback
from types import MethodType
from typing import TYPE_CHECKING

from aiortc import clock
from aiortc.mediastreams import MediaStreamError
from aiortc.rtcrtpparameters import RTCRtpCodecParameters, RTCRtpSendParameters
from aiortc.rtcrtpsender import RTCRtpSender, random_sequence_number
from aiortc.rtp import RTP_HISTORY_SIZE, HeaderExtensions
from aiortc.utils import random32

if TYPE_CHECKING:
    from .tracks import ForwardTrack

log = logging.getLogger(__name__)
FORWARDED = {"video/vp8", "video/h264", "audio/opus"}  # what Source cuts into payloads itself
_header = struct.Struct("!BBHLL")
_P = "_RTCRtpSender__"  # aiortc's private attributes, as its name mangling spells them


class _History:
    """The last packets sent, by sequence number, for retransmission."""

    def __init__(self) -> None:
        self.slots: list[tuple[int, int, int, int, bytes, bytes] | None] = [None] * RTP_HISTORY_SIZE

    def put(self, seq: int, timestamp: int, pt: int, marker: int, extensions: bytes, payload: bytes) -> None:
        self.slots[seq % RTP_HISTORY_SIZE] = (seq, timestamp, pt, marker, extensions, payload)

    def get(self, seq: int) -> tuple[int, int, int, int, bytes, bytes] | None:
        entry = self.slots[seq % RTP_HISTORY_SIZE]
        return entry if entry is not None and entry[0] == seq else None


def _extensions(sender: RTCRtpSender, ntp: int) -> bytes:
    """The header-extension block (profile, length, values), as negotiated, or b""."""
    values = HeaderExtensions()
    values.abs_send_time = (ntp >> 14) & 0x00FFFFFF
    values.mid = getattr(sender, _P + "mid")
    profile, data = getattr(sender, _P + "rtp_header_extensions_map").set(values)
    return struct.pack("!HH", profile, len(data) // 4) + data if profile else b""


def speed_up(sender: RTCRtpSender, track: ForwardTrack) -> None:
    """Call before the connection starts (aiortc starts the loop in `send`)."""
    history = _History()
    aiortc_loop, aiortc_send = RTCRtpSender._run_rtp, sender.send
    payload_type = 0  # the first negotiated codec's, the one RTX repairs, once the loop starts
    payload_types: dict[str, int] = {}  # codec name ("VP8", "H264", "opus") -> its negotiated payload type

    async def send(self: RTCRtpSender, parameters: RTCRtpSendParameters) -> None:
        for codec in parameters.codecs:
            if codec.payloadType is not None and codec.name.lower() != "rtx":
                payload_types.setdefault(codec.name, codec.payloadType)
        await aiortc_send(parameters)

    async def run_rtp(self: RTCRtpSender, codec: RTCRtpCodecParameters) -> None:
        if codec.mimeType.lower() not in FORWARDED:
            await aiortc_loop(self, codec)
            return
        nonlocal payload_type
        getattr(self, _P + "rtp_started").set()
        assert codec.payloadType is not None  # set by the negotiation that started this loop
        seq, origin, ssrc = random_sequence_number(), random32(), self._ssrc
        payload_type = codec.payloadType
        payload_types.setdefault(codec.name, codec.payloadType)
        refused: set[str] = set()
        try:
            while True:
                frame, pts = await track.next_frame()
                if not self._enabled or not frame.payloads:
                    continue
                pt = payload_types.get(frame.codec)  # every frame is named by its source (Source.push)
                if pt is None:
                    if frame.codec not in refused:
                        refused.add(frame.codec)
                        log.info("a viewer did not negotiate %s: its frames are not sent to it", frame.codec)
                    continue
                timestamp = (origin + pts) & 0xFFFFFFFF
                ntp = clock.current_ntp_time()
                extensions = _extensions(self, ntp)
                first = 0x90 if extensions else 0x80  # version 2, X when there are extensions
                last = len(frame.payloads) - 1
                for i, payload in enumerate(frame.payloads):
                    marker = 0x80 if i == last else 0
                    history.put(seq, timestamp, pt, marker, extensions, payload)
                    await self.transport._send_rtp(
                        _header.pack(first, marker | pt, seq, timestamp, ssrc) + extensions + payload)
                    seq = (seq + 1) & 0xFFFF
                # what aiortc's sender reports (RTCP SR) are made of
                setattr(self, _P + "ntp_timestamp", ntp)
                setattr(self, _P + "rtp_timestamp", timestamp)
                setattr(self, _P + "octet_count", getattr(self, _P + "octet_count") + sum(map(len, frame.payloads)))
                setattr(self, _P + "packet_count", getattr(self, _P + "packet_count") + len(frame.payloads))
        except (asyncio.CancelledError, ConnectionError, MediaStreamError):
            pass
        except Exception:
            # aiortc waits for rtp_exited on stop: never leave without setting it
            log.warning("forwarding to a viewer failed: %s", traceback.format_exc())
        track.stop()
        getattr(self, _P + "rtp_exited").set()

    async def retransmit(self: RTCRtpSender, sequence_number: int) -> None:
        entry = history.get(sequence_number)
        if entry is None:
            return
        seq, timestamp, pt, marker, extensions, payload = entry
        first = 0x90 if extensions else 0x80
        rtx = getattr(self, _P + "rtx_payload_type")
        if rtx is None or pt != payload_type:
            # aiortc keeps RTX for the first codec only: another's packet is sent again as it was
            data = _header.pack(first, marker | pt, seq, timestamp, self._ssrc)
        else:
            rtx_seq = getattr(self, _P + "rtx_sequence_number")
            setattr(self, _P + "rtx_sequence_number", (rtx_seq + 1) & 0xFFFF)
            data = _header.pack(first, marker | rtx, rtx_seq, timestamp, self._rtx_ssrc)
            payload = struct.pack("!H", seq) + payload  # RTX: the original sequence number first
        await self.transport._send_rtp(data + extensions + payload)

    sender.send = MethodType(send, sender)  # type: ignore[method-assign]
    sender._run_rtp = MethodType(run_rtp, sender)  # type: ignore[method-assign]
    sender._retransmit = MethodType(retransmit, sender)  # type: ignore[method-assign]
