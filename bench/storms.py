"""Storm workloads, Multiplex only (the peers have no votes, no resume, no events):
a vote storm, a reconnect storm with resume, 50 small events beside a plenary."""
from __future__ import annotations

import asyncio
import json
import tempfile
import time
from pathlib import Path

import msgspec
import yaml

from hub.client import LiveClient
from hub.domain.actors import Role
from hub.security import access

from .loadgen import Swarm
from .procstat import cpu_seconds
from .servers import EVENT, ROOT, SECRET, MultiplexDriver, start_servers
from .wsframes import ClientSocket

SITES = ("nancy", "reims", "strasbourg")
_decode = msgspec.json.Decoder().decode


def pct(values: list[float], q: float) -> float | None:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 1) if values else None


def moderator(port: int, event: str = EVENT) -> LiveClient:
    return LiveClient(f"ws://127.0.0.1:{port}/live/{event}",
                      token=access.sign(SECRET, event, Role.MODERATOR, None, int(time.time()) + 7200))


class RawClient(ClientSocket):
    """A lean participant: joins with its site's code, votes, notes acks and tallies."""

    def __init__(self, index: int, path: str, join: dict | None, resume: int | None, listener) -> None:
        super().__init__(path)
        self.index, self.join, self.resume, self.listener = index, join, resume, listener
        self.seq = -1
        self.snapshots = self.catchups = 0

    def on_open(self) -> None:
        hello = {"type": "hello", "pid": f"storm-{self.index:07d}"}
        if self.join:
            hello["join"] = self.join
        if self.resume is not None:
            hello["resume"] = self.resume
        self.send(hello)

    def on_text(self, payload: bytes) -> None:
        msg = _decode(payload)
        kind = msg.get("type")
        if kind == "snapshot":
            self.seq, self.snapshots = msg["seq"], self.snapshots + 1
            if not self.ready.done():
                self.ready.set_result(None)
        elif kind == "update":
            if msg["seq"] > self.seq and self.resume is not None and not self.ready.done():
                self.catchups += 1
            self.seq = max(self.seq, msg["seq"])
            if not self.ready.done():
                self.ready.set_result(None)
        self.listener(self, msg)


async def open_clients(port: int, path: str, n: int, make_join, on_text, resume=None, concurrency: int = 300) -> list:
    loop, sem = asyncio.get_running_loop(), asyncio.Semaphore(concurrency)

    async def one(i: int):
        async with sem:
            _, client = await loop.create_connection(
                lambda: RawClient(i, path, make_join(i), resume(i) if resume else None, on_text),
                "127.0.0.1", port)
            await asyncio.wait_for(client.ready, 60)
            return client

    return await asyncio.gather(*(one(i) for i in range(n)))


async def w_votes(args, voters: int = 5000, window: float = 10.0) -> dict:
    """5000 participants on three sites vote within 10 s; every ballot must be counted
    and the final tally visible to everyone shortly after the last ballot."""
    with tempfile.TemporaryDirectory() as data_dir:
        servers = await start_servers("multiplex", data_dir)
        try:
            port = servers.driver_port
            mod = moderator(port)
            await mod.connect()
            poll = (await mod.command({"type": "poll.create", "question": "Généraliser ?", "kind": "single",
                                       "options": ["Oui", "Non", "À voir"]}))["result"]["poll"]
            await mod.command({"type": "poll.open", "poll": poll})
            acks: dict[int, float] = {}
            seen_final: dict[int, float] = {}

            def on_text(client: RawClient, msg: dict) -> None:
                if msg.get("type") == "ack":
                    acks[client.index] = time.monotonic()
                elif msg.get("type") == "error":
                    acks.setdefault(-1 - client.index, time.monotonic())
                elif msg.get("type") == "update" and client.index not in seen_final:
                    for kind, ident, value in msg["changes"]:
                        if kind == "tally" and ident == poll and value and value.get("ballots") == voters:
                            seen_final[client.index] = time.monotonic()

            codes = {s: access.join_code(SECRET, EVENT, s) for s in SITES}
            clients = await open_clients(port, f"/live/{EVENT}", voters,
                                         lambda i: {"site": SITES[i % 3], "code": codes[SITES[i % 3]]}, on_text)
            cpu0, start = cpu_seconds(servers.procs[0].pid), time.monotonic()
            for i, client in enumerate(clients):  # spread evenly over the window
                await asyncio.sleep(max(0.0, start + window * i / voters - time.monotonic()))
                client.send({"type": "cmd", "id": f"v{i}", "cmd": {"type": "poll.vote", "poll": poll,
                                                                   "choices": [i % 3]}})
            deadline = time.monotonic() + 30
            while (len(acks) < voters or len(seen_final) < voters) and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            last_ack = max(acks.values())
            cpu = cpu_seconds(servers.procs[0].pid) - cpu0
            await asyncio.sleep(0.5)
            tally = mod.state["tallies"][poll]
            visible = [t - last_ack for t in seen_final.values()]
            result = {"voters": voters, "window_s": window, "acked": sum(1 for k in acks if k >= 0),
                      "refused": sum(1 for k in acks if k < 0), "counted": tally["ballots"],
                      "lost": voters - tally["ballots"], "by_site": tally["ballots_by_site"],
                      "saw_final_tally": len(seen_final),
                      "visible_after_last_ballot_p50_ms": pct([v * 1000 for v in visible], 0.5),
                      "visible_after_last_ballot_p99_ms": pct([v * 1000 for v in visible], 0.99),
                      "visible_after_last_ballot_max_ms": round(max(visible) * 1000, 1) if visible else None,
                      "server_cores": round(cpu / (time.monotonic() - start), 3)}
            print(f"   {json.dumps(result)}", flush=True)
            for c in clients:
                c.transport.close()
            await mod.close()
            return result
        finally:
            servers.stop()


async def w_reconnect(args, viewers: int = 5000) -> dict:
    """Everybody drops at once while updates flow, then comes back with `resume`."""
    with tempfile.TemporaryDirectory() as data_dir:
        servers = await start_servers("multiplex", data_dir)
        try:
            port = servers.driver_port
            clients = await open_clients(port, f"/live/{EVENT}", viewers, lambda i: None, lambda c, m: None)
            driver = MultiplexDriver(port)
            await driver.start(10)
            await asyncio.sleep(3)
            last = {c.index: c.seq for c in clients}
            for c in clients:
                c.transport.abort()
            await asyncio.sleep(2)  # they miss about 20 updates
            await driver.stop()
            mod = moderator(port)
            await mod.connect()
            head = mod.seq
            cpu0, t0 = cpu_seconds(servers.procs[0].pid), time.monotonic()
            back = await open_clients(port, f"/live/{EVENT}", viewers, lambda i: None, lambda c, m: None,
                                      resume=lambda i: last[i], concurrency=1000)
            elapsed = time.monotonic() - t0
            cpu = cpu_seconds(servers.procs[0].pid) - cpu0
            behind = sum(1 for c in back if c.seq < head)
            result = {"viewers": viewers, "missed_updates": head - min(last.values()),
                      "all_back_s": round(elapsed, 2), "caught_up_by_resume": sum(1 for c in back if c.catchups),
                      "fresh_snapshots": sum(c.snapshots for c in back), "behind_head": behind,
                      "server_cpu_s": round(cpu, 2)}
            print(f"   {json.dumps(result)}", flush=True)
            for c in back:
                c.transport.close()
            await mod.close()
            return result
        finally:
            servers.stop()


async def w_events(args, events: int = 50, per_event: int = 100, plenary: int = 5000) -> dict:
    """50 workshops of 100 viewers (1 update/s each) beside a 5000-viewer plenary (10/s)."""
    from .suite import LoadGen
    with tempfile.TemporaryDirectory() as data_dir:
        events_dir = Path(data_dir) / "events"
        events_dir.mkdir()
        (events_dir / f"{EVENT}.yaml").write_text((ROOT / "config" / "events" / f"{EVENT}.yaml").read_text())
        small = [f"atelier-{i:02d}" for i in range(events)]
        for eid in small:
            (events_dir / f"{eid}.yaml").write_text(yaml.safe_dump({
                "id": eid, "title": f"Atelier {eid[-2:]}", "date": "2020-10-13",
                "sites": [{"id": "salle", "name": "Salle", "city": "Nancy"}]}))
        servers = await start_servers("multiplex", data_dir, {"HUB_EVENTS_DIR": str(events_dir)})
        try:
            port = servers.driver_port
            gen = LoadGen(port, "mx", f"/live/{EVENT}", plenary, args.seconds)
            await gen.ready()
            swarms = [Swarm("127.0.0.1", port, f"/live/{eid}") for eid in small]
            for swarm in swarms:
                await swarm.connect(per_event)
            shared = swarms[0]
            for swarm in swarms[1:]:
                for viewer in swarm.viewers:
                    viewer.swarm = shared
            drivers = [MultiplexDriver(port)] + [MultiplexDriver(port, eid) for eid in small]
            await drivers[0].start(10)
            for d in drivers[1:]:
                await d.start(1)
            await asyncio.sleep(2)
            cpu0, t0 = cpu_seconds(servers.procs[0].pid), time.monotonic()
            shared.recording = True
            gen.go()
            plenary_result = await gen.result()
            shared.recording = False
            elapsed = time.monotonic() - t0
            cpu = cpu_seconds(servers.procs[0].pid) - cpu0
            for d in drivers:
                await d.stop()
            small_lat = sorted(shared.latencies)
            result = {"plenary_viewers": plenary, "events": events, "viewers_per_event": per_event,
                      "plenary_p50_ms": plenary_result["p50_ms"], "plenary_p99_ms": plenary_result["p99_ms"],
                      "plenary_deliveries": plenary_result["samples"],
                      "events_p50_ms": pct(small_lat, 0.5), "events_p99_ms": pct(small_lat, 0.99),
                      "events_deliveries": len(small_lat),
                      "events_expected_approx": round(events * per_event * elapsed), "server_cores": round(cpu / elapsed, 3)}
            print(f"   {json.dumps(result)}", flush=True)
            for swarm in swarms:
                swarm.close()
            return result
        finally:
            servers.stop()
