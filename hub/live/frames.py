"""What the hub sends, typed as the commands are: one closed tagged union of
frames, and the vocabulary of change keys (hub/domain/views.py KEYS). The JSON
Schema of both is generated from here (`python -m hub.live.frames` writes
docs/protocol.schema.json; a test keeps the file in step), and another test ties
the browser client's copies (web/lib/live.js) to these definitions."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Literal, Union

import msgspec

from ..domain.actors import PID_PATTERN
from ..domain.views import COLLECTIONS, KEYS, ME_KEYS

ChangeKey = Literal[KEYS]  # type: ignore[valid-type]  # built from the one tuple of keys
MeKey = Literal[ME_KEYS]  # type: ignore[valid-type]
Change = tuple[ChangeKey, str, Any]
MeChange = tuple[MeKey, str, Any]


class _Out(msgspec.Struct, tag_field="type", omit_defaults=True, frozen=True):
    pass


class Welcome(_Out, tag="welcome", frozen=True):
    proto: int
    role: str
    origin: str
    pid: str
    node: str
    event: dict[str, Any]
    site: str | None = None
    follow: str | None = None
    join_code: str | None = None          # coordinators and screens: their site's
    synthesis_token: str | None = None    # the control room
    prepared_polls: list[dict[str, Any]] | None = None


class Snapshot(_Out, tag="snapshot", frozen=True):
    seq: int
    state: dict[str, Any]
    me: dict[str, Any]
    resync: bool = False


class Update(_Out, tag="update", frozen=True):
    first: int = msgspec.field(name="from")
    seq: int
    changes: list[Change]
    sent_at: int | None = None


class Me(_Out, tag="me", frozen=True):
    """Changes to what is one participant's own (views.mine): to their connections only."""
    seq: int
    changes: list[MeChange] | None = None
    me: dict[str, Any] | None = None  # all of it, after a catch-up


class Ack(_Out, tag="ack", frozen=True):
    id: str
    seq: int
    result: dict[str, Any] | None = None
    duplicate: bool = False


class Error(_Out, tag="error", frozen=True):
    code: str
    message: str
    id: str | None = None
    data: dict[str, Any] | None = None


class Pong(_Out, tag="pong", frozen=True):
    pass


ServerFrame = Union[Welcome, Snapshot, Update, Me, Ack, Error, Pong]  # noqa: UP007

_encoder = msgspec.json.Encoder()


def encode(frame: ServerFrame) -> bytes:
    return _encoder.encode(frame)


def schema() -> dict[str, Any]:
    """The JSON Schema of every frame the hub sends, with what the client must know."""
    out: dict[str, Any] = msgspec.json.schema(ServerFrame)
    out["x-collections"] = COLLECTIONS
    out["x-participant-id"] = PID_PATTERN
    return out


SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "protocol.schema.json"


def schema_text() -> str:
    return json.dumps(schema(), indent=1, ensure_ascii=False, sort_keys=True) + "\n"


if __name__ == "__main__":
    SCHEMA_FILE.write_text(schema_text(), encoding="utf-8")
    sys.stdout.write(f"wrote {SCHEMA_FILE}\n")
