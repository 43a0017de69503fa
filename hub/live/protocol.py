"""The live protocol, sans I/O: what clients send (a closed union, unknown fields
refused) and the frames the hub sends. docs/protocol.md describes it."""
from __future__ import annotations

import re
from typing import Annotated, Any, Union

import msgspec
from websockets.frames import Frame, Opcode

from ..domain.actors import PID_PATTERN
from ..domain.commands import ClientCommand
from ..domain.errors import DomainError
from . import frames

PROTOCOL_VERSION = 1
# \Z, not $: `$` also matches before a trailing newline.
Pid = Annotated[str, msgspec.Meta(pattern=rf"^{PID_PATTERN}\Z")]
Cid = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
# Sequence numbers stay exact in a browser's doubles, and no digit string can be long.
Seq = Annotated[int, msgspec.Meta(ge=0, le=2**53)]


class _In(msgspec.Struct, tag_field="type", forbid_unknown_fields=True, frozen=True):
    pass


class JoinSite(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    site: str
    code: str


class Hello(_In, tag="hello", frozen=True):
    pid: Pid                       # the browser's anonymous participant id
    proto: int = PROTOCOL_VERSION
    join: JoinSite | None = None   # an on-site participant: the site and its code
    token: str | None = None       # a signed role link: coordinator, moderator, screen
    resume: Seq | None = None      # the last seq this client holds
    category: Annotated[str, msgspec.Meta(max_length=40)] | None = None  # one of the event's categories (optional)
    # a remote viewer: the site whose track they follow (None: the program)
    follow: Annotated[str, msgspec.Meta(max_length=40)] | None = None


class Command(_In, tag="cmd", frozen=True):
    id: Cid
    cmd: ClientCommand


class Resume(_In, tag="resume", frozen=True):
    seq: Seq


class Ping(_In, tag="ping", frozen=True):
    """An application-level heartbeat: browsers cannot see websocket pings, so a
    page asks, and calls the connection lost when no answer comes."""


ClientMessage = Union[Hello, Command, Resume, Ping]  # noqa: UP007
_decoder = msgspec.json.Decoder(ClientMessage)
_encoder = msgspec.json.Encoder()


class _CommandId(msgspec.Struct):
    """Just enough of a command to name it in the error that refuses it."""
    type: str
    id: Cid


_id_decoder = msgspec.json.Decoder(_CommandId)
# Past the decoder's recursion limit even skipping a field fails: look for the id as text.
_ID_TEXT = re.compile(rb'"id"\s*:\s*"([^"\\]{1,64})"')
_CMD_TEXT = re.compile(rb'"type"\s*:\s*"cmd"')


def command_id(data: bytes) -> str | None:
    """The id of a command that could not be decoded, when it has a usable one."""
    try:
        message = _id_decoder.decode(data)
    except RecursionError:
        found = _ID_TEXT.search(data)
        return found.group(1).decode() if found and _CMD_TEXT.search(data) else None
    except (msgspec.DecodeError, UnicodeDecodeError):
        return None
    return message.id if message.type == "cmd" else None


def decode(data: str | bytes) -> ClientMessage:
    """Decode one client message or raise DomainError with a stable code.

    Text frames are already known to be UTF-8 (the session checks); nesting too
    deep for the decoder's recursion is malformed input like any other."""
    try:
        message: ClientMessage = _decoder.decode(data)
        return message
    except RecursionError:
        raise DomainError("message.malformed", "nested too deeply") from None
    except msgspec.ValidationError as exc:
        text = str(exc)
        problem, _, path = text.partition(" - at `")
        path = path.rstrip("`")
        no_type = "missing required field `type`" in problem
        if path == "$.cmd.type" or (path == "$.cmd" and no_type):
            raise DomainError("command.unknown", "unknown command type", detail=text) from None
        if path.startswith("$.cmd"):
            raise DomainError("command.invalid", text) from None
        if path == "$.type" or (not path and no_type):
            raise DomainError("message.unknown_type", "unknown message type (hello, cmd, resume or ping)") from None
        raise DomainError("message.invalid", text) from None
    except (msgspec.DecodeError, UnicodeDecodeError):
        raise DomainError("message.malformed", "not valid JSON") from None


def encode(message: dict[str, Any]) -> bytes:
    return _encoder.encode(message)


def text_frame(payload: bytes) -> bytes:
    """A complete unmasked server frame: identical for every client, so built once."""
    return Frame(Opcode.TEXT, payload).serialize(mask=False)


def error_message(exc: DomainError, cid: str | None = None) -> bytes:
    return frames.encode(frames.Error(code=exc.code, message=exc.message, id=cid, data=exc.data or None))
