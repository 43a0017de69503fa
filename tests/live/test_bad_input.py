"""Bad input: a clear error with a stable code, nothing written to the log, and the
connection kept open unless the client abuses the protocol (then a named close code)."""
from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from hub.client import HubError
from hub.domain.actors import Role
from hub.live.codes import CloseCode

from ..hubserver import HubServer


async def raw(hub, hello: dict | None = None):
    """A bare websocket that said hello (and read welcome + snapshot)."""
    ws = await connect(hub.url(), max_size=None)
    if hello is not False:
        await ws.send(json.dumps(hello or {"type": "hello", "pid": "raw-client-0001"}))
        assert json.loads(await ws.recv())["type"] == "welcome"
        assert json.loads(await ws.recv())["type"] == "snapshot"
    return ws


async def next_error(ws) -> dict:
    while True:
        msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if msg["type"] == "error":
            return msg


@pytest.mark.parametrize("payload, code", [
    ("{not json", "message.malformed"),
    ('{"type": "dance"}', "message.unknown_type"),
    ('{"type": "cmd", "id": "1", "cmd": {"type": "question.shout", "text": "x"}}', "command.unknown"),
    ('{"type": "cmd", "id": "1", "cmd": {"type": "question.ask"}}', "command.invalid"),
    ('{"type": "cmd", "id": "1", "cmd": {"type": "question.ask", "text": "x", "admin": true}}', "command.invalid"),
    ('{"type": "cmd", "id": "1", "cmd": {"type": "question.ask", "text": 42}}', "command.invalid"),
    ('{"type": "cmd", "cmd": {"type": "question.ask", "text": "x"}}', "message.invalid"),
    ('{"type": "hello", "pid": "raw-client-0001"}', "hello.repeated"),
])
async def test_malformed_messages_get_a_stable_code_and_change_nothing(hub, payload, code):
    ws = await raw(hub)
    before = hub.seq()
    await ws.send(payload)
    assert (await next_error(ws))["code"] == code
    # still open and usable
    await ws.send(json.dumps({"type": "cmd", "id": "ok", "cmd": {"type": "question.ask", "text": "Encore là ?"}}))
    while json.loads(await ws.recv())["type"] != "ack":
        pass
    assert hub.seq() == before + 1
    await ws.close()


async def test_oversized_message_is_refused_but_the_connection_stays(hub):
    ws = await raw(hub)
    before = hub.seq()
    await ws.send(json.dumps({"type": "cmd", "id": "big", "cmd": {"type": "question.ask", "text": "x" * 20_000}}))
    err = await next_error(ws)
    assert err["code"] == "message.too_large" and err["data"]["limit"] == hub.settings.max_message_bytes
    assert hub.seq() == before
    await ws.ping()
    await ws.close()


async def test_frame_over_the_hard_limit_closes_with_1009(hub):
    ws = await raw(hub)
    await ws.send("x" * (hub.settings.max_frame_bytes + 10))
    await asyncio.wait_for(ws.wait_closed(), 5)
    assert ws.close_code == CloseCode.MESSAGE_TOO_BIG


async def test_binary_frames_close_with_1003(hub):
    ws = await raw(hub)
    await ws.send(b"\x00\x01")
    await asyncio.wait_for(ws.wait_closed(), 5)
    assert ws.close_code == CloseCode.UNSUPPORTED_DATA


@pytest.mark.parametrize("cmd, code", [
    ({"type": "question.ask", "text": "x" * 281}, "question.too_long"),
    ({"type": "question.ask", "text": "   "}, "question.empty"),
    ({"type": "poll.open", "poll": "poll1"}, "auth.forbidden"),
    ({"type": "stage.on_air", "site": "nancy"}, "auth.forbidden"),
    ({"type": "question.upvote", "question": "q404"}, "question.not_found"),
    ({"type": "reaction.send", "emoji": "🍕"}, "reaction.unknown"),
])
async def test_refused_commands_write_nothing(hub, cmd, code):
    viewer = hub.viewer()
    await viewer.connect()
    before = hub.seq()
    with pytest.raises(HubError) as err:
        await viewer.command(cmd)
    assert err.value.code == code
    assert hub.seq() == before
    await viewer.close()


async def test_vote_in_a_closed_poll_is_refused_and_not_logged(hub):
    mod, voter = hub.moderator(), hub.participant("nancy")
    await asyncio.gather(mod.connect(), voter.connect())
    poll = (await mod.command({"type": "poll.create", "question": "?", "kind": "single",
                               "options": ["a", "b"]}))["result"]["poll"]
    await mod.command({"type": "poll.open", "poll": poll})
    await voter.command({"type": "poll.vote", "poll": poll, "choices": [0]})
    await mod.command({"type": "poll.close", "poll": poll})
    before = hub.seq()
    with pytest.raises(HubError) as err:
        await voter.command({"type": "poll.vote", "poll": poll, "choices": [1]})
    assert err.value.code == "poll.not_open"
    assert hub.seq() == before
    await asyncio.gather(mod.close(), voter.close())


@pytest.mark.parametrize("token, code", [
    ("forged.signature", "auth.invalid"),
    ("", "auth.invalid"),
])
async def test_forged_link_is_refused_and_closed(hub, token, code):
    ws = await raw(hub, hello=False)
    await ws.send(json.dumps({"type": "hello", "pid": "someone-12345", "token": token}))
    assert (await next_error(ws))["code"] == code
    await asyncio.wait_for(ws.wait_closed(), 5)
    assert ws.close_code == CloseCode.UNAUTHORIZED


async def test_tampered_link_from_another_role_is_refused(hub):
    good = hub.token(Role.COORDINATOR, "nancy")
    payload, mac = good.split(".")
    moderator_payload = hub.token(Role.MODERATOR).split(".")[0]
    ws = await raw(hub, hello=False)
    await ws.send(json.dumps({"type": "hello", "pid": "someone-12345", "token": f"{moderator_payload}.{mac}"}))
    assert (await next_error(ws))["code"] == "auth.invalid"


async def test_expired_link_is_refused_and_closed(hub):
    ws = await raw(hub, hello=False)
    await ws.send(json.dumps({"type": "hello", "pid": "someone-12345",
                              "token": hub.token(Role.MODERATOR, expires=1_000_000)}))
    assert (await next_error(ws))["code"] == "auth.expired"
    await asyncio.wait_for(ws.wait_closed(), 5)
    assert ws.close_code == CloseCode.UNAUTHORIZED


async def test_wrong_site_code_is_refused(hub):
    ws = await raw(hub, hello=False)
    await ws.send(json.dumps({"type": "hello", "pid": "someone-12345", "join": {"site": "nancy", "code": "AAAAAA"}}))
    assert (await next_error(ws))["code"] == "auth.bad_code"
    await asyncio.wait_for(ws.wait_closed(), 5)
    assert ws.close_code == CloseCode.UNAUTHORIZED


async def test_link_signed_with_a_rotated_secret_is_refused(tmp_path):
    old = HubServer(tmp_path / "a")
    token = old.token(Role.MODERATOR)
    hub = HubServer(tmp_path / "b", secret="a-brand-new-secret-after-rotation")
    await hub.start()
    ws = await raw(hub, hello=False)
    await ws.send(json.dumps({"type": "hello", "pid": "someone-12345", "token": token}))
    assert (await next_error(ws))["code"] == "auth.invalid"
    await hub.stop()


async def test_command_before_hello_closes_with_4400(hub):
    ws = await raw(hub, hello=False)
    await ws.send(json.dumps({"type": "cmd", "id": "1", "cmd": {"type": "question.ask", "text": "x"}}))
    assert (await next_error(ws))["code"] == "hello.required"
    await asyncio.wait_for(ws.wait_closed(), 5)
    assert ws.close_code == CloseCode.BAD_HELLO


async def test_silent_client_is_closed_after_the_hello_timeout(tmp_path):
    hub = HubServer(tmp_path / "data", hello_timeout_s=0.3)
    await hub.start()
    ws = await raw(hub, hello=False)
    await asyncio.wait_for(ws.wait_closed(), 5)
    assert ws.close_code == CloseCode.HELLO_TIMEOUT
    await hub.stop()


async def test_unknown_event_is_a_404_at_handshake(hub):
    with pytest.raises(Exception) as err:
        await connect(f"ws://127.0.0.1:{hub.settings.port}/live/no-such-event")
    assert "404" in str(err.value)


async def test_question_flood_is_rate_limited_and_not_logged(hub):
    viewer = hub.viewer()
    await viewer.connect()
    limit = 3  # questions_per_minute of the Grand Est event
    for i in range(limit):
        await viewer.command({"type": "question.ask", "text": f"Question {i}"})
    before = hub.seq()
    with pytest.raises(HubError) as err:
        await viewer.command({"type": "question.ask", "text": "Une de trop"})
    assert err.value.code == "rate.limited" and err.value.data["retry_after"] > 0
    assert hub.seq() == before
    await viewer.close()


async def test_reaction_flood_is_rate_limited(hub):
    viewer = hub.viewer()
    await viewer.connect()
    results = await asyncio.gather(*(viewer.command({"type": "reaction.send", "emoji": "👏"}) for _ in range(25)),
                                   return_exceptions=True)
    accepted = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, HubError)]
    # 10 per 10 s: the burst gets its 10, plus whatever refilled while it was sent.
    assert 10 <= len(accepted) < 25 and refused and {e.code for e in refused} == {"rate.limited"}
    await viewer.wait_for(lambda c: (c.state["reactions"]["totals"].get("👏")) == len(accepted))
    await viewer.close()


async def test_a_client_that_keeps_sending_garbage_is_closed_for_abuse(hub):
    ws = await raw(hub)
    for _ in range(40):
        await ws.send("garbage")
    codes = []
    with pytest.raises(ConnectionClosed):
        while True:
            codes.append(json.loads(await asyncio.wait_for(ws.recv(), 5))["code"])
    assert set(codes) == {"message.malformed"} and len(codes) == 31  # 30 allowed, the 31st closes
    assert ws.close_code == CloseCode.ABUSE
    # others are fine
    viewer = hub.viewer()
    await viewer.connect()
    await viewer.close()
