"""docker-compose.yml and the files it names agree (Docker itself cannot run here)."""
from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from hub.settings import NAMES

from .topology import TEMPLATE, Nginx, render_template

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
HUBS = ["hub-1", "hub-2"]
SETTINGS = {f"HUB_{n.upper()}" for n in NAMES}


def test_the_services_of_the_deployment():
    assert set(SERVICES) == {"redis", *HUBS, "lb", "mediamtx", "icecast", "turn"}
    assert SERVICES["icecast"]["profiles"] == ["radio"]  # the webradio: only when asked for
    assert SERVICES["turn"]["profiles"] == ["turn"]      # TURN for closed networks: only when asked for


def test_the_turn_service_is_debians_coturn_with_the_configuration_the_tests_run():
    turn = SERVICES["turn"]
    folder = ROOT / turn["build"]
    dockerfile = (folder / "Dockerfile").read_text()
    assert "apt-get install" in dockerfile and "coturn" in dockerfile and "turnserver.conf" in dockerfile
    conf = (folder / "turnserver.conf").read_text()
    assert "use-auth-secret" in conf and "tls-listening-port=443" in conf
    assert any("static-auth-secret" in part for part in turn["command"])
    ports = {p.split(":", 1)[1] for p in turn["ports"]}
    assert {"3478/udp", "3478/tcp", "443/tcp"} <= ports
    for hub in HUBS:  # the hubs mint credentials with the same secret
        assert SERVICES[hub]["environment"]["HUB_TURN_SECRET"] == "${TURN_SECRET:-}"


def test_the_icecast_service_is_built_from_debians_package_with_the_template_the_tests_check():
    icecast = SERVICES["icecast"]
    folder = ROOT / icecast["build"]
    dockerfile = (folder / "Dockerfile").read_text()
    assert "apt-get install" in dockerfile and "icecast2" in dockerfile
    template = (folder / "icecast.xml.template").read_text()
    for name in ("ICECAST_SOURCE_PASSWORD", "ICECAST_RELAY_PASSWORD", "ICECAST_ADMIN_PASSWORD"):
        assert f"${{{name}}}" in template and name in icecast["environment"]
    assert set(COMPOSE["volumes"]) == {"redis-data", "hub-data", "recordings"}


def test_redis_keeps_every_acknowledged_write():
    command = " ".join(SERVICES["redis"]["command"])
    assert "--appendonly yes" in command and "--appendfsync always" in command
    assert any(v.endswith(":/data") for v in SERVICES["redis"]["volumes"])


@pytest.mark.parametrize("name", HUBS)
def test_each_hub_runs_the_console_script_with_known_settings(name):
    hub = SERVICES[name]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert hub["command"] == ["multiplex", "serve"] and scripts["multiplex"] == "hub.cli:main"
    assert hub["build"] == "." and (ROOT / "Dockerfile").exists()
    assert (ROOT / hub["env_file"]).exists()
    env = hub["environment"]
    assert set(env) <= SETTINGS, f"unknown settings: {set(env) - SETTINGS}"
    assert env["HUB_LOG_URL"].startswith("redis://redis:6379")
    assert env["HUB_NODE_ID"] == name and env["HUB_MEDIA_ENGINE"] == "mediamtx"
    assert "hub-data:/data" in hub["volumes"] and env["HUB_DATA_DIR"] == "/data"
    for volume in hub["volumes"]:
        source = volume.split(":")[0]
        if source.startswith("./"):
            assert (ROOT / source).exists(), source
    assert f"127.0.0.1:{env['HUB_PORT']}/healthz" in " ".join(hub["healthcheck"]["test"])
    assert "redis" in hub["depends_on"]


def test_env_example_names_only_real_settings():
    names = set(re.findall(r"^(HUB_[A-Z0-9_]+)=", (ROOT / "config" / "hub.env.example").read_text(), re.M))
    assert names == SETTINGS


def test_the_load_balancer_points_at_the_hubs_with_the_repository_template():
    lb = SERVICES["lb"]
    mount = next(v for v in lb["volumes"] if "templates" in v)
    assert (ROOT / mount.split(":")[0]).resolve() == TEMPLATE
    needed = set(re.findall(r"\$\{([A-Z0-9_]+)\}", TEMPLATE.read_text()))
    assert needed == set(lb["environment"])
    for i, name in enumerate(HUBS, 1):
        host, port = lb["environment"][f"HUB_{i}_ADDRESS"].split(":")
        assert host == name and port == SERVICES[name]["environment"]["HUB_PORT"]
    assert lb["ports"] == [f"8080:{lb['environment']['LISTEN_PORT']}"]


def test_the_rendered_template_is_valid_nginx(tmp_path):
    nginx = Nginx(tmp_path, [8001, 8002])
    check = subprocess.run([nginx.binary, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    assert "${" not in render_template(TEMPLATE.read_text(), {"HUB_1_ADDRESS": "a:1", "HUB_2_ADDRESS": "b:2",
                                                              "LISTEN_PORT": "80", "HLS_CACHE_DIR": "/c"})


def test_mediamtx_asks_the_hubs_through_the_load_balancer_who_may_publish():
    config = yaml.safe_load((ROOT / "config" / "mediamtx.yml").read_text())
    mount = SERVICES["mediamtx"]["volumes"][0]
    assert (ROOT / mount.split(":")[0]).resolve() == (ROOT / "config" / "mediamtx.yml")
    host_port, path = re.match(r"http://([^/]+)(/.*)", config["authHTTPAddress"]).groups()
    host, port = host_port.split(":")
    assert host == "lb" and port == SERVICES["lb"]["environment"]["LISTEN_PORT"]
    from hub.http.media import routes
    assert path in {r.path for r in routes}
    published = {p.split(":")[1].split("/")[0] for p in SERVICES["mediamtx"]["ports"]}
    assert config["webrtcAddress"].lstrip(":") in published and config["webrtcLocalUDPAddress"].lstrip(":") in published


def test_the_image_serves_on_the_port_the_services_use():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["multiplex", "serve"]' in dockerfile and "HUB_PORT=8000" in dockerfile
    for part in ("hub", "web", "config"):
        assert f"COPY {part} ./{part}" in dockerfile


def test_hubs_reach_mediamtx_control_api_and_agree_on_where_it_records():
    config = yaml.safe_load((ROOT / "config" / "mediamtx.yml").read_text())
    assert config["api"] is True
    recordings = {v.split(":")[1] for v in SERVICES["mediamtx"]["volumes"] if not v.startswith("./")}
    for name in HUBS:
        env = SERVICES[name]["environment"]
        host, port = re.match(r"http://([^:/]+):(\d+)$", env["HUB_MEDIA_ENGINE_API"]).groups()
        assert host == "mediamtx" and port == config["apiAddress"].lstrip(":")
        assert env["HUB_MEDIA_ENGINE_RECORDINGS"] in recordings
