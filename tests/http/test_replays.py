"""Replays: a recorded session is listed and served once the control room publishes
it (as if absent before), with its questions and polls, and its video answers
HTTP Range requests so players can seek."""
from __future__ import annotations

import asyncio
from fractions import Fraction
from pathlib import Path

import av

from hub.domain.actors import Role

from ..hubserver import EVENT


def webm(path: Path, seconds: int = 4) -> None:
    """A real, seekable VP8 WebM, made here (no media pipeline needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format="webm") as out:
        stream = out.add_stream("libvpx", rate=10)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        for i in range(seconds * 10):
            frame = av.VideoFrame(160, 120, "yuv420p")
            for plane in frame.planes:  # a grey that brightens: each second looks different
                plane.update(bytes([(i * 6) % 255 if plane is frame.planes[0] else 128]) * plane.buffer_size)
            frame.pts, frame.time_base = i, Fraction(1, 10)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


async def test_a_replay_is_published_with_its_questions_and_seekable(http, hub):
    name = "02-classes-virtuelles-en-lycee-professionnel-20201013-093000.webm"
    webm(hub.settings.data_dir / "recordings" / EVENT / "nancy" / name)  # Nancy's camera, in Nancy's session
    # what was on air meanwhile (Reims, say): never the replay of a session titled for Nancy
    webm(hub.settings.data_dir / "recordings" / EVENT / name.replace("093000", "093001"))
    mod, viewer = hub.moderator(), hub.viewer()
    await mod.connect()
    await viewer.connect()
    await mod.command({"type": "programme.current", "session": 1})
    asked = await viewer.command({"type": "question.ask", "text": "Quel matériel ?"})
    await mod.command({"type": "question.approve", "question": asked["result"]["question"]})

    assert (await http.get(f"/api/events/{EVENT}/replays")).json()["replays"] == []
    assert (await http.get(f"/media/recordings/{EVENT}/nancy/{name}")).status_code == 404
    staff = {"Authorization": f"Bearer {hub.token(Role.MODERATOR)}"}
    (listed,) = (await http.get(f"/api/events/{EVENT}/replays", headers=staff)).json()["replays"]
    assert listed["session"] == 1 and listed["published"] is False and len(listed["program_videos"]) == 1

    await mod.command({"type": "replay.publish", "session": 1, "public": True})
    (replay,) = (await http.get(f"/api/events/{EVENT}/replays")).json()["replays"]
    assert replay["title"] == "Classes virtuelles en lycée professionnel" and replay["videos"] == [
        f"/media/recordings/{EVENT}/nancy/{name}"]
    assert replay["site"] == "nancy" and "program_videos" not in replay  # the program's file: régie only
    assert [q["text"] for q in replay["questions"]] == ["Quel matériel ?"]
    whole = await http.get(replay["videos"][0])
    assert whole.status_code == 200 and whole.headers["accept-ranges"] == "bytes"
    part = await http.get(replay["videos"][0], headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == whole.content[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(whole.content)}"
    assert (await http.get(f"/media/recordings/{EVENT}/../secret")).status_code == 404
    assert (await http.get(f"/media/recordings/{EVENT}/atlantis/{name}")).status_code == 404
    assert (await http.get(f"/media/recordings/{EVENT}/reims/{name}")).status_code == 404

    await mod.command({"type": "replay.publish", "session": 1, "public": False})
    assert (await http.get(replay["videos"][0])).status_code == 404
    await mod.close()
    await viewer.close()


async def test_a_recorded_session_gets_its_captions_as_webvtt_beside_it(http, hub):
    """Captions typed while a session is recorded: a WebVTT file beside the recording,
    listed with the replay and served as text/vtt; every cue inside the recording."""
    import re

    from ..media.peers import RED, publish_over_whip
    from ..support import until
    pc = await publish_over_whip(http, hub.token(Role.COORDINATOR, "nancy"), EVENT, "nancy", RED, 440)
    media = hub.runtime.events[EVENT].media
    await until(lambda: media.live_sites() == ["nancy"], what="nancy live")
    async with hub.moderator() as mod, hub.viewer(token=hub.token(Role.CAPTIONER)) as captioner:
        await mod.command({"type": "stage.on_air", "site": "nancy"})
        await mod.command({"type": "stage.record", "session": 0})
        await until(lambda: media.recorder is not None and media.recorder.frames > 20, timeout=20, what="recording")
        for text in ("Bonjour à toutes et à tous.", "Nous ouvrons la journée régionale.", "Place aux sites !"):
            await captioner.command({"type": "caption.line", "text": text})
            frames = media.recorder.frames  # lines a moment apart, as typed: a few more frames recorded
            await until(lambda: media.recorder.frames > frames + 5, what="the recording going on")  # noqa: B023
        await mod.command({"type": "stage.record", "session": None})
        await until(lambda: hub.runtime.events[EVENT].captioned == 1, timeout=10, what="captions written")
        await mod.command({"type": "replay.publish", "session": 0, "public": True})
    (replay,) = (await http.get(f"/api/events/{EVENT}/replays")).json()["replays"]
    (vtt_url,) = replay["captions"]
    served = await http.get(vtt_url)
    assert served.status_code == 200 and served.headers["content-type"].startswith("text/vtt")
    with av.open(str(hub.settings.data_dir / "recordings" / EVENT / Path(replay["videos"][0]).name)) as video:
        length_ms = float(video.duration / av.time_base * 1000) if video.duration else 0
    cues = re.findall(r"(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})\n(.+)", served.text)
    assert served.text.startswith("WEBVTT") and [c[-1] for c in cues] == [
        "Bonjour à toutes et à tous.", "Nous ouvrons la journée régionale.", "Place aux sites !"]
    for cue in cues:
        begin = ((int(cue[0]) * 60 + int(cue[1])) * 60 + int(cue[2])) * 1000 + int(cue[3])
        end = ((int(cue[4]) * 60 + int(cue[5])) * 60 + int(cue[6])) * 1000 + int(cue[7])
        assert 0 < begin < end <= length_ms + 1000, (begin, end, length_ms)  # inside the session's recording
    await pc.close()


def colours_in(path: Path) -> set[str]:
    """The colours a recording shows, decoded frame by frame."""
    from ..media.peers import colour_of
    with av.open(str(path)) as video:
        return {colour_of(frame) for frame in video.decode(video=0)}


async def test_each_sites_camera_is_recorded_per_its_own_session_whatever_is_on_air(http, hub):
    """Nancy and Reims run their own 09:30 reports while Reims is on air: each site's
    file shows its own camera, and Nancy's replay plays red (Nancy), never blue (Reims)."""
    from ..media.peers import BLUE, RED, publish_over_whip
    from ..support import until
    nancy = await publish_over_whip(http, hub.token(Role.COORDINATOR, "nancy"), EVENT, "nancy", RED, 440)
    reims = await publish_over_whip(http, hub.token(Role.COORDINATOR, "reims"), EVENT, "reims", BLUE, 660)
    ev = hub.runtime.events[EVENT]
    await until(lambda: ev.media.live_sites() == ["nancy", "reims"], what="both sites live")
    async with hub.moderator() as mod, hub.viewer(token=hub.token(Role.COORDINATOR, "nancy")) as coord:
        await mod.command({"type": "stage.on_air", "site": "reims"})
        await coord.command({"type": "programme.current", "session": 1})  # Nancy: Classes virtuelles
        await mod.command({"type": "programme.current", "session": 10, "site": "reims"})  # Reims: Podcasts
        await until(lambda: {s: r[1].frames > 20 for s, r in ev.media.track_recorders.items()}
                    == {"nancy": True, "reims": True}, timeout=60, what="both cameras recorded")
        await coord.command({"type": "programme.current", "session": 2})  # Nancy's next report: a new file
        await mod.command({"type": "programme.current", "session": None, "site": "reims"})
        await until(lambda: len(ev.media.track_files) == 2, timeout=60, what="the two files closed")
        await until(lambda: ev.media.track_recorders["nancy"][0] == 2 and ev.media.track_recorders["nancy"][1].frames
                    > 5, timeout=60, what="Nancy's next session recorded")
        await coord.command({"type": "programme.current", "session": None})
        await until(lambda: len(ev.media.track_files) == 3, timeout=60, what="Nancy's second file closed")
        await mod.command({"type": "replay.publish", "session": 1, "public": True})
        await mod.command({"type": "replay.publish", "session": 10, "public": True})
    folder = hub.settings.data_dir / "recordings" / EVENT
    assert {p.parent.name for p in ev.media.track_files} == {"nancy", "reims"}
    replays = {r["session"]: r for r in (await http.get(f"/api/events/{EVENT}/replays")).json()["replays"]}
    assert set(replays) == {1, 10} and replays[1]["site"] == "nancy" and replays[10]["site"] == "reims"
    (nancy_video,) = replays[1]["videos"]
    (reims_video,) = replays[10]["videos"]
    assert colours_in(folder / "nancy" / Path(nancy_video).name) == {"red"}
    assert colours_in(folder / "reims" / Path(reims_video).name) == {"blue"}
    assert (await http.get(nancy_video)).status_code == 200
    await nancy.close()
    await reims.close()


async def test_ten_quick_session_switches_leave_every_recording_closed_and_playable(http, hub, monkeypatch):
    """The control room (and a site's track) switching sessions ten times as fast as it
    can send: recording changes run one at a time in log order, so no recorder is
    left running and every file written is closed and plays."""
    from hub.media import sessions as media_sessions

    from ..media.peers import RED, publish_over_whip
    from ..support import until
    started, stopped = [], []

    class Counted(media_sessions.Recorder):  # every recorder opened is closed again
        def __init__(self, *args, **kw) -> None:
            super().__init__(*args, **kw)
            started.append(self)

        async def stop(self):
            stopped.append(self)
            return await super().stop()
    monkeypatch.setattr(media_sessions, "Recorder", Counted)
    pc = await publish_over_whip(http, hub.token(Role.COORDINATOR, "nancy"), EVENT, "nancy", RED, 440)
    ev = hub.runtime.events[EVENT]
    await until(lambda: ev.media.live_sites() == ["nancy"], timeout=60, what="nancy live")
    async with hub.moderator() as mod:
        await mod.command({"type": "stage.on_air", "site": "nancy"})
        # ten switches of the program's recording and of Nancy's track, sent without waiting for any answer
        switches = [cmd for s in [1, 2, 3, 4, 5, 1, 2, 3, 4, 5]
                    for cmd in ({"type": "stage.record", "session": s},
                                {"type": "programme.current", "session": s, "site": "nancy"})]
        await asyncio.gather(*(mod.command(cmd) for cmd in switches))
        await mod.command({"type": "stage.record", "session": None})
        await mod.command({"type": "programme.current", "session": None, "site": "nancy"})
        await until(lambda: ev.recording_change is not None and ev.recording_change.done(), timeout=60,
                    what="the media caught up with the log")
    assert ev.media.recorder is None and ev.media.recording is None and ev.media.track_recorders == {}
    assert len(started) >= 2 and sorted(map(id, started)) == sorted(map(id, stopped))  # none left running
    folder = hub.settings.data_dir / "recordings" / EVENT
    files = sorted(folder.rglob("*.webm"))
    for path in files:  # closed: each one opens and decodes to its end
        with av.open(str(path)) as video:
            assert sum(1 for _ in video.decode(video=0)) >= 0
    assert set(ev.media.recorded) | set(ev.media.track_files) == {p for p in files}
    await pc.close()
