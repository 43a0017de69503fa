"""The invited list by CSV: checked line by line (line and column in each error),
nothing imported from a file with errors unless a partial import is asked; the
badge's QR code; the programme's calendar per track."""
from __future__ import annotations

import icalendar
import pytest

from hub.domain.actors import Role

from .test_http import bearer

EVENT = "grand-est-2020"


GOOD = "nom;site;catégorie\nAda Lovelace;nancy;Enseignant·e\nÉmile Zola;Strasbourg;\n\n".encode()


async def test_a_good_file_is_imported_and_each_invitee_gets_a_badge(http, hub):
    r = await http.post(f"/api/events/{EVENT}/invitees", content=b"\xef\xbb\xbf" + GOOD,
                        headers=bearer(hub, Role.MODERATOR))
    assert r.status_code == 200, r.text
    assert r.json()["imported"] == 2 and r.json()["errors"] == []
    people = hub.runtime.events[EVENT].replica.state.rooms.people
    ada = next(p for p in people.values() if p.name == "Ada Lovelace")
    assert (ada.site, ada.category) == ("nancy", "enseignant")
    assert {p.site for p in people.values()} == {"nancy", "strasbourg"}  # a site by its city
    badge = await http.get(f"/api/events/{EVENT}/badges/{ada.id}.svg", headers=bearer(hub, Role.COORDINATOR, "nancy"))
    assert badge.status_code == 200 and badge.headers["content-type"].startswith("image/svg+xml")
    other = await http.get(f"/api/events/{EVENT}/badges/{ada.id}.svg", headers=bearer(hub, Role.COORDINATOR, "reims"))
    assert other.status_code == 404 and other.json()["code"] == "invitee.not_found"


async def test_a_file_with_errors_imports_nothing_and_says_where_each_one_is(http, hub):
    bad = ("name,site,category\nAda,nancy,enseignant\n,reims,\nBob,lyon,\nCléo,metz,astronaute\n"
           "Dan,metz,parent,extra\n").encode()
    r = await http.post(f"/api/events/{EVENT}/invitees", content=bad, headers=bearer(hub, Role.MODERATOR))
    assert r.status_code == 422 and r.json()["code"] == "csv.invalid" and r.json()["imported"] == 0
    found = {(e["line"], e["column"], e["code"]) for e in r.json()["errors"]}
    assert found == {(3, "name", "csv.name_missing"), (4, "site", "csv.site_unknown"),
                     (5, "category", "csv.category_unknown"), (6, None, "csv.columns")}
    assert hub.runtime.events[EVENT].replica.state.rooms.people == {}
    r = await http.post(f"/api/events/{EVENT}/invitees?partial=1", content=bad, headers=bearer(hub, Role.MODERATOR))
    assert r.status_code == 200 and r.json()["imported"] == 1 and len(r.json()["errors"]) == 4


@pytest.mark.parametrize("body,code", [
    (b"\xff\xfe n\x00o\x00m\x00", "csv.encoding"),  # UTF-16, not UTF-8
    (b"nom;site\nAda;nancy\n\xc3\x28;nancy\n", "csv.encoding"),  # invalid UTF-8 on line 3
    (b"prenom;ville\nAda;nancy\n", "csv.invalid"),  # no usable header
    (b"", "csv.invalid"),
])
async def test_hostile_files_are_refused_with_a_code(http, hub, body, code):
    r = await http.post(f"/api/events/{EVENT}/invitees", content=body, headers=bearer(hub, Role.MODERATOR))
    assert r.status_code == 422
    assert r.json()["code"] == "csv.invalid" and r.json()["errors"]
    assert code == "csv.invalid" or r.json()["errors"][0]["code"] == code
    assert hub.runtime.events[EVENT].replica.state.rooms.people == {}


async def test_only_the_control_room_imports_the_list(http, hub):
    r = await http.post(f"/api/events/{EVENT}/invitees", content=GOOD, headers=bearer(hub, Role.COORDINATOR, "nancy"))
    assert r.status_code == 403
    assert (await http.post(f"/api/events/{EVENT}/invitees", content=GOOD)).status_code == 401


async def test_the_calendar_of_one_track_holds_its_sessions_and_the_plenaries(http, hub):
    r = await http.get(f"/e/{EVENT}/programme.ics?site=reims")
    assert r.status_code == 200 and 'reims.ics"' in r.headers["content-disposition"]
    cal = icalendar.Calendar.from_ical(r.content)
    titles = [str(e["summary"]) for e in cal.walk("VEVENT")]
    assert "Podcasts d'élèves en SEGPA" in titles and "Ouverture multisite" in titles
    assert "Badges numériques en collège" not in titles  # Strasbourg's
    assert (await http.get(f"/e/{EVENT}/programme.ics?site=atlantis")).status_code == 404
