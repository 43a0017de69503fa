"""The live window of one rendition as Low-Latency HLS: partial segments of about
200 ms that a player can fetch while the 1-second segment they belong to is still
being encoded, and the playlist that lists them (RFC 8216bis, "Low-Latency HLS").

FFmpeg's `hls` muxer has no partial segments, but it cuts fMP4 (CMAF) fragments at
any interval (`hls_time` with `split_by_time`): the packager has it cut one fragment
per part, and this window groups the parts into segments, each opening on the part
that starts with a keyframe. A segment's bytes are its parts' fragments one after
the other (a CMAF segment may hold several). So FFmpeg still does all the muxing and
cutting; what is written here is the playlist's text and the bookkeeping.

One playlist serves every player: one that knows LL-HLS follows the parts and asks
with blocking reloads (`_HLS_msn`, `_HLS_part`); one that does not ignores those
tags and plays the whole segments, as plain HLS.

Plain Python without I/O: the packager's thread hands it fragments through the event
loop, the HTTP routes read it.
"""
from __future__ import annotations

import math
import struct
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

NON_SYNC = 0x0001_0000        # ISO/IEC 14496-12 sample flags: sample_is_non_sync_sample
PARTS_LISTED_S_FACTOR = 3     # parts are listed for the segments of the last 3 target durations


def boxes(data: bytes | bytearray, start: int = 0, end: int | None = None) -> Iterator[tuple[bytes, int, int]]:
    """The ISO-BMFF boxes between start and end: (type, offset of its body, end)."""
    end = len(data) if end is None else end
    offset = start
    while offset + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, offset)
        header = 8
        if size == 1 and offset + 16 <= end:
            size, header = struct.unpack_from(">Q", data, offset + 8)[0], 16
        elif size == 0:
            size = end - offset
        if size < header or offset + size > end:
            return  # truncated: nothing more to read
        yield kind, offset + header, offset + size
        offset += size


def _child(data: bytes, kind: bytes, start: int, end: int) -> tuple[int, int] | None:
    for found, body, stop in boxes(data, start, end):
        if found == kind:
            return body, stop
    return None


def starts_with_keyframe(fragment: bytes, track_id: int) -> bool:
    """Whether the first sample of `track_id` in this fragment is a sync sample (a keyframe),
    from the flags FFmpeg's mp4 muxer writes in the track's `tfhd` and `trun`."""
    found = _traf(fragment, track_id)
    if found is None:
        return False
    tfhd, _, trun = found
    flags = struct.unpack_from(">I", fragment, tfhd[0])[0] & 0xFFFFFF
    at = tfhd[0] + 8 + (8 if flags & 0x01 else 0) + (4 if flags & 0x02 else 0) \
        + (4 if flags & 0x08 else 0) + (4 if flags & 0x10 else 0)
    default = struct.unpack_from(">I", fragment, at)[0] if flags & 0x20 and at + 4 <= tfhd[1] else None
    tflags, count = struct.unpack_from(">II", fragment, trun[0])
    if count == 0:
        return False
    at = trun[0] + 8 + (4 if tflags & 0x01 else 0)
    if tflags & 0x04:
        sample_flags: int | None = struct.unpack_from(">I", fragment, at)[0]
    elif tflags & 0x400:
        at += (4 if tflags & 0x100 else 0) + (4 if tflags & 0x200 else 0)
        sample_flags = struct.unpack_from(">I", fragment, at)[0] if at + 4 <= trun[1] else None
    else:
        sample_flags = default
    return sample_flags is not None and not sample_flags & NON_SYNC


def _traf(fragment: bytes, track_id: int) -> tuple[tuple[int, int], tuple[int, int] | None, tuple[int, int]] | None:
    """The (tfhd, tfdt, trun) bodies of `track_id`'s traf in this fragment's moof."""
    moof = _child(fragment, b"moof", 0, len(fragment))
    if moof is None:
        return None
    for kind, body, end in boxes(fragment, *moof):
        if kind != b"traf":
            continue
        tfhd, trun = _child(fragment, b"tfhd", body, end), _child(fragment, b"trun", body, end)
        if tfhd is None or trun is None or tfhd[1] - tfhd[0] < 8 or trun[1] - trun[0] < 8:
            continue
        if struct.unpack_from(">I", fragment, tfhd[0] + 4)[0] == track_id:
            return tfhd, _child(fragment, b"tfdt", body, end), trun
    return None


def timescale(init: bytes, track_id: int) -> int | None:
    """Ticks per second of `track_id`, from the init section's moov/trak/mdia/mdhd."""
    moov = _child(init, b"moov", 0, len(init))
    for kind, body, end in boxes(init, *moov) if moov else ():
        tkhd, mdia = _child(init, b"tkhd", body, end), _child(init, b"mdia", body, end)
        if kind != b"trak" or tkhd is None or mdia is None:
            continue
        version = init[tkhd[0]]
        if struct.unpack_from(">I", init, tkhd[0] + (20 if version == 1 else 12))[0] != track_id:
            continue
        mdhd = _child(init, b"mdhd", *mdia)
        if mdhd is not None:
            return int(struct.unpack_from(">I", init, mdhd[0] + (20 if init[mdhd[0]] == 1 else 12))[0])
    return None


def fragment_timing(fragment: bytes, track_id: int) -> tuple[int, int] | None:
    """(decode time of its first sample, total duration), in the track's ticks."""
    found = _traf(fragment, track_id)
    if found is None:
        return None
    tfhd, tfdt, trun = found
    if tfdt is None:
        return None
    version = fragment[tfdt[0]]
    start = struct.unpack_from(">Q" if version == 1 else ">I", fragment, tfdt[0] + 4)[0]
    flags = struct.unpack_from(">I", fragment, tfhd[0])[0] & 0xFFFFFF
    at = tfhd[0] + 8 + (8 if flags & 0x01 else 0) + (4 if flags & 0x02 else 0)
    default = struct.unpack_from(">I", fragment, at)[0] if flags & 0x08 else 0
    tflags, count = struct.unpack_from(">II", fragment, trun[0])
    if not tflags & 0x100:
        return start, default * count
    size = 4 * sum(1 for bit in (0x100, 0x200, 0x400, 0x800) if tflags & bit)
    at = trun[0] + 8 + (4 if tflags & 0x01 else 0) + (4 if tflags & 0x04 else 0)
    if at + size * count > trun[1]:
        return None
    return start, sum(struct.unpack_from(">I", fragment, at + i * size)[0] for i in range(count))


def fragment_only(part: bytes) -> bytes:
    """A part's moof and mdat, without the styp and sidx FFmpeg puts before them: what
    follows the first part inside a whole segment (a segment index would describe one part)."""
    return b"".join(part[body - 8:end] for kind, body, end in boxes(part) if kind in (b"moof", b"mdat"))


@dataclass
class Part:
    data: bytes
    duration: float
    independent: bool


@dataclass
class Segment:
    msn: int                    # its media sequence number
    date: float                 # wall-clock time of its first picture (EXT-X-PROGRAM-DATE-TIME)
    parts: list[Part] = field(default_factory=list)
    data: bytes | None = None   # once complete: the whole segment

    @property
    def duration(self) -> float:
        return sum(p.duration for p in self.parts)


def _date(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class LiveWindow:
    """The last `window` complete segments of one rendition and the one being made."""

    def __init__(self, first_msn: int, *, part_target: float, segment_target: float, window: int,
                 init_name: str, sound_only: bool = False) -> None:
        self.next_msn, self.part_target, self.window = first_msn, part_target, window
        self.segment_target, self.sound_only = segment_target, sound_only
        self.target_duration = max(1, math.ceil(segment_target))
        self.init_name = init_name
        self.init: bytes | None = None
        self.segments: deque[Segment] = deque()

    # -- what the packager hands in ----------------------------------------------------------
    def add_part(self, data: bytes, duration: float, date: float, independent: bool,
                 ends_segment: bool = False) -> None:
        """A part just cut. An independent one opens a new segment (and completes the previous)
        once that one is about a segment long: every part of the sound is independent.

        `ends_segment`: the packager knows a keyframe follows this part, so its segment is
        complete now; players that fetch whole segments get it without waiting for the next
        part (about 200 ms sooner). Sound alone: a segment that is full is complete."""
        current = self.segments[-1] if self.segments and self.segments[-1].data is None else None
        if independent and current is not None and self._full(current):
            self._complete(current)
            current = None
        if current is None:
            if not independent:
                return  # a segment must open on a keyframe: wait for one
            current = Segment(self.next_msn, date)
            self.next_msn += 1
            self.segments.append(current)
        current.parts.append(Part(data, duration, independent))
        if ends_segment or (self.sound_only and self._full(current)):
            self._complete(current)
        complete = [s for s in self.segments if s.data is not None]
        while len(complete) > self.window:
            self.segments.popleft()
            complete.pop(0)

    def _full(self, segment: Segment) -> bool:
        return segment.duration + self.part_target / 2 >= self.segment_target

    def _complete(self, segment: Segment) -> None:
        first, *rest = segment.parts
        segment.data = first.data + b"".join(fragment_only(p.data) for p in rest)
        # A longer segment than announced (a keyframe late after a stall) raises the target, which
        # each segment's duration rounded to the nearest second must not exceed (RFC 8216 4.3.3.1)
        self.target_duration = max(self.target_duration, round(segment.duration))

    # -- what the server reads -----------------------------------------------------------------
    @property
    def ready(self) -> bool:
        """A player can start: the init section and one complete segment are here."""
        return self.init is not None and any(s.data is not None for s in self.segments)

    def last(self) -> tuple[int, int] | None:
        """(msn, part index) of the newest part."""
        if not self.segments:
            return None
        newest = self.segments[-1]
        return newest.msn, len(newest.parts) - 1

    def has(self, msn: int, part: int | None) -> bool:
        """Whether the playlist already holds segment `msn` (whole, or up to its part `part`)."""
        newest = self.last()
        if newest is None:
            return False
        if part is None:
            return newest[0] > msn or (newest[0] == msn and self.segments[-1].data is not None)
        return newest[0] > msn or (newest[0] == msn and newest[1] >= part)

    def next_part_name(self) -> str:
        """The part that comes next, which a player may ask for before it exists (a preload
        hint): the server holds that request until it does. Keyframes come every segment
        target, so a segment that has about that much opens the next one."""
        msn, part = self.last() or (self.next_msn, -1)
        newest = self.segments[-1] if self.segments else None
        if newest is None or newest.data is not None or self._full(newest):
            msn, part = (newest.msn + 1 if newest else self.next_msn), -1
        return f"s{msn}.{part + 1}.m4s"

    def segment(self, msn: int) -> Segment | None:
        for s in self.segments:
            if s.msn == msn:
                return s
        return None

    def playlist(self) -> str:
        """The media playlist: whole segments for every player, parts for the recent ones."""
        lines = ["#EXTM3U", "#EXT-X-VERSION:9", f"#EXT-X-TARGETDURATION:{self.target_duration}",
                 # a player starts this far behind the newest part: three parts, as RFC 8216bis asks at least
                 f"#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK={3 * self.part_target:.3f}",
                 f"#EXT-X-PART-INF:PART-TARGET={self.part_target:.3f}",
                 f"#EXT-X-MEDIA-SEQUENCE:{self.segments[0].msn if self.segments else self.next_msn}",
                 "#EXT-X-INDEPENDENT-SEGMENTS", f'#EXT-X-MAP:URI="{self.init_name}"']
        recent, total = set(), 0.0
        for s in reversed(self.segments):
            recent.add(s.msn)
            total += s.duration
            if total >= PARTS_LISTED_S_FACTOR * self.target_duration:
                break
        for s in self.segments:
            lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{_date(s.date)}")
            if s.msn in recent:
                for i, p in enumerate(s.parts):
                    lines.append(f'#EXT-X-PART:DURATION={p.duration:.5f},URI="s{s.msn}.{i}.m4s"'
                                 + (",INDEPENDENT=YES" if p.independent else ""))
            if s.data is not None:
                lines += [f"#EXTINF:{s.duration:.5f},", f"s{s.msn}.m4s"]
        newest = self.last()
        if newest is not None:
            lines.append(f'#EXT-X-PRELOAD-HINT:TYPE=PART,URI="{self.next_part_name()}"')
        return "\n".join(lines) + "\n"
