"""The command gate: which commands of one event may be between check and apply at once."""
from __future__ import annotations

import asyncio

from hub.domain.actors import Actor, Role
from hub.write.gate import CommandGate

MOD = Actor(role=Role.MODERATOR, pid="moderator-1")


def participant(pid: str) -> Actor:
    return Actor(role=Role.PARTICIPANT, pid=pid, site="nancy")


async def test_different_participants_run_together_and_one_participant_runs_in_order():
    gate, inside, most = CommandGate(), 0, 0
    order: list[str] = []

    async def command(actor: Actor, tag: str) -> None:
        nonlocal inside, most
        async with gate.hold(actor):
            inside += 1
            most = max(most, inside)
            order.append(tag)
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            inside -= 1

    await asyncio.gather(*(command(participant(f"person-{i:04d}"), f"p{i}") for i in range(10)))
    assert most == 10  # unrelated participants share the gate (and the log's group commits)
    most = 0
    await asyncio.gather(*(command(participant("same-person"), f"s{i}") for i in range(5)))
    assert most == 1 and order[-5:] == [f"s{i}" for i in range(5)]


async def test_a_staff_command_runs_alone_and_is_not_starved_by_a_storm():
    gate, log = CommandGate(), []
    release = asyncio.Event()

    async def vote(pid: str) -> None:
        async with gate.hold(participant(pid)):
            log.append(("vote-in", pid))
            await release.wait()
            log.append(("vote-out", pid))

    async def close_poll() -> None:
        async with gate.hold(MOD):
            log.append(("close", ""))

    first = [asyncio.create_task(vote(f"early-{i}")) for i in range(3)]
    await asyncio.sleep(0)
    staff = asyncio.create_task(close_poll())
    await asyncio.sleep(0)
    late = [asyncio.create_task(vote(f"late-{i}")) for i in range(3)]
    await asyncio.sleep(0)
    assert ("close", "") not in log and not any(p.startswith("late") for _, p in log)
    release.set()
    await asyncio.gather(*first, staff, *late)
    closed_at = log.index(("close", ""))
    assert all(log.index(("vote-out", f"early-{i}")) < closed_at for i in range(3))
    assert all(log.index(("vote-in", f"late-{i}")) > closed_at for i in range(3))


async def test_a_cancelled_staff_command_does_not_hold_participants_back():
    gate = CommandGate()
    release = asyncio.Event()

    async def slow_vote() -> None:
        async with gate.hold(participant("slow-voter")):
            await release.wait()

    voting = asyncio.create_task(slow_vote())
    await asyncio.sleep(0)
    staff = asyncio.create_task(gate.hold(MOD).__aenter__())
    await asyncio.sleep(0)
    staff.cancel()
    await asyncio.gather(staff, return_exceptions=True)

    async def quick_vote() -> None:
        async with gate.hold(participant("quick-voter")):
            pass

    await asyncio.wait_for(quick_vote(), 2)
    release.set()
    await voting
