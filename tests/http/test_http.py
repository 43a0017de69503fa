"""HTTP routes: pages, security headers, photo uploads, the join QR code."""
from __future__ import annotations

import struct
import zlib

import pytest

from hub.domain.actors import Role

EVENT = "grand-est-2020"


def tiny_png() -> bytes:
    """A valid 1x1 PNG, made here."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def bearer(hub, role, site=None) -> dict:
    return {"Authorization": f"Bearer {hub.token(role, site)}"}


@pytest.mark.parametrize("path", [f"/e/{EVENT}", f"/e/{EVENT}/join/nancy", f"/e/{EVENT}/site/nancy",
                                  f"/e/{EVENT}/moderate", f"/e/{EVENT}/screen/metz", "/"])
async def test_pages_are_served_with_a_strict_policy(http, path):
    r = await http.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"


async def test_unknown_event_page_is_404(http):
    assert (await http.get("/e/nope")).status_code == 404


async def test_static_modules_and_catalogs_are_served(http):
    r = await http.get("/static/lib/live.js")
    assert r.status_code == 200 and "javascript" in r.headers["content-type"]
    assert (await http.get("/static/i18n/fr.json")).json()["common"]["remote"] == "À distance"


async def test_coordinator_uploads_a_photo_then_it_is_served_as_an_image(http, hub):
    png = tiny_png()
    r = await http.post(f"/api/events/{EVENT}/uploads", content=png,
                        headers={**bearer(hub, Role.COORDINATOR, "reims"), "Content-Type": "image/png"})
    assert r.status_code == 201
    url = r.json()["url"]
    assert url.startswith(f"/media/uploads/{EVENT}/") and url.endswith(".png")
    served = await http.get(url)
    assert served.status_code == 200 and served.content == png
    assert served.headers["content-type"] == "image/png" and served.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("body", [b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
                                  b"GIF89a....", b"just text pretending to be a png"])
async def test_uploads_are_checked_by_content_not_by_declared_type(http, hub, body):
    r = await http.post(f"/api/events/{EVENT}/uploads", content=body,
                        headers={**bearer(hub, Role.COORDINATOR, "reims"), "Content-Type": "image/png"})
    assert r.status_code == 415 and r.json()["code"] == "upload.type"


async def test_upload_size_is_limited(http, hub):
    big = tiny_png() + b"\x00" * (hub.settings.upload_max_bytes + 1)
    r = await http.post(f"/api/events/{EVENT}/uploads", content=big, headers=bearer(hub, Role.COORDINATOR, "reims"))
    assert r.status_code == 413 and r.json()["code"] == "upload.too_large"


@pytest.mark.parametrize("headers, status, code", [
    ({}, 401, "auth.missing"),
    ({"Authorization": "Bearer forged.token"}, 401, "auth.invalid"),
    ("screen", 403, "auth.forbidden"),
])
async def test_upload_needs_a_coordinator_or_moderator_link(http, hub, headers, status, code):
    if headers == "screen":
        headers = bearer(hub, Role.SCREEN, "reims")
    r = await http.post(f"/api/events/{EVENT}/uploads", content=tiny_png(), headers=headers)
    assert r.status_code == status and r.json()["code"] == code


@pytest.mark.parametrize("photo", [
    "/media/uploads/other-event/x.png",
    f"/media/uploads/{EVENT}/../../secret.png",
    f"/media/uploads/{EVENT}/" + "0" * 32 + ".png",   # the right shape, but never uploaded
    f"/media/uploads/{EVENT}/" + "0" * 32 + ".png\n",
])
async def test_photo_contribution_must_point_at_a_real_upload_of_this_event(http, hub, photo):
    from hub.client import HubError
    coord = hub.coordinator("reims")
    await coord.connect()
    before = hub.seq()
    with pytest.raises(HubError) as err:
        await coord.command({"type": "feed.contribute", "kind": "photo", "photo": photo})
    assert err.value.code == "contribution.photo" and hub.seq() == before
    r = await http.post(f"/api/events/{EVENT}/uploads", content=tiny_png(),
                        headers={**bearer(hub, Role.COORDINATOR, "reims"), "Content-Type": "image/png"})
    ack = await coord.command({"type": "feed.contribute", "kind": "photo", "photo": r.json()["url"]})
    assert ack["seq"] == before + 1
    await coord.close()


async def test_join_qr_code_for_the_sites_screen_only(http, hub):
    r = await http.get(f"/api/events/{EVENT}/sites/metz/qr.svg", headers=bearer(hub, Role.SCREEN, "metz"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert r.content.startswith(b"<?xml") and b"<svg" in r.content
    assert r.headers["x-join-url"].endswith(f"/e/{EVENT}/join/metz?code={hub.code('metz')}")
    other = await http.get(f"/api/events/{EVENT}/sites/nancy/qr.svg", headers=bearer(hub, Role.SCREEN, "metz"))
    assert other.status_code == 403 and other.json()["code"] == "auth.other_site"
    anonymous = await http.get(f"/api/events/{EVENT}/sites/metz/qr.svg")
    assert anonymous.status_code == 401
    mod = await http.get(f"/api/events/{EVENT}/sites/nancy/qr.svg", headers=bearer(hub, Role.MODERATOR))
    assert mod.status_code == 200


@pytest.mark.parametrize("path, module", [(f"/e/{EVENT}", "viewer"), (f"/e/{EVENT}/join/nancy", "viewer"),
                                          (f"/e/{EVENT}/site/nancy", "site"), (f"/e/{EVENT}/moderate", "moderate"),
                                          (f"/e/{EVENT}/screen/metz", "screen"), ("/", "index")])
async def test_each_page_loads_its_own_module(http, path, module):
    text = (await http.get(path)).text
    assert f'src="/static/pages/{module}.js"' in text and f'class="page-{module}"' in text and "__PAGE__" not in text


async def test_the_programme_downloads_as_a_calendar_in_the_event_time_zone(http):
    import icalendar
    r = await http.get(f"/e/{EVENT}/programme.ics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(r.content)
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == len(hub_config().programme)
    opening = next(e for e in events if str(e["summary"]) == "Ouverture multisite")
    assert opening.decoded("dtstart").isoformat() == "2020-10-13T09:00:00+02:00"
    assert str(opening["location"]) == "Nancy — Rectorat (Nancy)" and "Plénière" in str(opening["description"])
    english = icalendar.Calendar.from_ical((await http.get(f"/e/{EVENT}/programme.ics?lang=en")).content)
    assert any("Plenary" in str(e["description"]) for e in english.walk("VEVENT"))
    assert (await http.get("/e/nope/programme.ics")).status_code == 404


def hub_config():
    from hub.event_files import load_event_file

    from ..hubserver import EVENTS_DIR
    return load_event_file(EVENTS_DIR / f"{EVENT}.yaml")


async def test_the_hub_raises_its_file_descriptor_limit_and_says_where_it_is(tmp_path):
    """A soft limit below the hard one (1024 is common) is raised at start; /healthz says both."""
    import resource

    import httpx

    from ..hubserver import HubServer
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    lowered = min(1024, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (lowered, hard))
    hub = HubServer(tmp_path / "data")
    try:
        await hub.start()
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{hub.settings.port}") as client:
            fds = (await client.get("/healthz")).json()["file_descriptors"]
        assert fds["hard"] == hard and fds["soft"] == (hard if hard != resource.RLIM_INFINITY else fds["soft"])
        assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] >= lowered
    finally:
        await hub.stop()
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, resource.getrlimit(resource.RLIMIT_NOFILE)[0]), hard))
