"""One live connection, as an asyncio protocol plugged into uvicorn.

uvicorn accepts a websocket protocol class (`Config(ws=...)`): after the HTTP
upgrade it hands us the transport. We use websockets' sans-I/O ServerProtocol
for the handshake and for parsing client frames, but write the fan-out frames
(pre-built, identical for all) straight to the transport: no task, no queue and
no await per client per update. The transport's buffer is the bounded outbox:
past its high-water mark asyncio pauses us and the channel skips this client.

Where a session is in its life is one enum (hub/live/lifecycle.py); what the
client sends is read by its inbox (hub/live/inbox.py).
"""
from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.protocol import State
from websockets.server import ServerProtocol

from ..domain.actors import Actor
from ..domain.views import PUBLIC
from ..security.ratelimit import Via
from . import join
from . import protocol as p
from .codes import CloseCode
from .inbox import Inbox
from .lifecycle import ENDING, Phase, move

if TYPE_CHECKING:
    from ..port import EventPort, RuntimePort

log = logging.getLogger(__name__)
# websockets logs every open/close at INFO: too chatty for thousands of viewers.
ws_log = logging.getLogger("hub.live.ws")
ws_log.setLevel(logging.WARNING)
CLOSE_TIMEOUT_S = 2.0      # how long a client has to answer our close frame ...
CLOSE_FLUSH_S = 30.0       # ... and then to take what is still queued for it, close frame last


class LiveSession(asyncio.Protocol):
    runtime_getter: Callable[[], "RuntimePort"]  # set by make_live_protocol

    def __init__(self, config: Any = None, server_state: Any = None, app_state: Any = None,
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.runtime = type(self).runtime_getter()
        self.settings = self.runtime.settings
        self.server_state = server_state
        self.conn = ServerProtocol(max_size=self.settings.max_frame_bytes, logger=ws_log)
        self.phase = Phase.CONNECTED
        self.transport: asyncio.Transport | None = None
        self.event: EventPort | None = None  # from UPGRADED on
        self.actor: Actor | None = None      # from JOINED on
        self.inbox = Inbox(self)
        # what the channel reads
        self.audience, self.origin, self.pid = PUBLIC, "remote", ""
        self.counted = False
        self.seq = 0
        self.paused = False
        self.behind_since: float | None = None
        self._hello_timer: asyncio.TimerHandle | None = None
        self._close_timer: asyncio.TimerHandle | None = None
        self._ping_sent_at: float | None = None
        self._last_ping = time.monotonic()
        self.peer = ""                    # the socket's other end
        self.address: str | None = None   # the client's, once admitted (hub/live/admission.py)
        self.via: Via | None = None

    # -- where it is in its life ------------------------------------------------------
    def upgraded_event(self) -> EventPort:
        assert self.phase in (Phase.UPGRADED, Phase.JOINED) and self.event is not None, self.phase
        return self.event

    def joined_event(self) -> EventPort:
        assert self.phase is Phase.JOINED and self.event is not None, self.phase
        return self.event

    def joined_actor(self) -> Actor:
        assert self.phase is Phase.JOINED and self.actor is not None, self.phase
        return self.actor

    def upgraded(self, event: EventPort) -> None:
        self.event, self.phase = event, move(self.phase, Phase.UPGRADED)

    def close_now(self) -> None:
        """Refused at the upgrade: what was answered is sent, then the socket closes."""
        if self.transport is not None:
            self.transport.close()

    def joined(self, actor: Actor, *, audience: str, via: Via) -> None:
        """The hello named who this is: from now on the channel writes to it."""
        self.phase = move(self.phase, Phase.JOINED)
        if self._hello_timer:
            self._hello_timer.cancel()
        self.actor, self.pid, self.origin, self.audience, self.via = actor, actor.pid, actor.origin, audience, via
        self.counted = join.counts_in_presence(actor)

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
                    self.inbox.on_request(event)
                elif isinstance(event, Frame):
                    self._on_frame(event)
            self.pump()
        except Exception:  # a bug must close this connection cleanly, not leave it half-dead
            log.exception("live connection failed on input")
            self.close(CloseCode.INTERNAL_ERROR, "the hub failed on this message")

    def eof_received(self) -> bool | None:
        self.conn.receive_eof()
        self.pump()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        if self.server_state is not None:
            self.server_state.connections.discard(self)
        for timer in (self._hello_timer, self._close_timer):
            if timer:
                timer.cancel()
        self.inbox.clear()
        if self.event is not None:
            self.event.channel.detach(self)
        if self.address is not None:
            self.runtime.addresses.leave(self.address)
            self.address = None
        self.phase = move(self.phase, Phase.CLOSED) if self.phase is not Phase.CLOSED else self.phase

    def pause_writing(self) -> None:
        self.paused = True
        self.behind_since = time.monotonic()
        if self.phase is Phase.JOINED:
            self.joined_event().channel.fell_behind(self)

    def resume_writing(self) -> None:
        self.paused = False
        self.behind_since = None
        if self.phase is Phase.JOINED:
            self.joined_event().channel.writable_again(self)

    def shutdown(self) -> None:
        """uvicorn is stopping: tell the client to come back and resume."""
        self.close(CloseCode.SERVICE_RESTART, "the hub is restarting: reconnect and resume")

    # -- what the channel calls ---------------------------------------------------------
    def write(self, frame: bytes) -> None:
        write = self.writer()
        if write is not None:
            write(frame)

    def writer(self) -> Callable[[bytes], None] | None:
        """For the channel's fast path: valid until the session leaves the channel
        (closing, or the client's close frame: see pump), which it does first."""
        if self.phase not in ENDING and self.transport is not None and self.conn.state is State.OPEN:
            return self.transport.write
        return None

    def send(self, payload: bytes) -> None:
        self.write(p.text_frame(payload))

    def close(self, code: CloseCode, reason: str) -> None:
        if self.phase in ENDING or self.transport is None:
            return
        self.phase = move(self.phase, Phase.CLOSING)
        if self.event is not None:
            self.event.channel.detach(self)
        self._expect_close()
        if self.conn.state is State.OPEN:
            self.conn.send_close(int(code), reason)
            self.pump()

    def keepalive(self, now: float) -> None:
        if self._ping_sent_at is not None and now - self._ping_sent_at > self.settings.ping_interval_s:
            self.close(CloseCode.GOING_AWAY, "no answer to ping")
        elif self._ping_sent_at is None and now - self._last_ping > self.settings.ping_interval_s:
            self._ping_sent_at = self._last_ping = now
            if self.conn.state is State.OPEN:
                self.conn.send_ping(b"")
                self.pump()

    # -- internals ----------------------------------------------------------------------
    def pump(self) -> None:
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
        if self.conn.state is not State.OPEN and self.event is not None:
            self.event.channel.detach(self)  # no data frame may follow a close frame
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

    def _hello_timeout(self) -> None:
        if self.phase in (Phase.CONNECTED, Phase.UPGRADED):
            self.close(CloseCode.HELLO_TIMEOUT, "no hello received")

    def _on_frame(self, frame: Frame) -> None:
        if frame.opcode is Opcode.TEXT:
            self.inbox.on_text(bytes(frame.data))
        elif frame.opcode is Opcode.BINARY:
            self.close(CloseCode.UNSUPPORTED_DATA, "the protocol is JSON text frames")
        elif frame.opcode is Opcode.PONG:
            self._ping_sent_at = None


def make_live_protocol(runtime_getter: Callable[[], "RuntimePort"]) -> type[LiveSession]:
    """A LiveSession class bound to a runtime, to give uvicorn as `ws=`."""
    return type("BoundLiveSession", (LiveSession,), {"runtime_getter": staticmethod(runtime_getter)})
