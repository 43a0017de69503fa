"""What the hub reads in an H.264 frame as the publisher sent it (Annex B: NAL units
after start codes, as aiortc's depacketizer assembles them): whether it opens a
picture on its own, and its parameter sets, which name the profile in a playlist's
CODECS and open an MP4 track. Nothing here decodes: the bytes go on as they came."""
from __future__ import annotations

from collections.abc import Iterator

from aiortc.codecs.h264 import H264Encoder

IDR, SPS, PPS = 5, 7, 8


def nal_units(data: bytes) -> Iterator[bytes]:
    """The NAL units of an Annex B frame, without their start codes (aiortc's splitter)."""
    return (unit for unit in H264Encoder._split_bitstream(data) if unit)


def is_keyframe(data: bytes) -> bool:
    """An IDR picture: a decoder joining here needs nothing earlier."""
    return any(unit[0] & 0x1F == IDR for unit in nal_units(data))


def parameter_sets(data: bytes) -> bytes | None:
    """The SPS and PPS a keyframe carries, in Annex B (what FFmpeg's mp4 muxer takes as a
    track's extradata and writes as its avcC box), or None if it carries neither."""
    units = {unit[0] & 0x1F: unit for unit in nal_units(data) if unit[0] & 0x1F in (SPS, PPS)}
    if SPS not in units or PPS not in units:
        return None
    return b"".join(b"\x00\x00\x00\x01" + units[kind] for kind in (SPS, PPS))


def codecs_name(data: bytes) -> str | None:
    """RFC 6381's name of the stream ("avc1.42c01f"): profile, constraints and level, the
    three bytes after the SPS's header."""
    for unit in nal_units(data):
        if unit[0] & 0x1F == SPS and len(unit) >= 4:
            return "avc1." + unit[1:4].hex()
    return None


def packetize(data: bytes) -> tuple[bytes, ...]:
    """The RTP payloads of a frame (RFC 6184, packetization mode 1), by aiortc's packetizer."""
    return tuple(H264Encoder._packetize(nal_units(data)))
