"""The network answered but the log cannot take the answer (Redis down): the answer is kept,
nothing new is claimed or sent meanwhile, and it is written once the log is back."""
from __future__ import annotations

from pathlib import Path

import msgspec

from hub.domain import commands as c
from hub.domain.actors import Actor, Role
from hub.domain.outbound import Delivery
from hub.domain.social import outbound
from hub.event_files import load_event_file
from hub.read.replica import EventReplica
from hub.social.networks import Found, Outgoing, Published
from hub.social.publisher import Publisher
from hub.write.service import EventService

from ..test_service import EVENT_FILE, FlakyLog

MOD = Actor(role=Role.MODERATOR, pid="mod-000001")


class LogFallsWithTheAnswer:
    """A network whose answer comes back just as the log goes down."""
    name = "mastodon"

    def __init__(self, log: FlakyLog) -> None:
        self.log, self.keys = log, list[str]()

    async def publish(self, post: Outgoing) -> Published:
        self.keys.append(post.key)
        self.log.down = True
        return Published(remote_id=f"10{len(self.keys)}", url=f"https://m.example/@event/10{len(self.keys)}")

    async def delete(self, post: Outgoing, remote_id: str) -> None:
        raise AssertionError("nothing is deleted here")

    async def search(self, hashtag: str, cursor: str) -> tuple[list[Found], str]:
        return [], cursor

    async def close(self) -> None:
        pass


async def test_an_answer_the_log_refused_is_written_later_and_nothing_is_sent_twice(tmp_path: Path):
    log = FlakyLog(str(tmp_path / "log.db"))
    await log.open()
    config = msgspec.structs.replace(load_event_file(EVENT_FILE), social=["mastodon"])
    replica = EventReplica(config, log)
    await replica.start()
    service = EventService(replica)
    network = LogFallsWithTheAnswer(log)
    publisher = Publisher(service, [network], node="hub-a", secret="s" * 16, uploads=tmp_path)
    try:
        first = (await service.submit(MOD, c.PostLive(text="Un")))
        second = (await service.submit(MOD, c.PostLive(text="Deux")))
        ids = [str(o.effects.result["post"]) for o in (first, second) if o.effects is not None]
        await publisher.round("mastodon")
        posts = replica.state.feed.posts
        assert [outbound(posts[i], "mastodon").state for i in ids] == [Delivery.SENDING, Delivery.QUEUED]
        for _ in range(3):  # still down: the answer waits, the next post is not claimed
            await publisher.round("mastodon")
        assert len(network.keys) == 1
        log.down = False
        await publisher.round("mastodon")  # the kept answer first, then the next post
        assert outbound(posts[ids[0]], "mastodon").state is Delivery.SENT
        assert outbound(posts[ids[0]], "mastodon").remote_id == "101"
        log.down = False
        await publisher.round("mastodon")
        assert [outbound(posts[i], "mastodon").state for i in ids] == [Delivery.SENT, Delivery.SENT]
        assert len(network.keys) == len(set(network.keys)) == 2
    finally:
        await replica.stop()
        await log.close()
