"""Regional → national: two regional events (one on SQLite, one on Redis) send up
their signed syntheses; a national hub imports both (from a URL with the link
token, and as an uploaded file); totals are the sums; a tampered file, a replayed
older version and a second import of the same version change nothing."""
from __future__ import annotations

import asyncio

import httpx
import msgspec
import pytest

from hub.domain.actors import Role
from hub.security import signing

from ..hubserver import SECRET, HubServer

NATIONAL = "egn-national-2020"


async def busy_day(hub: HubServer, event: str, sites: list[str], voters: int) -> None:
    """People on each site file a proposal and upvote; one question is answered."""
    mod = hub.moderator(event=event)
    await mod.connect()
    clients = [hub.participant(site, event=event, category="enseignant") for site in sites for _ in range(voters)]
    await asyncio.gather(*(c.connect() for c in clients))
    filed = []
    for site, client in zip(sites, clients[::voters]):
        ack = await client.command({"type": "proposal.submit", "theme": "egal-acces", "title": f"Idée de {site}"})
        await mod.command({"type": "feed.approve", "post": ack["result"]["post"]})
        filed.append(ack["result"]["post"])
    for client in clients:
        await client.command({"type": "feed.upvote", "post": filed[0]})
    asked = await clients[0].command({"type": "question.ask", "text": "Et la formation ?"})
    await mod.command({"type": "question.approve", "question": asked["result"]["question"]})
    await mod.command({"type": "question.answer", "question": asked["result"]["question"]})
    await asyncio.gather(mod.close(), *(c.close() for c in clients))


@pytest.mark.redis
async def test_a_national_event_imports_regional_syntheses_and_sums_them(tmp_path, redis_server):
    grand_est = HubServer(tmp_path / "ge")                                 # SQLite
    normandie = HubServer(tmp_path / "no", log_url=redis_server.url)       # Redis
    national = HubServer(tmp_path / "nat")
    for hub in (grand_est, normandie, national):
        await hub.start()
    try:
        await busy_day(grand_est, "grand-est-2020", ["nancy", "reims", "metz"], 3)
        await busy_day(normandie, "normandie-2020", ["caen", "rouen"], 2)
        mod_token = {"Authorization": f"Bearer {national.token(Role.MODERATOR, event=NATIONAL)}"}
        imports = f"http://127.0.0.1:{national.settings.port}/api/events/{NATIONAL}/imports"
        async with httpx.AsyncClient(timeout=20) as http:
            # Grand Est: fetched by the national hub from its link
            link = (f"http://127.0.0.1:{grand_est.settings.port}/api/events/grand-est-2020/synthesis.json"
                    f"?token={signing.export_token(SECRET, 'grand-est-2020')}")
            r = await http.post(imports, json={"url": link}, headers=mod_token)
            assert r.status_code == 201, r.text
            # Normandie: downloaded, then uploaded
            normandie_file = (await http.get(
                f"http://127.0.0.1:{normandie.settings.port}/api/events/normandie-2020/synthesis.json",
                headers={"Authorization": f"Bearer {normandie.token(Role.MODERATOR, event='normandie-2020')}"})).content
            assert (await http.post(imports, content=normandie_file, headers=mod_token)).status_code == 201

            report = (await http.get(f"http://127.0.0.1:{national.settings.port}/api/events/{NATIONAL}/report",
                                     headers=mod_token)).json()
            regions = {r["region"]: r for r in report["regions"]}
            assert set(regions) == {"Grand Est", "Normandie"}
            assert regions["Grand Est"]["proposals"] == 3 and regions["Grand Est"]["proposal_votes"] == 9
            assert regions["Normandie"]["proposals"] == 2 and regions["Normandie"]["proposal_votes"] == 4
            assert sum(r["proposal_votes"] for r in report["regions"]) == 13
            assert sum(r["questions_answered"] for r in report["regions"]) == 2
            top = report["national_ranking"][0]
            assert top["votes"] == 9 and top["region"] == "Grand Est" and top["site"] == "Nancy — Rectorat"
            assert top["votes_by_site"]["reims"] == 3  # provenance down to the site
            seq = national.seq(NATIONAL)

            # the same version again: refused, nothing written, nothing counted twice
            again = await http.post(imports, content=normandie_file, headers=mod_token)
            assert again.status_code == 409 and again.json()["code"] == "import.unchanged"
            # a tampered file: refused
            tampered = msgspec.json.decode(normandie_file)
            tampered["synthesis"]["proposals"][0]["votes"] = 999
            bad = await http.post(imports, content=msgspec.json.encode(tampered), headers=mod_token)
            assert bad.status_code == 422 and bad.json()["code"] == "import.signature"
            assert national.seq(NATIONAL) == seq

            # Normandie carries on; its newer version replaces the older, which can no longer come back
            await busy_day(normandie, "normandie-2020", ["le-havre"], 2)
            newer = (await http.get(
                f"http://127.0.0.1:{normandie.settings.port}/api/events/normandie-2020/synthesis.json"
                f"?token={signing.export_token(SECRET, 'normandie-2020')}")).content
            assert (await http.post(imports, content=newer, headers=mod_token)).status_code == 201
            replayed = await http.post(imports, content=normandie_file, headers=mod_token)
            assert replayed.status_code == 409 and replayed.json()["code"] == "import.replayed"
            report = (await http.get(f"http://127.0.0.1:{national.settings.port}/api/events/{NATIONAL}/report",
                                     headers=mod_token)).json()
            regions = {r["region"]: r for r in report["regions"]}
            assert regions["Normandie"]["proposals"] == 3 and regions["Normandie"]["proposal_votes"] == 6
            # only the control room imports
            viewer = await http.post(imports, content=newer)
            assert viewer.status_code == 401
    finally:
        for hub in (grand_est, normandie, national):
            await hub.stop()
