"""Who came and who watched reach the log in batches, once per person, whatever
the reconnects; staff and screens are not counted."""
from __future__ import annotations

import asyncio

from hub.client import LiveClient

from ..hubserver import EVENT, HubServer
from ..support import until


async def test_arrivals_are_recorded_once_per_person_with_their_site_and_category(tmp_path):
    hub = HubServer(tmp_path / "data", attendance_interval_ms=50)
    await hub.start()
    try:
        teacher = hub.participant("nancy", pid="teacher-nancy-1", category="enseignant")
        people = [teacher, hub.participant("nancy"), hub.participant("reims"), hub.viewer(), hub.viewer()]
        staff = [hub.coordinator("nancy"), hub.moderator()]
        await asyncio.gather(*(p.connect() for p in people + staff))
        await teacher.drop()  # reconnects: still one person
        await teacher.wait_for(lambda c: c.reconnects >= 1)
        again = LiveClient(hub.url(), pid="teacher-nancy-1", site="nancy", code=hub.code("nancy"))
        await again.connect()
        state = hub.runtime.events[EVENT].replica.state.attendance
        await until(lambda: sum(len(p) for p in state.people.values()) == 5)
        assert {o: len(p) for o, p in state.people.items()} == {"nancy": 2, "reims": 1, "remote": 2}
        assert state.people["nancy"]["teacher-nancy-1"][1] == "enseignant"
        timeline = hub.runtime.events[EVENT].replica.state.timeline.hours["arrivals"]
        assert sum(timeline.values()) == 5
        await asyncio.gather(*(p.close() for p in people + staff), again.close())
    finally:
        await hub.stop()
