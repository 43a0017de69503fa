"""The LL-HLS window without a server or an encoder: parts grouped into segments on
keyframes, the playlist's tags, blocking-reload bookkeeping, and the fMP4 flags read
to tell a keyframe part from the others."""
from __future__ import annotations

import struct

from hub.media.llhls import LiveWindow, boxes, fragment_only, starts_with_keyframe


def box(kind: bytes, *body: bytes) -> bytes:
    payload = b"".join(body)
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def fragment(track: int, first_flags: int | None, *, default_flags: int | None = None, per_sample: bool = False,
             label: bytes = b"x") -> bytes:
    """A part as FFmpeg writes it: styp, sidx, then moof (one traf) and mdat."""
    tfhd_flags = 0x20 if default_flags is not None else 0
    tfhd = box(b"tfhd", struct.pack(">II", tfhd_flags, track),
               struct.pack(">I", default_flags) if default_flags is not None else b"")
    if per_sample:
        trun = box(b"trun", struct.pack(">II", 0x01 | 0x200 | 0x400, 2), struct.pack(">i", 0),
                   struct.pack(">II", 100, first_flags or 0), struct.pack(">II", 100, 0x10000))
    elif first_flags is not None:
        trun = box(b"trun", struct.pack(">II", 0x01 | 0x04, 1), struct.pack(">iI", 0, first_flags))
    else:
        trun = box(b"trun", struct.pack(">II", 0x01, 1), struct.pack(">i", 0))
    moof = box(b"moof", box(b"mfhd", struct.pack(">II", 0, 1)), box(b"traf", tfhd, box(b"tfdt", bytes(12)), trun))
    return box(b"styp", b"msdh") + box(b"sidx", bytes(20)) + moof + box(b"mdat", label)


KEY, DELTA = 0x0200_0000, 0x0101_0000   # "depends on nothing" / "depends on others, not a sync sample"


def test_a_keyframe_is_read_from_the_flags_ffmpeg_writes():
    assert starts_with_keyframe(fragment(1, KEY), 1)
    assert not starts_with_keyframe(fragment(1, DELTA), 1)
    assert starts_with_keyframe(fragment(1, None, default_flags=KEY), 1)
    assert not starts_with_keyframe(fragment(1, None, default_flags=DELTA), 1)
    assert starts_with_keyframe(fragment(1, KEY, per_sample=True), 1)
    assert not starts_with_keyframe(fragment(1, DELTA, per_sample=True), 1)
    assert not starts_with_keyframe(fragment(2, KEY), 1)  # the sound's track says nothing of the picture
    for broken in (b"", b"\x00\x00\x00\x01moof", fragment(1, KEY)[:60], b"\xff" * 64):
        assert not starts_with_keyframe(broken, 1)  # truncated or garbage: never an exception


def test_a_whole_segment_is_its_parts_without_their_indexes():
    first, second = fragment(1, KEY, label=b"one"), fragment(1, DELTA, label=b"two")
    assert [k for k, *_ in boxes(fragment_only(second))] == [b"moof", b"mdat"]
    window = LiveWindow(100, part_target=0.3, segment_target=1.0, window=3, init_name="init-100.mp4")
    for i in range(5):
        window.add_part(first if i == 0 else second, 0.2, 1000.0 + i * 0.2, i == 0)
    window.add_part(first, 0.2, 1001.0, True)
    whole = window.segment(100)
    assert whole is not None and whole.data is not None
    assert [k for k, *_ in boxes(whole.data)] == [b"styp", b"sidx", b"moof", b"mdat"] + [b"moof", b"mdat"] * 4


def run(window: LiveWindow, keyframes: list[bool], start: float = 1000.0, duration: float = 0.2) -> None:
    for i, key in enumerate(keyframes):
        window.add_part(fragment(1, KEY if key else DELTA), duration, start + i * duration, key)


def test_parts_are_grouped_into_segments_that_open_on_a_keyframe():
    window = LiveWindow(500, part_target=0.3, segment_target=1.0, window=2, init_name="init-500.mp4")
    run(window, [False, False])  # before any keyframe: nothing a player could start from
    assert window.last() is None and not window.ready
    run(window, [True, False, False, False, False] * 4 + [True, False])
    assert [s.msn for s in window.segments] == [502, 503, 504]  # two complete kept, one being made
    assert window.last() == (504, 1)
    window.init = b"init"
    assert window.ready
    assert window.has(503, None) and window.has(504, 1) and not window.has(504, None) and not window.has(504, 2)
    assert window.has(503, 9)  # a later segment exists: that part will never come
    text = window.playlist()
    assert "#EXT-X-MEDIA-SEQUENCE:502" in text and '#EXT-X-MAP:URI="init-500.mp4"' in text
    assert "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=0.900" in text
    assert "#EXT-X-PART-INF:PART-TARGET=0.300" in text and "#EXT-X-TARGETDURATION:1" in text
    assert text.count("#EXTINF:1.00000,") == 2 and "s504.m4s" not in text.replace("s504.0.m4s", "").replace(
        "s504.1.m4s", "").replace("s504.2.m4s", "")
    assert '#EXT-X-PART:DURATION=0.20000,URI="s504.0.m4s",INDEPENDENT=YES' in text
    assert '#EXT-X-PART:DURATION=0.20000,URI="s504.1.m4s"\n' in text
    assert text.rstrip().endswith('#EXT-X-PRELOAD-HINT:TYPE=PART,URI="s504.2.m4s"')
    assert text.count("#EXT-X-PROGRAM-DATE-TIME:") == 3


def test_the_hint_names_the_next_segment_once_this_one_is_full():
    window = LiveWindow(7, part_target=0.3, segment_target=1.0, window=3, init_name="init-7.mp4")
    assert window.next_part_name() == "s7.0.m4s"
    run(window, [True, False, False, False])
    assert window.next_part_name() == "s7.4.m4s"
    run(window, [False], start=1000.8)
    assert window.next_part_name() == "s8.0.m4s"


def test_sound_only_parts_all_independent_still_make_one_second_segments():
    window = LiveWindow(1, part_target=0.3, segment_target=1.0, window=6, init_name="init-1.mp4")
    run(window, [True] * 16, duration=0.192)
    assert [len(s.parts) for s in window.segments] == [5, 5, 5, 1]  # 0.96 s each: as close to 1 s as parts go


def test_old_parts_leave_the_playlist_and_a_long_segment_raises_the_target():
    window = LiveWindow(1, part_target=0.3, segment_target=1.0, window=6, init_name="init-1.mp4")
    run(window, [True, False, False, False, False] * 6 + [True])
    text = window.playlist()
    assert 'URI="s1.0.m4s"' not in text and "s1.m4s" in text  # listed whole only, not as parts
    assert 'URI="s6.0.m4s"' in text
    run(window, [False] * 9, start=2000.0)                    # a keyframe late after a stall
    run(window, [True], start=2002.0)
    assert window.target_duration == 2 and "#EXT-X-TARGETDURATION:2" in window.playlist()


def test_a_segment_is_complete_with_its_last_part_when_the_packager_knows_a_keyframe_follows():
    window = LiveWindow(1, part_target=0.3, segment_target=1.0, window=6, init_name="init-1.mp4")
    run(window, [True, False, False, False])
    window.add_part(fragment(1, DELTA), 0.2, 1000.8, False, ends_segment=True)
    assert window.segments[-1].data is not None and window.has(1, None)  # whole-segment players need not wait
    assert window.next_part_name() == "s2.0.m4s" and "\ns1.m4s\n" in window.playlist()
    run(window, [True], start=1001.0)
    assert [s.msn for s in window.segments] == [1, 2] and window.last() == (2, 0)
    # sound alone: a segment about a second long is complete as its last part comes
    sound = LiveWindow(1, part_target=0.3, segment_target=1.0, window=6, init_name="init-1.mp4", sound_only=True)
    run(sound, [True] * 5, duration=0.192)
    assert sound.segments[-1].data is not None and len(sound.segments) == 1
