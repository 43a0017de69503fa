"""Hostile frames get a coded error (or a named close code), never a traceback or a
dropped connection, and change nothing."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json

import msgspec
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode

from hub.domain.state import Entry
from hub.live.codes import CloseCode

from ..hubserver import SECRET
from .test_bad_input import next_error, raw


async def still_usable(hub, ws) -> None:
    before = hub.seq()
    await ws.send(json.dumps({"type": "cmd", "id": "ok", "cmd": {"type": "question.ask", "text": "Encore là ?"}}))
    while json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] != "ack":
        pass
    assert hub.seq() == before + 1


async def closed_with(ws) -> int:
    await asyncio.wait_for(ws.wait_closed(), 5)
    assert ws.close_code is not None
    return ws.close_code


async def test_join_code_with_non_ascii_characters_is_a_bad_code(hub):
    ws = await raw(hub, hello=False)
    await ws.send(json.dumps({"type": "hello", "pid": "someone-12345", "join": {"site": "nancy", "code": "ÉÉÉ😀"}}))
    assert (await next_error(ws))["code"] == "auth.bad_code"
    assert await closed_with(ws) == CloseCode.UNAUTHORIZED


@pytest.mark.parametrize("depth", [200, 1000, 5000])
async def test_deeply_nested_json_is_a_coded_error_and_the_connection_stays(hub, depth):
    ws = await raw(hub)
    nested = "[" * depth + "]" * depth
    before = hub.seq()
    await ws.send('{"type": "cmd", "id": "deep", "cmd": {"type": "question.ask", "text": "x", "name": ' + nested + "}}")
    err = await next_error(ws)
    assert err["code"] in ("message.malformed", "command.invalid") and err["id"] == "deep"
    objects = min(depth, 2000)  # still under the 16 KiB message limit
    await ws.send('{"type": "resume", "seq": ' + "{\"a\": " * objects + "1" + "}" * objects + "}")
    assert (await next_error(ws))["code"] in ("message.malformed", "message.invalid")
    assert hub.seq() == before
    await still_usable(hub, ws)


@pytest.mark.parametrize("seq", ["9" * 5000, "-1", "1e400", "18446744073709551616"])
async def test_resume_with_an_absurd_number_is_a_coded_error(hub, seq):
    ws = await raw(hub)
    await ws.send('{"type": "resume", "seq": ' + seq + "}")
    assert (await next_error(ws))["code"] in ("message.invalid", "message.malformed")
    await still_usable(hub, ws)


async def test_hello_resuming_from_an_absurd_number_is_refused(hub):
    ws = await raw(hub, hello=False)
    await ws.send('{"type": "hello", "pid": "someone-12345", "resume": ' + "9" * 5000 + "}")
    assert (await next_error(ws))["code"] in ("message.invalid", "message.malformed")
    assert await closed_with(ws) == CloseCode.BAD_HELLO


async def test_text_frame_with_invalid_utf8_closes_with_1007(hub):
    ws = await raw(hub)
    # websockets checks what it sends: write the frame by hand.
    ws.protocol.send_frame(Frame(Opcode.TEXT, b'{"type": "resume", "seq": 1, "x": "\xff\xfe"}'))
    for data in ws.protocol.data_to_send():
        ws.transport.write(data)
    assert await closed_with(ws) == CloseCode.INVALID_DATA


async def test_pid_with_a_trailing_newline_is_refused(hub):
    ws = await raw(hub, hello=False)
    await ws.send(json.dumps({"type": "hello", "pid": "someone-12345\n"}))
    assert (await next_error(ws))["code"] == "message.invalid"
    assert await closed_with(ws) == CloseCode.BAD_HELLO


@pytest.mark.parametrize("payload", [
    '{"type": "cmd", "id": "c-17", "cmd": {"type": "question.shout"}}',
    '{"type": "cmd", "id": "c-17", "cmd": {"type": "question.ask", "text": 42}}',
    '{"type": "cmd", "id": "c-17", "cmd": {"type": "question.ask", "text": "x"}, "extra": 1}',
])
async def test_errors_for_undecodable_commands_carry_the_command_id(hub, payload):
    ws = await raw(hub)
    err = await next_error(ws) if await ws.send(payload) is None else None
    assert err is not None and err["id"] == "c-17"


def forged_token(claims: dict) -> str:
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    payload = b64(json.dumps(claims).encode())
    mac = b64(hmac.new(SECRET.encode(), b"link:" + payload.encode(), hashlib.sha256).digest())
    return f"{payload}.{mac}"


async def test_a_signed_token_for_the_system_role_is_refused_at_hello(hub):
    ws = await raw(hub, hello=False)
    token = forged_token({"e": "grand-est-2020", "r": "system", "x": 4_000_000_000})
    await ws.send(json.dumps({"type": "hello", "pid": "someone-12345", "token": token}))
    assert (await next_error(ws))["code"] == "auth.invalid"
    assert await closed_with(ws) == CloseCode.UNAUTHORIZED


async def test_flood_closes_with_4429_after_the_error_frames(hub):
    """The client keeps sending while the hub closes: it must still read every error
    frame and the close frame (a socket closed with unread input is reset: 1006)."""
    ws = await raw(hub)

    async def keep_sending() -> None:
        try:
            for _ in range(300):
                await ws.send("garbage " * 50)
        except ConnectionClosed:
            pass

    # One burst bigger than a read: part of it is still unread when the hub closes.
    for _ in range(300):
        ws.protocol.send_text(("garbage " * 50).encode())
    ws.transport.write(b"".join(ws.protocol.data_to_send()))
    sender = asyncio.create_task(keep_sending())
    codes = []
    with pytest.raises(ConnectionClosed):
        while True:
            codes.append(json.loads(await asyncio.wait_for(ws.recv(), 5))["code"])
    await sender
    assert set(codes) == {"message.malformed"} and len(codes) > 30
    assert ws.close_code == CloseCode.ABUSE


async def test_flood_of_commands_closes_with_4429_and_every_written_command_is_learnable(hub):
    """Commands accepted before the abuse close are in the log; a retry with the same id
    after reconnecting answers `duplicate` rather than writing twice."""
    hello = json.dumps({"type": "hello", "pid": "flooder-0001", "join": {"site": "nancy", "code": hub.code("nancy")}})
    ws = await connect(hub.url(), max_size=None)
    await ws.send(hello)
    for i in range(10):
        await ws.send(json.dumps({"type": "cmd", "id": f"r{i}", "cmd": {"type": "reaction.send", "emoji": "👏"}}))
    for _ in range(40):
        await ws.send("garbage")
    acked = set()
    with pytest.raises(ConnectionClosed):
        while True:
            msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
            if msg["type"] == "ack":
                acked.add(msg["id"])
    assert ws.close_code == CloseCode.ABUSE
    ws = await connect(hub.url(), max_size=None)
    await ws.send(hello)
    answers = {}
    for i in range(10):
        await ws.send(json.dumps({"type": "cmd", "id": f"r{i}", "cmd": {"type": "reaction.send", "emoji": "👏"}}))
    while len(answers) < 10:
        msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if msg["type"] in ("ack", "error") and "id" in msg:
            answers[msg["id"]] = msg
    assert all(answers[i].get("duplicate") for i in acked)
    assert {m["code"] for m in answers.values() if m["type"] == "error"} <= {"rate.limited"}
    # Each command id reached the log once at most, and every ack names a written entry.
    entries = [msgspec.json.decode(data, type=Entry) for _, data in await hub.runtime.log.read("grand-est-2020", 0)]
    cids = [e.cid for e in entries if e.actor.pid == "flooder-0001"]
    assert len(cids) == len(set(cids))
    assert {m["id"] for m in answers.values() if m["type"] == "ack"} <= set(cids)
    await ws.close()


async def test_an_application_ping_gets_a_pong(hub):
    ws = await raw(hub)
    await ws.send('{"type": "ping"}')
    assert json.loads(await asyncio.wait_for(ws.recv(), 5)) == {"type": "pong"}
    await still_usable(hub, ws)
