"""What a client sends on its live connection, in order: the hello that says who
it is, then commands, run one at a time in a task that exists only while some
wait; refusals counted, and a client refused too often in a short while is closed."""
from __future__ import annotations

import asyncio
import collections
import itertools
import logging
import re
import time
from typing import TYPE_CHECKING

from websockets.http11 import Request

from ..domain.actors import Role
from ..domain.errors import DomainError
from ..security.ratelimit import Via
from . import frames, join
from . import protocol as p
from .admission import client_address
from .codes import CloseCode
from .lifecycle import ENDING, Phase

if TYPE_CHECKING:
    from .session import LiveSession

log = logging.getLogger(__name__)
PONG = frames.encode(frames.Pong())
PATH = re.compile(r"^/live/([a-z0-9][a-z0-9-]{0,39})/?(?:\?.*)?$")
MAX_QUEUED_COMMANDS = 32
STRIKES_ALLOWED = 30       # refused messages ...
STRIKE_WINDOW_S = 10.0     # ... within this window before the connection is closed
_CONNECTIONS = itertools.count(1)  # each live connection's own rate-limit buckets


class Inbox:
    def __init__(self, session: LiveSession) -> None:
        self.session = session
        self._commands: collections.deque[p.Command] = collections.deque()
        self._worker: asyncio.Task[None] | None = None
        self._strikes: collections.deque[float] = collections.deque()

    def clear(self) -> None:
        """The connection is gone. A command already handed to the service runs to its
        end (it may be written already); the client learns its outcome by sending it
        again with the same id."""
        self._commands.clear()

    def on_request(self, request: Request) -> None:
        """The HTTP upgrade: an event that exists, from a client address still admitted."""
        s = self.session
        match = PATH.match(request.path)
        event = s.runtime.events.get(match.group(1)) if match else None
        address = client_address(s.peer, request.headers.get_all("X-Forwarded-For"), s.runtime.trusted_proxies)
        refused = s.runtime.addresses.admit(address, time.monotonic()) if event is not None else None
        if event is None:
            response = s.conn.reject(404, "No such event\n")
        elif refused is not None:  # every connection of one client counts, whatever ids it rotates
            s.runtime.metrics.refused("connection.too_many")
            response = s.conn.reject(429, f"{refused}\n")
        else:
            s.address = address
            response = s.conn.accept(request)
        s.conn.send_response(response)
        if response.status_code == 101:
            assert event is not None
            s.upgraded(event)
        else:
            s.pump()
            s.close_now()

    def refuse(self, exc: DomainError, cid: str | None = None) -> None:
        s = self.session
        s.runtime.metrics.refused(exc.code)
        s.send(p.error_message(exc, cid))
        now = time.monotonic()
        self._strikes.append(now)
        while self._strikes and now - self._strikes[0] > STRIKE_WINDOW_S:
            self._strikes.popleft()
        if len(self._strikes) > STRIKES_ALLOWED:
            s.close(CloseCode.ABUSE, "too many refused messages")

    def on_text(self, data: bytes) -> None:
        s = self.session
        if s.phase in ENDING:
            return
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            s.close(CloseCode.INVALID_DATA, "text frames must be UTF-8")
            return
        limit = s.settings.max_message_bytes
        if len(data) > limit:
            self.refuse(DomainError("message.too_large", f"messages are limited to {limit} bytes", limit=limit))
            return
        try:
            message = p.decode(data)
        except DomainError as exc:
            if s.phase is Phase.UPGRADED:
                s.send(p.error_message(exc))
                s.close(CloseCode.BAD_HELLO, "the first message must be a valid hello")
            else:
                self.refuse(exc, p.command_id(data))
            return
        if isinstance(message, p.Hello):
            self.on_hello(message)
        elif s.phase is Phase.UPGRADED:
            s.send(p.error_message(DomainError("hello.required", "send hello first")))
            s.close(CloseCode.BAD_HELLO, "the first message must be a hello")
        elif isinstance(message, p.Command):
            self.queue(message)
        elif isinstance(message, p.Ping):
            s.send(PONG)
        else:  # Resume within a session: the client saw a gap
            s.joined_event().channel.rewind(s, message.seq)

    def on_hello(self, hello: p.Hello) -> None:
        s = self.session
        if s.phase is not Phase.UPGRADED:
            self.refuse(DomainError("hello.repeated", "this connection already said hello"))
            return
        event = s.upgraded_event()
        try:
            actor = join.authenticate(event.config, s.settings.secret, hello, int(time.time()))
        except DomainError as exc:
            s.runtime.metrics.refused(exc.code)
            s.send(p.error_message(exc))
            code = CloseCode.UNAUTHORIZED if exc.code.startswith(("auth.", "site.")) else CloseCode.BAD_HELLO
            s.close(code, exc.message)
            return
        s.joined(actor, audience=join.audience_of(actor, hello.follow),
                 via=Via(connection=str(next(_CONNECTIONS)), address=s.address or s.peer,
                         site=actor.site if actor.role is Role.PARTICIPANT else None))
        s.send(frames.encode(join.welcome(event.config, s.settings.secret, actor, s.settings.node_id,
                                          follow=hello.follow if actor.role is Role.VIEWER else None)))
        event.channel.attach(s, hello.resume)
        event.arrived(actor)

    def queue(self, message: p.Command) -> None:
        if len(self._commands) >= MAX_QUEUED_COMMANDS:
            self.refuse(DomainError("rate.limited", "too many commands waiting", retry_after=1.0), message.id)
            return
        self._commands.append(message)
        if self._worker is None:
            self._worker = asyncio.create_task(self._run())

    async def _run(self) -> None:
        s = self.session
        event, actor = s.joined_event(), s.joined_actor()
        try:
            while self._commands and s.phase is Phase.JOINED:
                message = self._commands.popleft()
                try:
                    outcome = await event.submit(actor, message.cmd, message.id, s.via)
                except DomainError as exc:
                    self.refuse(exc, message.id)
                    continue
                except Exception:  # a bug must not kill the session silently
                    log.exception("command %s failed", message.id)
                    s.send(p.error_message(DomainError("internal", "the hub failed: try again"), message.id))
                    continue
                s.send(frames.encode(frames.Ack(
                    id=message.id, seq=outcome.seq, duplicate=outcome.duplicate_of is not None,
                    result=outcome.effects.result if outcome.effects is not None and outcome.duplicate_of is None
                    else None)))
        finally:
            self._worker = None
