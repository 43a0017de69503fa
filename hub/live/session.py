"""One live connection, as an asyncio protocol plugged into uvicorn.

uvicorn accepts a websocket protocol class (`Config(ws=...)`): after the HTTP
upgrade it hands us the transport. We use websockets' sans-I/O ServerProtocol
for the handshake and for parsing client frames, but write the fan-out frames
(pre-built, identical for all) straight to the transport: no task, no queue and
no await per client per update. The transport's buffer is the bounded outbox:
past its high-water mark asyncio pauses us and the channel skips this client.

Commands run one at a time per session, in a task that exists only while the
client has commands waiting.
"""
from __future__ import annotations

import asyncio
import collections
import itertools
import logging
import re
import socket
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.protocol import State
from websockets.server import ServerProtocol

from ..domain.actors import Actor, Role
from ..domain.errors import DomainError
from ..domain.views import PUBLIC
from ..ratelimit import Via
from . import frames, join
from . import protocol as p
from .admission import client_address
from .codes import CloseCode

if TYPE_CHECKING:
    from ..runtime import EventRuntime, Runtime

log = logging.getLogger(__name__)
PONG = frames.encode(frames.Pong())
# websockets logs every open/close at INFO: too chatty for thousands of viewers.
ws_log = logging.getLogger("hub.live.ws")
ws_log.setLevel(logging.WARNING)
PATH = re.compile(r"^/live/([a-z0-9][a-z0-9-]{0,39})/?(?:\?.*)?$")
MAX_QUEUED_COMMANDS = 32
_CONNECTIONS = itertools.count(1)  # each live connection's own rate-limit buckets
STRIKES_ALLOWED = 30       # refused messages ...
STRIKE_WINDOW_S = 10.0     # ... within this window before the connection is closed
CLOSE_TIMEOUT_S = 2.0      # how long a client has to answer our close frame ...
CLOSE_FLUSH_S = 30.0       # ... and then to take what is still queued for it, close frame last


class LiveSession(asyncio.Protocol):
    runtime_getter: Callable[[], "Runtime"]  # set by make_live_protocol

    def __init__(self, config: Any = None, server_state: Any = None, app_state: Any = None,
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.runtime = type(self).runtime_getter()
        self.settings = self.runtime.settings
        self.server_state = server_state
        self.conn = ServerProtocol(max_size=self.settings.max_frame_bytes, logger=ws_log)
        self.transport: asyncio.Transport | None = None
        self.event: EventRuntime | None = None
        self.actor: Actor | None = None
        # what the channel reads
        self.audience, self.origin, self.pid = PUBLIC, "remote", ""
        self.counted = False
        self.seq = 0
        self.paused = False
        self.behind_since: float | None = None
        self._closing = False
        self._hello_timer: asyncio.TimerHandle | None = None
        self._close_timer: asyncio.TimerHandle | None = None
        self._commands: collections.deque[p.Command] = collections.deque()
        self._worker: asyncio.Task[None] | None = None
        self._strikes: collections.deque[float] = collections.deque()
        self._ping_sent_at: float | None = None
        self._last_ping = time.monotonic()
        self.peer = ""                    # the socket's other end
        self.address: str | None = None   # the client's, once admitted (hub/live/admission.py)
        self.via: Via | None = None

    # -- asyncio.Protocol -------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        if self.server_state is not None:
            self.server_state.connections.add(self)
        self.transport.set_write_buffer_limits(high=self.settings.outbox_high_water)
        peername = self.transport.get_extra_info("peername")
        self.peer = str(peername[0]) if peername else ""
        sock = self.transport.get_extra_info("socket")
        if self.settings.socket_send_buffer and sock is not None:
            # A small kernel buffer makes a stalled client show up as paused sooner.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.settings.socket_send_buffer)
        loop = asyncio.get_running_loop()
        self._hello_timer = loop.call_later(self.settings.hello_timeout_s, self._hello_timeout)

    def data_received(self, data: bytes) -> None:
        try:
            self.conn.receive_data(data)
            for event in self.conn.events_received():
                if isinstance(event, Request):
                    self._handshake(event)
                elif isinstance(event, Frame):
                    self._on_frame(event)
            self._pump()
        except Exception:  # a bug must close this connection cleanly, not leave it half-dead
            log.exception("live connection failed on input")
            self.close(CloseCode.INTERNAL_ERROR, "the hub failed on this message")

    def eof_received(self) -> bool | None:
        self.conn.receive_eof()
        self._pump()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        if self.server_state is not None:
            self.server_state.connections.discard(self)
        for timer in (self._hello_timer, self._close_timer):
            if timer:
                timer.cancel()
        # A command already handed to the service runs to its end (it may be written
        # already); the client learns its outcome by sending it again with the same id.
        self._commands.clear()
        if self.event is not None:
            self.event.channel.detach(self)
        if self.address is not None:
            self.runtime.addresses.leave(self.address)
            self.address = None
        self._closing = True

    def pause_writing(self) -> None:
        self.paused = True
        self.behind_since = time.monotonic()

    def resume_writing(self) -> None:
        self.paused = False
        self.behind_since = None
        if self.event is not None and self.actor is not None:
            self.event.channel.writable_again(self)

    def shutdown(self) -> None:
        """uvicorn is stopping: tell the client to come back and resume."""
        self.close(CloseCode.SERVICE_RESTART, "the hub is restarting: reconnect and resume")

    # -- what the channel calls ---------------------------------------------------------
    def write(self, frame: bytes) -> None:
        if not self._closing and self.transport is not None and self.conn.state is State.OPEN:
            self.transport.write(frame)

    def close(self, code: CloseCode, reason: str) -> None:
        if self._closing or self.transport is None:
            return
        self._closing = True
        if self.event is not None:
            self.event.channel.detach(self)
        self._expect_close()
        if self.conn.state is State.OPEN:
            self.conn.send_close(int(code), reason)
            self._pump()

    def keepalive(self, now: float) -> None:
        if self._ping_sent_at is not None and now - self._ping_sent_at > self.settings.ping_interval_s:
            self.close(CloseCode.GOING_AWAY, "no answer to ping")
        elif self._ping_sent_at is None and now - self._last_ping > self.settings.ping_interval_s:
            self._ping_sent_at = self._last_ping = now
            if self.conn.state is State.OPEN:
                self.conn.send_ping(b"")
                self._pump()

    # -- internals ----------------------------------------------------------------------
    def _pump(self) -> None:
        """Send what the protocol queued (handshake, pongs, close) and close when it says so."""
        assert self.transport is not None
        for chunk in self.conn.data_to_send():
            if chunk:
                self.transport.write(chunk)
            elif self.transport.can_write_eof():
                try:
                    self.transport.write_eof()
                except OSError:  # the client already hung up (ENOTCONN): nothing left to tell it
                    self.transport.abort()
                    return
        # Only once the close handshake is over (or the client hung up): closing the
        # socket while the client is still sending makes the kernel reset it, and the
        # client then never reads the close frame (1006 instead of our code).
        if self.conn.state is State.CLOSED:
            self.transport.close()
        elif self.conn.close_expected():
            self._expect_close()

    def _expect_close(self) -> None:
        """A client that does not answer the close handshake in time is closed from
        here: gracefully first (what is queued, the close frame last, still goes out
        to a client that is merely slow), then cut off if it takes nothing at all."""
        if self._close_timer is None:
            self._close_timer = asyncio.get_running_loop().call_later(CLOSE_TIMEOUT_S, self._close_transport)

    def _close_transport(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()
            self._close_timer = asyncio.get_running_loop().call_later(CLOSE_FLUSH_S, self._abort)

    def _abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()

    def _handshake(self, request: Request) -> None:
        match = PATH.match(request.path)
        event = self.runtime.events.get(match.group(1)) if match else None
        address = client_address(self.peer, request.headers.get_all("X-Forwarded-For"), self.runtime.trusted_proxies)
        refused = self.runtime.addresses.admit(address, time.monotonic()) if event is not None else None
        if event is None:
            response = self.conn.reject(404, "No such event\n")
        elif refused is not None:  # every connection of one client counts, whatever ids it rotates
            self.runtime.metrics.refused("connection.too_many")
            response = self.conn.reject(429, f"{refused}\n")
        else:
            self.address = address
            response = self.conn.accept(request)
        self.conn.send_response(response)
        if response.status_code == 101:
            self.event = event
        else:
            self._pump()
            self.transport.close()  # type: ignore[union-attr]

    def _hello_timeout(self) -> None:
        if self.actor is None:
            self.close(CloseCode.HELLO_TIMEOUT, "no hello received")

    def _on_frame(self, frame: Frame) -> None:
        if frame.opcode is Opcode.TEXT:
            self._on_text(bytes(frame.data))
        elif frame.opcode is Opcode.BINARY:
            self.close(CloseCode.UNSUPPORTED_DATA, "the protocol is JSON text frames")
        elif frame.opcode is Opcode.PONG:
            self._ping_sent_at = None

    def _send(self, payload: bytes) -> None:
        self.write(p.text_frame(payload))

    def _refuse(self, exc: DomainError, cid: str | None = None) -> None:
        self.runtime.metrics.refused(exc.code)
        self._send(p.error_message(exc, cid))
        now = time.monotonic()
        self._strikes.append(now)
        while self._strikes and now - self._strikes[0] > STRIKE_WINDOW_S:
            self._strikes.popleft()
        if len(self._strikes) > STRIKES_ALLOWED:
            self.close(CloseCode.ABUSE, "too many refused messages")

    def _on_text(self, data: bytes) -> None:
        if self._closing:
            return
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            self.close(CloseCode.INVALID_DATA, "text frames must be UTF-8")
            return
        if len(data) > self.settings.max_message_bytes:
            self._refuse(DomainError("message.too_large", f"messages are limited to "
                                     f"{self.settings.max_message_bytes} bytes",
                                     limit=self.settings.max_message_bytes))
            return
        try:
            message = p.decode(data)
        except DomainError as exc:
            if self.actor is None:
                self._send(p.error_message(exc))
                self.close(CloseCode.BAD_HELLO, "the first message must be a valid hello")
            else:
                self._refuse(exc, p.command_id(data))
            return
        if isinstance(message, p.Hello):
            self._on_hello(message)
        elif self.actor is None:
            self._send(p.error_message(DomainError("hello.required", "send hello first")))
            self.close(CloseCode.BAD_HELLO, "the first message must be a hello")
        elif isinstance(message, p.Command):
            self._queue_command(message)
        elif isinstance(message, p.Ping):
            self._send(PONG)
        else:  # Resume within a session: the client saw a gap
            assert self.event is not None
            self.seq = min(message.seq, self.seq)
            self.event.channel.writable_again(self)

    def _on_hello(self, hello: p.Hello) -> None:
        if self.actor is not None:
            self._refuse(DomainError("hello.repeated", "this connection already said hello"))
            return
        assert self.event is not None
        try:
            actor = join.authenticate(self.event.config, self.settings.secret, hello, int(time.time()))
        except DomainError as exc:
            self.runtime.metrics.refused(exc.code)
            self._send(p.error_message(exc))
            code = CloseCode.UNAUTHORIZED if exc.code.startswith(("auth.", "site.")) else CloseCode.BAD_HELLO
            self.close(code, exc.message)
            return
        if self._hello_timer:
            self._hello_timer.cancel()
        self.actor, self.pid, self.origin = actor, actor.pid, actor.origin
        self.via = Via(connection=str(next(_CONNECTIONS)), address=self.address or self.peer,
                       site=actor.site if actor.role is Role.PARTICIPANT else None)
        self.audience = join.audience_of(actor, hello.follow)
        self.counted = join.counts_in_presence(actor)
        self._send(frames.encode(join.welcome(self.event.config, self.settings.secret, actor, self.settings.node_id,
                                              follow=hello.follow if actor.role is Role.VIEWER else None)))
        self.event.channel.attach(self, hello.resume)
        self.event.attendance.arrived(actor)

    def _queue_command(self, message: p.Command) -> None:
        if len(self._commands) >= MAX_QUEUED_COMMANDS:
            self._refuse(DomainError("rate.limited", "too many commands waiting", retry_after=1.0), message.id)
            return
        self._commands.append(message)
        if self._worker is None:
            self._worker = asyncio.create_task(self._run_commands())

    async def _run_commands(self) -> None:
        assert self.event is not None and self.actor is not None
        try:
            while self._commands and not self._closing:
                message = self._commands.popleft()
                try:
                    outcome = await self.event.service.submit(self.actor, message.cmd, message.id, self.via)
                except DomainError as exc:
                    self._refuse(exc, message.id)
                    continue
                except Exception:  # a bug must not kill the session silently
                    log.exception("command %s failed", message.id)
                    self._send(p.error_message(DomainError("internal", "the hub failed: try again"), message.id))
                    continue
                self._send(frames.encode(frames.Ack(
                    id=message.id, seq=outcome.seq, duplicate=outcome.duplicate_of is not None,
                    result=outcome.effects.result if outcome.effects is not None and outcome.duplicate_of is None
                    else None)))
        finally:
            self._worker = None


def make_live_protocol(runtime_getter: Callable[[], "Runtime"]) -> type[LiveSession]:
    """A LiveSession class bound to a runtime, to give uvicorn as `ws=`."""
    return type("BoundLiveSession", (LiveSession,), {"runtime_getter": staticmethod(runtime_getter)})
