"""The frames the hub sends are typed, their JSON Schema is generated from the
types (docs/protocol.schema.json, kept in step), and the browser client's copies
of the vocabulary (web/lib/live.js) are the Python definitions."""
from __future__ import annotations

import json
import re
from pathlib import Path

import msgspec

from hub.domain.actors import PID_PATTERN
from hub.domain.views import COLLECTIONS, KEYS, ME_KEYS
from hub.live import frames

LIVE_JS = (Path(__file__).resolve().parents[2] / "web" / "lib" / "live.js").read_text(encoding="utf-8")


def js_constant(name: str) -> str:
    found = re.search(rf"export const {name} = (.+?);\n", LIVE_JS, re.S)
    assert found, f"web/lib/live.js has no {name}"
    return found.group(1)


def test_the_browser_client_holds_the_hubs_vocabulary():
    collections = dict(re.findall(r"(\w+): '(\w+)'", js_constant("COLLECTIONS")))
    assert collections == COLLECTIONS
    assert re.findall(r"'(\w+)'", js_constant("KEYS")) == list(KEYS)
    assert re.findall(r"'(\w+)'", js_constant("ME_KEYS")) == list(ME_KEYS)
    assert js_constant("PID_PATTERN") == f"/^{PID_PATTERN}$/"


def test_the_schema_file_is_the_one_the_types_make():
    assert frames.SCHEMA_FILE.read_text(encoding="utf-8") == frames.schema_text(), \
        "run `python -m hub.live.frames` to write docs/protocol.schema.json again"


def test_every_frame_round_trips_through_its_type_and_unknown_change_keys_are_refused():
    decoder = msgspec.json.Decoder(frames.ServerFrame)
    for frame in (frames.Update(first=3, seq=4, changes=[("question", "q1", {"id": "q1"})], sent_at=1),
                  frames.Me(seq=4, changes=[("ballot", "poll2", [0])]), frames.Ack(id="c-1", seq=4),
                  frames.Error(code="rate.limited", message="wait", id="c-2", data={"retry_after": 1.0}),
                  frames.Snapshot(seq=0, state={}, me={}), frames.Pong()):
        assert decoder.decode(frames.encode(frame)) == frame
    bad = json.dumps({"type": "update", "from": 1, "seq": 1, "changes": [["questoin", "q1", None]]})
    try:
        decoder.decode(bad)
        raise AssertionError("an unknown change key decoded")
    except msgspec.ValidationError:
        pass
