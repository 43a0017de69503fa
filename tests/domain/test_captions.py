import re

from hub.domain import captions, views
from hub.domain import commands as c
from hub.domain.actors import Actor, Role

from .helpers import MOD, World, coordinator, participant

CAPTIONER = Actor(role=Role.CAPTIONER, pid="captioner-1")


def test_caption_lines_are_log_entries_with_the_site_on_air():
    w = World()
    w.ok(MOD, c.SetOnAir(site="nancy"))
    first = w.ok(CAPTIONER, c.AddCaption(text="Bonjour à toutes\net à tous,   bienvenue"))["caption"]
    w.ok(CAPTIONER, c.AddCaption(text="la journée commence", source="asr"))
    lines = views.render(w.state, w.config, ("captions", ""), "public")
    assert [(x["id"], x["text"], x["source"], x["site"]) for x in lines] == [
        (first, "Bonjour à toutes et à tous, bienvenue", "human", "nancy"),
        (lines[1]["id"], "la journée commence", "asr", "nancy")]


def test_only_the_captioner_and_the_control_room_write_captions_and_bad_lines_are_refused():
    w = World()
    for who in (participant("nancy"), coordinator("nancy")):
        assert w.refused(who, c.AddCaption(text="x")) == "auth.forbidden"
    assert w.refused(CAPTIONER, c.AddCaption(text="   ")) == "caption.text.empty"
    assert w.refused(CAPTIONER, c.AddCaption(text="x" * 501)) == "caption.text.too_long"
    w.ok(MOD, c.AddCaption(text="Correction : le recteur, pas le ministre"))
    assert len(w.state.captions.lines) == 1


def test_clients_get_a_window_the_state_keeps_the_day():
    w = World()
    for i in range(captions.WINDOW + 10):
        w.ok(CAPTIONER, c.AddCaption(text=f"ligne {i}"))
    shown = views.render(w.state, w.config, ("captions", ""), "public")
    assert len(shown) == captions.WINDOW and shown[-1]["text"] == f"ligne {captions.WINDOW + 9}"
    assert len(w.state.captions.lines) == captions.WINDOW + 10


def test_webvtt_of_a_recording_parses_and_its_times_fall_inside_it():
    w = World()
    start = w.clock + 500
    for text in ("Bonjour", "Deuxième ligne --> avec une flèche", "Fin"):
        w.ok(CAPTIONER, c.AddCaption(text=text))  # one second apart (World's clock)
    end = w.clock + 2000
    vtt = captions.webvtt(captions.between(w.state.captions, start, end), start, end)
    assert vtt.startswith("WEBVTT\n\n")
    cues = re.findall(r"^(\S+)\n(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})\n(.+)$", vtt, re.M)
    assert [cue[-1] for cue in cues] == ["Bonjour", "Deuxième ligne → avec une flèche", "Fin"]
    ms = lambda h, m, s, f: ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(f)  # noqa: E731
    for cue in cues:
        begin, until = ms(*cue[1:5]), ms(*cue[5:9])
        assert 0 <= begin < until <= end - start
    assert ms(*cues[0][1:5]) == 500 and ms(*cues[1][1:5]) == 1500
    assert ms(*cues[0][5:9]) == 1500  # held until the next line
    assert captions.between(w.state.captions, end, end + 10_000) == []
