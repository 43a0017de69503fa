"""Settings: the only module that reads the environment (every HUB_* variable).

config/hub.env.example lists them all; a test keeps that file and this one in step.
"""
from __future__ import annotations

import os
import secrets
import socket
import sys
import uuid
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _shipped(in_checkout: str, installed: str) -> Path:
    """A directory that ships with the hub: from the checkout when running from one
    (make run, tests), else where the wheel installed it (<prefix>/share/multiplex)."""
    here = ROOT / in_checkout
    if (ROOT / "pyproject.toml").is_file() and here.is_dir():
        return here
    return Path(sys.prefix) / "share" / "multiplex" / installed


WEB_DIR = _shipped("web", "web")
# What the pages load from npm (hls.js): node_modules in a checkout, vendor/ beside the pages in a wheel
VENDOR_DIR = _shipped("node_modules", "vendor")


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""                 # as users reach the hub (behind TLS / a proxy); default from host:port
    data_dir: Path = Path("data")        # relative to where the hub is started
    events_dir: Path = _shipped("config/events", "events")
    log_url: str = ""                    # default: sqlite file in data_dir
    secret: str = ""                     # signs role links and derives join codes; rotate to revoke
    demo_event: str = "grand-est-2020"
    node_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    link_ttl_days: int = 30
    snapshot_every: int = 500            # entries between state snapshots
    resume_window: int = 20_000          # entries a reconnecting client may catch up on
    flush_interval_ms: int = 20          # shortest gap between the end of a flush and the next (hub/live/pacing.py)
    flush_interval_max_ms: int = 250     # longest such gap, however long flushes take (never below the shortest)
    tally_interval_ms: int = 150         # votes, upvotes, reactions, presence: a few times a second
    presence_interval_ms: int = 1000
    attendance_interval_ms: int = 500    # arrivals and video sessions written in batches this often (0: not recorded)
    retention_days: int = 0              # erase participants' texts and names this long after an event (0: keep)
    max_message_bytes: int = 16_384      # a bigger command gets `message.too_large`
    max_frame_bytes: int = 262_144       # a bigger frame closes the connection (1009)
    outbox_high_water: int = 262_144     # bytes queued for a client before it counts as behind
    socket_send_buffer: int = 131_072    # SO_SNDBUF per live connection: bounded, so a stalled client shows (0: OS)
    slow_client_grace_s: float = 20.0    # a client behind that long is disconnected
    # Limits a client cannot dodge by rotating its participant id (docs/protocol.md, "Limits"): an
    # address or a site's join code stands for this many people in the rate limits
    address_share: int = 100
    site_share: int = 200
    max_connections_per_address: int = 400   # live connections open at once from one client address
    connections_per_address_per_10s: int = 300  # live connections opened from one address in 10 s
    trusted_proxies: str = "127.0.0.1,::1"  # addresses/CIDRs whose X-Forwarded-For is believed (the load balancer)
    metrics_address: str = ""            # host:port serving /metrics without a token (a private interface); "": none
    hello_timeout_s: float = 10.0
    ping_interval_s: float = 20.0
    upload_max_bytes: int = 5_242_880    # photos pushed by site coordinators
    # Media (WebRTC). ICE servers as JSON: [{"urls": "turn:…", "username": …, "credential": …}]
    media_ice_servers: str = "[]"        # none by default: nothing points at a public server
    media_host_addresses: str = ""       # host candidates to offer (comma list); empty: every interface
    media_remote_networks: str = ""      # accept remote candidates only in these CIDRs; empty: any
    turn_urls: str = ""                  # coturn for closed networks (comma list of turn:/turns: URLs); "": none
    turn_secret: str = ""                # coturn's static-auth-secret: the hub mints time-limited credentials
    turn_ttl_s: int = 43_200             # how long a minted TURN credential lasts (a day's session, not for ever)
    # HLS of the program and of each site (embedded engine), packaged on demand for caches to serve
    # encoded once each, from 1080p/720p/480p/360p/audio; "source": a site's H.264 remuxed as it came
    hls_renditions: str = "source,720p,360p,audio"
    hls_segment_s: float = 1.0           # a segment's length: the delay behind WebRTC is about 3 of them
    hls_window: int = 6                  # segments in a playlist (older ones are deleted)
    hls_idle_s: float = 60.0             # nobody asked for this long: stop encoding that source
    hls_webrtc_limit: int = 0            # remote viewers on WebRTC past which new ones get HLS; 0: no limit
    media_max_bitrate: int = 1_500_000   # what a site's camera may send, bits per second
    media_keyframe_interval_ms: int = 500  # at most one keyframe request per source per interval
    media_engine: str = "embedded"       # or "mediamtx": sites publish to, viewers watch from, the engine
    media_workers: int = 0               # embedded: processes serving remote viewers (0: the hub's own)
    media_engine_url: str = ""           # the engine's public base URL, e.g. https://media.example.org
    media_engine_api: str = "http://127.0.0.1:9997"  # MediaMTX's control API, as the hub reaches it
    media_engine_poll_ms: int = 1000     # how often the hub asks MediaMTX which sites are live
    media_engine_recordings: str = "/recordings"  # where MediaMTX writes recordings (its own disk)
    asr_model: str = ""                  # speech recognition for captions: a sherpa-onnx model folder ("": none)
    radio_url: str = ""                  # Icecast source: http://source:PASSWORD@host:8000/{event}.ogg; "": none
    synthesis_sources: str = ""          # national hubs: "event=public-key,…" (`multiplex synthesis-key`)
    # The event's accounts on the social networks (docs/social.md): live posts are published there
    # for the events whose file says `social: [mastodon, bluesky]`. Never logged, never shown.
    mastodon_url: str = ""               # the account's server, e.g. https://social.numerique.gouv.fr
    mastodon_token: str = field(default="", repr=False)  # an access token with the write:statuses scope
    bluesky_url: str = "https://bsky.social"  # the account's PDS
    bluesky_handle: str = ""             # e.g. esenesr.bsky.social
    bluesky_password: str = field(default="", repr=False)  # an app password, not the account's own
    social_timeout_s: float = 20.0       # longest wait for one answer from a network
    social_poll_s: float = 15.0          # how often each network is read for the hashtag's posts (0: never)
    log_level: str = "info"

    @property
    def synthesis_keys(self) -> dict[str, str]:
        pairs = (p.split("=", 1) for p in self.synthesis_sources.split(",") if "=" in p)
        return {event.strip(): key.strip() for event, key in pairs}

    @property
    def effective_public_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    def uploads_dir(self, event: str) -> Path:
        """Where the photos uploaded to an event are stored, under their content hash."""
        return self.data_dir / "uploads" / event

    @property
    def effective_log_url(self) -> str:
        return self.log_url or f"sqlite:{self.data_dir / 'multiplex.db'}"


# Every HUB_* name and how to read it come from the dataclass itself: a field is
# written once (the type of its default says int, float, path or text).
NAMES = [f.name for f in fields(Settings)]
_KIND = {f.name: type(f.default) if f.default is not MISSING else str for f in fields(Settings)}


def as_env(settings: Settings) -> dict[str, str]:
    """These settings as HUB_* variables: what a process the hub starts reads back (from_env)."""
    return {f"HUB_{name.upper()}": str(getattr(settings, name)) for name in NAMES}


def _parse(name: str, raw: str) -> object:
    kind = _KIND[name]
    if kind is int:
        return int(raw)
    if kind is float:
        return float(raw)
    if issubclass(kind, Path):
        return Path(raw)
    return raw


def read_env_file(path: Path) -> dict[str, str]:
    """HUB_* settings from a file of KEY=value lines (# comments, blank lines and
    optional quotes allowed), as config/hub.env.example shows."""
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.removeprefix("export ").partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name.startswith("HUB_"):
            raise SettingsError(f"{path}:{number}: expected HUB_NAME=value")
        if name.removeprefix("HUB_").lower() not in NAMES:
            raise SettingsError(f"{path}:{number}: unknown setting {name}")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name] = value
    return values


def from_env(env: Mapping[str, str] | None = None, *, env_file: Path | None = None,
             **overrides: object) -> Settings:
    """Settings from the environment; with `env_file` (hub.env, when it exists), its
    values first and the environment's over them."""
    env = os.environ if env is None else env
    if env_file is not None and env_file.is_file():
        env = {**read_env_file(env_file), **env}
    values: dict[str, object] = {}
    for name in NAMES:
        raw = env.get(f"HUB_{name.upper()}")
        if raw is None or raw == "":
            continue
        try:
            values[name] = _parse(name, raw)
        except ValueError:
            raise SettingsError(f"HUB_{name.upper()}={raw!r} is not a number") from None
    values.update(overrides)
    # Stable across restarts (a restarted hub replaces its own presence report),
    # distinct between replicas (each container has its own host name).
    values.setdefault("node_id", f"{socket.gethostname()}-{values.get('port', 8000)}")
    settings = Settings(**values)  # type: ignore[arg-type]
    if settings.turn_urls and len(settings.turn_secret) < 16:
        raise SettingsError("HUB_TURN_URLS needs HUB_TURN_SECRET (coturn's static-auth-secret, 16+ characters)")
    if settings.secret and len(settings.secret) < 16:
        raise SettingsError("HUB_SECRET must be at least 16 characters")
    return settings


def with_secret(settings: Settings) -> Settings:
    """Use HUB_SECRET, or a secret generated once and kept in the data directory,
    so links printed by `make run` stay valid across restarts."""
    if settings.secret:
        return settings
    path = settings.data_dir / "secret"
    if path.exists():
        secret = path.read_text().strip()
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_urlsafe(32)
        path.write_text(secret + "\n")
        path.chmod(0o600)
    from dataclasses import replace
    return replace(settings, secret=secret)
