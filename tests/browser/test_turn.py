"""TURN for closed networks: a real coturn (Debian's, with the project's own
config/coturn/turnserver.conf) started by the test, the hub minting credentials for
it, and Chromium pages that may only use relayed candidates over TCP, as on a school
network that blocks UDP. A site publishes, a viewer watches, both through the relay."""
from __future__ import annotations

import asyncio
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest

from hub.domain.actors import Role
from hub.settings import ROOT

from ..hubserver import HubServer
from ..support import free_port, wait_port
from .browser import chromium, open_page, take_on_air, wait_js, wait_online
from .test_media import COLOUR, canvas_camera, go_live

EVENT = "grand-est-2020"
TURNSERVER = shutil.which("turnserver") or "/usr/bin/turnserver"

# What a closed network leaves a page: relayed candidates only, whatever the page asks.
RELAY_ONLY = """
(() => {
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = function (config = {}) {
    return new Native({ ...config, iceTransportPolicy: 'relay' });
  };
  window.RTCPeerConnection.prototype = Native.prototype;
})();
"""

# The candidate pair a page's connection selected: its local candidate's type and the
# protocol between the page and the TURN server.
SELECTED = """async (pc) => {
  if (!pc) return null;
  const stats = await pc.getStats();
  for (const s of stats.values()) {
    if (s.type === 'transport' && s.selectedCandidatePairId) {
      const pair = stats.get(s.selectedCandidatePairId);
      const local = stats.get(pair.localCandidateId);
      return { type: local.candidateType, relayProtocol: local.relayProtocol || null };
    }
  }
  return null;
}"""


class Coturn:
    """coturn on a free loopback port, relaying to loopback (where the hub listens)."""

    def __init__(self, tmp: Path) -> None:
        self.port, self.secret, self.tmp = free_port(), secrets.token_urlsafe(24), tmp
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [TURNSERVER, "-c", str(ROOT / "config/coturn/turnserver.conf"), f"--static-auth-secret={self.secret}",
             "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", f"--listening-port={self.port}",
             "--no-tls", "--allow-loopback-peers", "--no-stdout-log", f"--log-file={self.tmp / 'turn.log'}",
             f"--pidfile={self.tmp / 'turn.pid'}", f"--userdb={self.tmp / 'turndb'}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture
async def turn_hub(tmp_path):
    if not Path(TURNSERVER).exists():
        pytest.fail("coturn is missing: `make test` installs Debian's coturn")
    turn = Coturn(tmp_path)
    turn.start()
    await asyncio.to_thread(wait_port, turn.port, 60)
    hub = HubServer(tmp_path / "data", tally_interval_ms=100, presence_interval_ms=500,
                    turn_urls=f"turn:127.0.0.1:{turn.port}?transport=tcp", turn_secret=turn.secret,
                    media_host_addresses="127.0.0.1")
    await hub.start()
    yield hub
    await hub.stop()
    turn.stop()


async def test_a_site_publishes_and_a_viewer_watches_through_coturn_over_tcp_only(turn_hub):
    hub = turn_hub
    base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
    async with chromium() as browser:
        nancy = await open_page(browser, f"{base}/site/nancy#token={hub.token(Role.COORDINATOR, 'nancy')}",
                                init_script=RELAY_ONLY + canvas_camera("#ff0000"))
        mod = await open_page(browser, f"{base}/moderate#token={hub.token(Role.MODERATOR)}")
        for page in (nancy, mod):
            await wait_online(page)
        await go_live(nancy)
        await take_on_air(mod, "Nancy")
        viewer = await open_page(browser, f"{base}/join/metz?code={hub.code('metz')}", init_script=RELAY_ONLY)
        await wait_online(viewer)
        await viewer.select_option("#watch-mode", "video")
        await wait_js(viewer, f"({COLOUR})() === 'red'", timeout=60)

        # Both connections run through coturn's relay, reached over TCP.
        published = await nancy.evaluate(f"({SELECTED})(window.__mxPublisher && window.__mxPublisher.pc)")
        watched = await viewer.evaluate(f"({SELECTED})(window.__mxPlayer && window.__mxPlayer.pc)")
        assert published == {"type": "relay", "relayProtocol": "tcp"}, published
        assert watched == {"type": "relay", "relayProtocol": "tcp"}, watched
