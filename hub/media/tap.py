"""The private aiortc hooks, all in one place (aiortc is pinned for them).

1. A receiver normally hands each encoded frame to a decoder thread through a
   queue. `tap_receiver` swaps that queue for one that passes the encoded frame
   to us and decodes nothing; aiortc's decoder thread just waits until the stop.
2. `request_keyframe` sends a PLI to a publisher (the receiver's own method).
3. `on_keyframe_request` routes a viewer's PLI (the sender's `_send_keyframe`,
   which would only flag its encoder, and we have none) to the source instead.
"""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from aiortc import RTCRtpReceiver, RTCRtpSender

Sink = Callable[[str, bytes], None]  # (codec name, encoded frame bytes)


class EncodedFrameTap:
    """Stands in for RTCRtpReceiver's decoder queue."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self._stopped = threading.Event()

    def put(self, item: Any) -> None:  # called on the event loop by the receiver
        if item is None:
            self._stopped.set()
            return
        codec, frame = item
        self.sink(codec.name, frame.data)

    def get(self) -> None:  # called by aiortc's decoder thread: park it until stop
        self._stopped.wait()
        return None


def tap_receiver(receiver: RTCRtpReceiver, sink: Sink) -> None:
    """Call before the connection starts (before setLocalDescription)."""
    receiver._RTCRtpReceiver__decoder_queue = EncodedFrameTap(sink)  # type: ignore[attr-defined]


def request_keyframe(receiver: RTCRtpReceiver) -> None:
    for source in receiver.getSynchronizationSources():
        asyncio.ensure_future(receiver._send_rtcp_pli(source.source))


def on_keyframe_request(sender: RTCRtpSender, callback: Callable[[], None]) -> None:
    sender._send_keyframe = callback  # type: ignore[method-assign]


def is_vp8_keyframe(data: bytes) -> bool:
    """VP8 payload header: the P bit (lowest bit of the first byte) is 0 on keyframes."""
    return bool(data) and not data[0] & 0x01


def vp8_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a VP8 keyframe (RFC 6386, section 9.1)."""
    if len(data) < 10 or not is_vp8_keyframe(data) or data[3:6] != b"\x9d\x01\x2a":
        return None
    return (int.from_bytes(data[6:8], "little") & 0x3FFF, int.from_bytes(data[8:10], "little") & 0x3FFF)
