"""TURN credentials: minted by the hub in coturn's shared-secret convention, bound to
the participant asking, time-limited, never cached; bad input changes nothing."""
from __future__ import annotations

import time

import httpx
import pytest

from hub.security import turn
from hub.settings import SettingsError, from_env

from ..hubserver import EVENT, HubServer

SECRET = "a-turn-secret-of-some-length"
URLS = "turn:turn.example.org:3478?transport=udp,turns:turn.example.org:443?transport=tcp"


def test_a_credential_names_its_participant_and_expires():
    minted = turn.mint(SECRET, "participant-1", now=1_000_000, ttl_s=3600)
    assert minted.username == "1003600:participant-1" and minted.expires_at == 1_003_600
    assert turn.check(SECRET, minted.username, minted.credential, now=1_003_599)
    assert not turn.check(SECRET, minted.username, minted.credential, now=1_003_600)  # expired
    assert not turn.check("another-secret-entirely", minted.username, minted.credential, now=1_000_001)
    # Another participant cannot reuse it under their own name, nor stretch its expiry.
    assert not turn.check(SECRET, "1003600:participant-2", minted.credential, now=1_000_001)
    assert not turn.check(SECRET, "9999999:participant-1", minted.credential, now=1_000_001)
    with pytest.raises(ValueError):
        turn.mint(SECRET, "a:b", now=0, ttl_s=60)


def test_turn_urls_without_a_secret_do_not_start():
    with pytest.raises(SettingsError, match="HUB_TURN_SECRET"):
        from_env({"HUB_TURN_URLS": URLS})


async def test_the_media_configuration_mints_a_credential_for_the_participant(tmp_path):
    hub = HubServer(tmp_path / "data", turn_urls=URLS, turn_secret=SECRET, turn_ttl_s=600)
    await hub.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{hub.settings.port}") as http:
            before = int(time.time())
            r = await http.get(f"/api/events/{EVENT}/media", params={"pid": "viewer-12345"})
            assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
            body = r.json()
            [server] = body["ice_servers"]
            assert server["urls"] == URLS.split(",")
            expiry, who = server["username"].split(":")
            assert who == "viewer-12345" and before + 600 <= int(expiry) <= int(time.time()) + 600
            assert body["ice_expires_at"] == int(expiry)
            assert turn.check(SECRET, server["username"], server["credential"], now=int(time.time()))
            # Without a participant: no credential to hand out.
            anonymous = (await http.get(f"/api/events/{EVENT}/media")).json()
            assert anonymous["ice_servers"] == [] and anonymous["ice_expires_at"] is None
            # A participant id that is not one (coturn's separator, hostile bytes): a coded error.
            for pid in ("a:b:c", "x" * 200, "é" * 10, "../../etc", ""):
                bad = await http.get(f"/api/events/{EVENT}/media", params={"pid": pid})
                assert bad.status_code == 400 and bad.json()["code"] == "media.participant", (pid, bad.text)
    finally:
        await hub.stop()
