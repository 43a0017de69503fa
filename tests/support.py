"""Test helpers that manage real processes: redis-server on a free port."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def until(predicate, timeout: float = 10.0, what: str = "condition") -> None:  # type: ignore[no-untyped-def]
    """Wait for a condition (checked every few milliseconds), never for a fixed time."""
    import asyncio
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def wait_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port}")


class RedisServer:
    """A private redis-server with AOF on every write, which tests may stop and restart."""

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is missing: `make test` installs it (apt-get install redis-server)")
        self.binary = binary
        self.dir = directory
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no",
             "--logfile", str(self.dir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port)

    def stop(self, kill: bool = False) -> None:
        if self.proc is None:
            return
        if kill:
            self.proc.kill()
        else:
            self.proc.terminate()  # SIGTERM: redis flushes the AOF and exits
        self.proc.wait(timeout=10)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


class CuttableProxy:
    """A TCP proxy in front of the hub that a test can unplug, as a lost network would:
    `cut()` drops every connection and refuses new ones until `restore()`."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = free_port()
        self.connected = True
        self._writers: set = set()
        self.frozen: set = set()
        self._server = None

    async def start(self) -> None:
        import asyncio
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    async def stop(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def cut(self) -> None:
        self.connected = False
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    def restore(self) -> None:
        self.connected = True

    def freeze(self) -> None:
        """Stop forwarding on the open connections without closing them, as a network
        that silently drops everything does (new connections still go through)."""
        self.frozen |= set(self._writers)

    async def _handle(self, reader, writer) -> None:  # type: ignore[no-untyped-def]
        import asyncio
        if not self.connected:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, up_writer}

        async def pipe(src, dst, src_writer) -> None:  # type: ignore[no-untyped-def]
            try:
                while data := await src.read(65536):
                    if dst in self.frozen or src_writer in self.frozen:
                        continue  # swallowed, as a dead network would
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer, writer), pipe(up_reader, writer, up_writer))
        self._writers -= {writer, up_writer}


class IcecastServer:
    """A private icecast2 (Debian's) on loopback, which tests may stop and restart.
    Icecast refuses to run as root: it is told to change to Debian's icecast2 user."""

    PASSWORD = "source-secret"
    ADMIN = ("admin", "admin-secret")

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("icecast2")
        if binary is None:
            raise RuntimeError("icecast2 is missing: `make test` installs it (apt-get install icecast2)")
        self.binary = binary
        import tempfile
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        # Its logs are opened after it dropped root: in a directory that user can reach
        # (pytest's tmp_path is under a 0700 directory of root's).
        self.logs = Path(tempfile.mkdtemp(prefix="mx-icecast-"))
        self.logs.chmod(0o777)
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        import os
        root = os.geteuid() == 0
        owner = "<changeowner><user>icecast2</user><group>icecast</group></changeowner>" if root else ""
        (self.dir / "icecast.xml").write_text(f"""<icecast>
  <limits><sources>8</sources><clients>100</clients><source-timeout>10</source-timeout>
    <burst-on-connect>0</burst-on-connect><burst-size>0</burst-size></limits>
  <authentication><source-password>{self.PASSWORD}</source-password>
    <admin-user>{self.ADMIN[0]}</admin-user><admin-password>{self.ADMIN[1]}</admin-password></authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket><port>{self.port}</port><bind-address>127.0.0.1</bind-address></listen-socket>
  <fileserve>0</fileserve>
  <paths><basedir>/usr/share/icecast2</basedir><logdir>{self.logs}</logdir><webroot>/usr/share/icecast2/web</webroot>
    <adminroot>/usr/share/icecast2/admin</adminroot></paths>
  <logging><accesslog>access.log</accesslog><errorlog>error.log</errorlog><loglevel>3</loglevel></logging>
  <security><chroot>0</chroot>{owner}</security>
</icecast>
""", encoding="utf-8")

    def source_url(self, mount: str = "{event}.ogg") -> str:
        return f"http://source:{self.PASSWORD}@127.0.0.1:{self.port}/{mount}"

    def listen_url(self, mount: str) -> str:
        return f"http://127.0.0.1:{self.port}/{mount}"

    def start(self) -> None:
        self.proc = subprocess.Popen([self.binary, "-c", str(self.dir / "icecast.xml")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port)

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def remove_logs(self) -> None:
        shutil.rmtree(self.logs, ignore_errors=True)
