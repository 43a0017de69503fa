"""Starting the servers a benchmark compares, and making each publish updates.

Every server runs pinned to core 0; load generators run on core 1. Multiplex is
driven through its real path (a moderator's commands over the live channel);
the peers generate identical frames themselves once told to start.
"""
from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE = ROOT / "bench" / "peers" / "node"
SECRET = "bench-secret-0123456789"
EVENT = "grand-est-2020"
SERVER_CORE, LOAD_CORE = 0, 1
LIVE_PATH = f"/live/{EVENT}"

# kind -> (load generator mode, path)
PROTOCOL = {"multiplex": ("mx", LIVE_PATH), "multiplex-2p": ("mx", LIVE_PATH), "ws-broadcast": ("raw", LIVE_PATH),
            "starlette-loop": ("raw", LIVE_PATH), "node-ws": ("raw", LIVE_PATH),
            "node-ws-batch": ("raw", LIVE_PATH), "socketio": ("sio", "/socket.io/"),
            "socketio-2p": ("sio", "/socket.io/"), "python-socketio": ("sio", "/socket.io/")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_listening(port: int, proc: subprocess.Popen) -> None:
    for _ in range(400):
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        try:
            _, w = await asyncio.open_connection("127.0.0.1", port)
            w.close()
            return
        except OSError:
            await asyncio.sleep(0.05)
    raise TimeoutError("server did not listen")


def _spawn(cmd: list[str], env: dict, cwd: Path = ROOT) -> subprocess.Popen:
    return subprocess.Popen(["taskset", "-c", str(SERVER_CORE), *cmd], cwd=cwd, env={**os.environ, **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def start_server(kind: str, port: int, data_dir: str, extra_env: dict | None = None,
                 hub_root: Path = ROOT) -> subprocess.Popen:
    """`hub_root`: the checkout whose hub runs (bench/compare.py runs an older one beside this)."""
    env = {"HUB_SECRET": SECRET, "HUB_DATA_DIR": data_dir, "HUB_PORT": str(port), "HUB_LOG_LEVEL": "warning",
           "PYTHONUNBUFFERED": "1", **(extra_env or {})}
    py = sys.executable
    commands = {"multiplex": ([py, "-m", "hub.cli", "serve"], hub_root),
                "ws-broadcast": ([py, "-m", "bench.peers.ws_broadcast", str(port)], ROOT),
                "starlette-loop": ([py, "-m", "bench.peers.starlette_loop", str(port)], ROOT),
                "python-socketio": ([py, "-m", "bench.peers.python_socketio", str(port)], ROOT),
                "node-ws": (["node", "ws_server.js", str(port)], NODE),
                "node-ws-batch": (["node", "ws_batch_server.js", str(port)], NODE),
                "socketio": (["node", "socketio_server.js", str(port)], NODE)}
    cmd, cwd = commands[kind]
    return _spawn(cmd, env, cwd)


@dataclass
class Servers:
    """The processes whose CPU counts as the server's, helpers measured apart (Redis),
    where viewers connect and where the driver connects."""
    kind: str
    procs: list[subprocess.Popen]
    viewer_ports: list[int]
    driver_port: int
    helpers: list[subprocess.Popen] = field(default_factory=list)

    def stop(self) -> None:
        for proc in [*self.procs, *self.helpers]:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


async def start_redis(data_dir: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = _spawn(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", data_dir, "--save", "",
                   "--appendonly", "yes", "--appendfsync", "always"], {})
    await wait_listening(port, proc)
    return proc, port


async def start_servers(kind: str, data_dir: str, extra_env: dict | None = None, hub_root: Path = ROOT) -> Servers:
    if kind in ("multiplex-2p", "socketio-2p"):
        # Two processes sharing one event (Multiplex: Redis Streams; Socket.IO: its Redis adapter).
        redis, redis_port = await start_redis(data_dir)
        ports = [free_port(), free_port()]
        base = kind.split("-")[0]
        procs = [start_server(base, p, f"{data_dir}/p{i}", {
            "HUB_LOG_URL": f"redis://127.0.0.1:{redis_port}/0", "HUB_NODE_ID": f"hub-{i}",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}", **(extra_env or {})}) for i, p in enumerate(ports, 1)]
        for port, proc in zip(ports, procs):
            await wait_listening(port, proc)
        return Servers(kind, procs, ports, ports[0], [redis])
    port = free_port()
    proc = start_server(kind, port, data_dir, extra_env, hub_root)
    await wait_listening(port, proc)
    return Servers(kind, [proc], [port], port)


# --- making the server publish updates -----------------------------------------------
class Driver:
    async def start(self, rate: float) -> None: ...

    async def stop(self) -> int:
        """Stop; return how many updates were published."""
        return 0


class MultiplexDriver(Driver):
    """The control room posting live-tweets through the real command path. A session
    runs its commands one at a time (in order, each durable before the next), so
    high rates are spread over several moderator connections, one per 10 posts/s,
    as several people in a control room would be."""

    def __init__(self, port: int, event: str = EVENT) -> None:
        self.url = f"ws://127.0.0.1:{port}/live/{event}"
        self.event = event
        self.clients: list = []
        self.task: asyncio.Task | None = None
        self.acked = self.refused = 0
        self.pending: set[asyncio.Task] = set()

    async def start(self, rate: float) -> None:
        from hub.client import LiveClient
        from hub.domain.actors import Role
        from hub.security import access
        token = access.sign(SECRET, self.event, Role.MODERATOR, None, int(time.time()) + 7200)
        self.clients = [LiveClient(self.url, token=token) for _ in range(max(1, int(rate // 10)))]
        await asyncio.gather(*(c.connect() for c in self.clients))
        self.task = asyncio.create_task(self._run(rate))

    async def _post(self, n: int) -> None:
        from hub.client import HubError
        client = self.clients[n % len(self.clients)]
        try:
            await client.command({"type": "feed.post", "text": f"Live update n°{n} from the control room"}, timeout=60)
            self.acked += 1
        except (TimeoutError, HubError):
            self.refused += 1

    async def _run(self, rate: float) -> None:
        loop = asyncio.get_running_loop()
        start, n = loop.time(), 0
        while True:
            n += 1
            task = asyncio.create_task(self._post(n))
            self.pending.add(task)
            task.add_done_callback(self.pending.discard)
            await asyncio.sleep(max(0.0, start + n / rate - loop.time()))

    async def stop(self) -> int:
        if self.task:
            self.task.cancel()
        await asyncio.gather(*self.pending, return_exceptions=True)
        await asyncio.gather(*(c.close() for c in self.clients))
        return self.acked


class RawPeerDriver(Driver):
    def __init__(self, port: int) -> None:
        self.port, self.ws, self.started = port, None, 0.0
        self.rate = 0.0

    async def start(self, rate: float) -> None:
        from websockets.asyncio.client import connect
        self.ws = await connect(f"ws://127.0.0.1:{self.port}{LIVE_PATH}")
        await self.ws.send(json.dumps({"type": "start", "rate": rate}))
        self.started, self.rate = time.monotonic(), rate

    async def stop(self) -> int:
        await self.ws.close()
        return round((time.monotonic() - self.started) * self.rate)


class SocketIODriver(RawPeerDriver):
    async def start(self, rate: float) -> None:
        from websockets.asyncio.client import connect
        self.ws = await connect(f"ws://127.0.0.1:{self.port}/socket.io/?EIO=4&transport=websocket")
        assert (await self.ws.recv()).startswith("0")       # Engine.IO open
        await self.ws.send("40")                            # join the default namespace
        assert (await self.ws.recv()).startswith("40")
        await self.ws.send(json.dumps(["start", {"rate": rate}]).join(["42", ""]))
        self.started, self.rate = time.monotonic(), rate


def driver_for(servers: Servers) -> Driver:
    mode = PROTOCOL[servers.kind][0]
    if mode == "mx":
        return MultiplexDriver(servers.driver_port)
    return SocketIODriver(servers.driver_port) if mode == "sio" else RawPeerDriver(servers.driver_port)
