"""What ships: the wheel holds the pages and the events, and a hub installed from it
in a fresh virtual environment, started outside the checkout, serves a page."""
from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from .support import free_port, wait_port

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # No build isolation: setuptools comes with the test extras, nothing is downloaded.
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                    str(ROOT)], check=True, cwd=out)
    (found,) = out.glob("multiplex-*.whl")
    return found


def test_the_wheel_holds_every_page_file_and_every_shipped_event(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    data = "multiplex-0.1.0.data/data/share/multiplex/"
    pages = {f"{data}web/{p.relative_to(ROOT / 'web')}" for p in (ROOT / "web").rglob("*") if p.is_file()}
    events = {f"{data}events/{p.name}" for p in (ROOT / "config" / "events").glob("*.yaml")}
    assert pages - names == set() and events - names == set()


def test_a_hub_installed_from_the_wheel_serves_pages_outside_the_checkout(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
                   check=True)
    # Dependencies come from the test environment's site-packages (a plain path: its
    # .pth files, among them the editable install of the checkout, are not read).
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    where = subprocess.run([str(python), "-c", "import hub; print(hub.__file__)"], check=True,
                           capture_output=True, text=True, cwd=tmp_path).stdout
    assert where.startswith(str(venv)), f"hub imported from {where}, not from the installed wheel"
    port, workdir = free_port(), tmp_path / "elsewhere"
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(HUB_PORT=str(port), HUB_LOG_LEVEL="warning", HUB_MEDIA_HOST_ADDRESSES="127.0.0.1")
    proc = subprocess.Popen([str(venv / "bin" / "multiplex"), "serve"], cwd=workdir, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_port(port, timeout=30)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while (health := httpx.get(f"{base}/healthz")).status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert health.status_code == 200 and "grand-est-2020" in health.json()["events"]
        page = httpx.get(f"{base}/e/grand-est-2020")
        assert page.status_code == 200 and '<script type="module"' in page.text
        module = httpx.get(f"{base}/static/lib/live.js")
        assert module.status_code == 200 and "javascript" in module.headers["content-type"]
        assert httpx.get(f"{base}/static/i18n/fr.json").json()["common"]["remote"] == "À distance"
        assert (workdir / "data" / "multiplex.db").is_file(), "the data directory is where the hub was started"
    finally:
        proc.terminate()
        proc.wait(15)
