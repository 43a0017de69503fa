"""The docker-compose topology with local processes: redis-server (AOF), two hub
processes sharing it, and nginx configured from config/nginx/multiplex.conf.template."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from hub.client import LiveClient
from hub.domain.actors import Role
from hub.security import access

from ..support import RedisServer, free_port, wait_port

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "config" / "nginx" / "multiplex.conf.template"
SECRET = "cluster-secret-0123456789"
EVENT = "grand-est-2020"


def render_template(text: str, values: dict[str, str]) -> str:
    """What the nginx image's envsubst step does: replace ${NAME} for the given names only."""
    return re.sub(r"\$\{([A-Z0-9_]+)\}", lambda m: values.get(m.group(1), m.group(0)), text)


class HubProcess:
    def __init__(self, name: str, redis_url: str, data_dir: Path, logs: Path, **env: str) -> None:
        self.name, self.port = name, free_port()
        self.env = {**os.environ, "HUB_LOG_URL": redis_url, "HUB_SECRET": SECRET, "HUB_DATA_DIR": str(data_dir),
                    "HUB_PORT": str(self.port), "HUB_NODE_ID": name, "HUB_LOG_LEVEL": "warning",
                    "HUB_MEDIA_HOST_ADDRESSES": "127.0.0.1", "HUB_MEDIA_REMOTE_NETWORKS": "127.0.0.0/8",
                    "HUB_TALLY_INTERVAL_MS": "100", **env}
        self.log = logs / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "hub.cli", "serve"], cwd=ROOT, env=self.env,
                                         stdout=out, stderr=subprocess.STDOUT)
        wait_port(self.port, timeout=30)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/live/{EVENT}"


class Nginx:
    def __init__(self, directory: Path, upstreams: list[int], connections: int = 4096) -> None:
        """`connections`: nginx's worker_connections (clients and upstreams); bench/hls.py needs 5000 players."""
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(binary).exists():
            raise RuntimeError("nginx is missing: `make test` installs Debian's nginx-light")
        self.binary, self.dir, self.port = binary, directory, free_port()
        self.dir.mkdir(parents=True, exist_ok=True)
        site = render_template(TEMPLATE.read_text(), {"HUB_1_ADDRESS": f"127.0.0.1:{upstreams[0]}",
                                                      "HUB_2_ADDRESS": f"127.0.0.1:{upstreams[1]}",
                                                      "LISTEN_PORT": f"127.0.0.1:{self.port}",
                                                      "HLS_CACHE_DIR": str(self.dir / "hls-cache")})
        (self.dir / "multiplex.conf").write_text(site)
        kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        temp = "\n".join(f"  {k}_temp_path {self.dir}/{k};" for k in kinds)
        # The outer file the nginx image provides; the site file is the repository's.
        (self.dir / "nginx.conf").write_text(
            f"user root;\nworker_processes 1;\nworker_rlimit_nofile {2 * connections + 64};\n"
            f"pid {self.dir}/nginx.pid;\nerror_log {self.dir}/error.log warn;\n"
            f"events {{ worker_connections {connections}; }}\n"
            f"http {{\n  access_log off;\n{temp}\n  include {self.dir}/multiplex.conf;\n}}\n")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([self.binary, "-p", str(self.dir), "-c", str(self.dir / "nginx.conf"),
                                      "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_port(self.port)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)


def wait_healthy(hubs: list[HubProcess], timeout: float = 30) -> None:
    """Until each running hub answers its health check (it has replayed the log)."""
    deadline = time.monotonic() + timeout
    for hub in hubs:
        if hub.proc is None:
            continue
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{hub.port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{hub.name} not healthy; see {hub.log}")
            time.sleep(0.1)


class Topology:
    def __init__(self, directory: Path, **hub_env: str) -> None:
        self.dir = directory
        (directory / "redis").mkdir(parents=True)
        self.redis = RedisServer(directory / "redis")
        self.redis.start()
        data = directory / "hub-data"  # shared by both hubs, as the compose volume is
        self.hubs = [HubProcess(f"hub-{i}", self.redis.url, data, directory, **hub_env) for i in (1, 2)]
        for hub in self.hubs:
            hub.start()
        self.lb = Nginx(directory / "nginx", [h.port for h in self.hubs])
        self.lb.start()
        self.wait_healthy()

    def wait_healthy(self, timeout: float = 30) -> None:
        wait_healthy(self.hubs, timeout)

    def stop(self) -> None:
        self.lb.stop()
        for hub in self.hubs:
            hub.stop()
        self.redis.stop()

    @property
    def url(self) -> str:
        """The live channel through the load balancer."""
        return f"ws://127.0.0.1:{self.lb.port}/live/{EVENT}"

    def token(self, role: Role, site: str | None = None) -> str:
        return access.sign(SECRET, EVENT, role, site, int(time.time()) + 3600)

    def code(self, site: str) -> str:
        return access.join_code(SECRET, EVENT, site)

    def viewer(self, url: str | None = None, **kw) -> LiveClient:
        return LiveClient(url or self.url, **kw)

    def participant(self, site: str, url: str | None = None, **kw) -> LiveClient:
        return LiveClient(url or self.url, site=site, code=self.code(site), **kw)

    def moderator(self, url: str | None = None, **kw) -> LiveClient:
        return LiveClient(url or self.url, token=self.token(Role.MODERATOR), **kw)
