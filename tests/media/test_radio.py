"""The webradio through a real Icecast (Debian's icecast2 on loopback): two sites
publish different tones over WHIP; a listener reads the mount, decodes it with PyAV
and finds the on-air site's tone by FFT, then the other's after `stage.on_air`; the
title follows the stage; Icecast restarted mid-way, the stream comes back by itself."""
from __future__ import annotations

import asyncio
import io

import av
import httpx
import numpy as np
import pytest
from aiortc import RTCPeerConnection

from hub.domain.actors import Role
from hub.media.radio import SILENCE, opus_samples, source_url

from ..hubserver import HubServer
from ..support import IcecastServer, until
from .peers import BLUE, RED, publish_over_whip

EVENT = "grand-est-2020"
TONES = {"nancy": 440.0, "reims": 1000.0}


def test_opus_packet_lengths_come_from_the_toc_byte():
    assert opus_samples(SILENCE) == 960                # CELT 20 ms, one frame
    assert opus_samples(bytes([0x78, 0])) == 960       # SILK wideband 20 ms
    assert opus_samples(bytes([0x7B, 0x03])) == 2880   # three 20 ms frames (code 3)
    assert opus_samples(b"") == 0


@pytest.mark.parametrize("url, error", [("ftp://h/x.ogg", True), ("http://source:pw@h:8000/", True),
                                        ("http://source:p%40ss@h:8000/{event}.ogg", False)])
def test_the_radio_url_is_checked(url, error):
    if error:
        with pytest.raises(ValueError):
            source_url(url, EVENT)
    else:
        assert source_url(url, EVENT) == (f"http://h:8000/{EVENT}.ogg", ("source", "p@ss"))


async def listen(url: str, seconds: float = 2.0) -> tuple[float, float, str]:
    """Read `seconds` of the mount as a new listener would: the loudest frequency, the
    level, and the title in the stream's comments (what players show as "now playing")."""
    wanted = int(seconds * 48000)
    async with httpx.AsyncClient(timeout=10) as client, client.stream("GET", url) as response:
        assert response.status_code == 200 and response.headers["content-type"] == "audio/ogg"
        data = b""
        async for chunk in response.aiter_bytes():
            data += chunk
            try:
                with av.open(io.BytesIO(data)) as container:
                    title = container.streams.audio[0].metadata.get("title", "")
                    samples = np.concatenate([f.to_ndarray().reshape(-1, f.samples)[0]
                                              for f in container.decode(audio=0)])
            except (av.FFmpegError, ValueError, IndexError):
                continue
            if len(samples) >= wanted + 4800:
                break
    tail = samples[-wanted:].astype(np.float64)
    spectrum = np.abs(np.fft.rfft(tail * np.hanning(len(tail))))
    freqs = np.fft.rfftfreq(len(tail), 1 / 48000)
    return float(freqs[int(np.argmax(spectrum))]), float(np.sqrt(np.mean(tail ** 2))), title


async def publish(http, hub, site: str) -> RTCPeerConnection:
    return await publish_over_whip(http, hub.token(Role.COORDINATOR, site), EVENT, site,
                                   RED if site == "nancy" else BLUE, TONES[site])


async def test_the_radio_plays_the_site_on_air_and_survives_an_icecast_restart(tmp_path):
    icecast = IcecastServer(tmp_path / "icecast")
    icecast.start()
    hub = HubServer(tmp_path / "data", radio_url=icecast.source_url())
    await hub.start()
    mount = f"{EVENT}.ogg"
    radio = hub.runtime.events[EVENT].radio
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{hub.settings.port}", timeout=20) as http, \
                hub.moderator() as mod:
            publishers = [await publish(http, hub, site) for site in TONES]
            await until(lambda: sorted(hub.runtime.events[EVENT].media.live_sites()) == sorted(TONES),
                        what="both sites live")
            await until(lambda: radio.connected, timeout=15, what="the radio connected to Icecast")
            # nobody on air: the mount plays silence, titled so
            hz, level, title = await listen(icecast.listen_url(mount), 1.0)
            assert level < 0.01 and title.endswith("hors antenne"), (level, title)

            await mod.command({"type": "programme.current", "session": 0})
            await mod.command({"type": "stage.on_air", "site": "nancy"})
            await until(lambda: radio.playing.startswith("Nancy"), what="the new title on the air")
            hz, level, title = await listen(icecast.listen_url(mount))
            assert abs(hz - TONES["nancy"]) < 10 and level > 0.05, (hz, level)  # samples in [-1, 1]
            assert title == "Nancy — Rectorat — Ouverture multisite (Recteur de région académique)"

            await mod.command({"type": "stage.on_air", "site": "reims"})
            await until(lambda: radio.playing.startswith("Reims"), what="the new title on the air")
            hz, level, title = await listen(icecast.listen_url(mount))
            assert abs(hz - TONES["reims"]) < 10, hz
            assert title == "Reims — Canopé — Ouverture multisite (Recteur de région académique)"

            # Icecast restarts: the radio comes back by itself, still on Reims
            before = radio.connections
            icecast.restart()
            await until(lambda: radio.connections > before and radio.connected, timeout=30,
                        what="the radio reconnected")
            hz, level, title = await listen(icecast.listen_url(mount))
            assert abs(hz - TONES["reims"]) < 10 and title.startswith("Reims"), (hz, title)
            await asyncio.gather(*(pc.close() for pc in publishers))
    finally:
        await hub.stop()
        icecast.stop()
        icecast.remove_logs()



@pytest.mark.parametrize("env, said", [
    ({"HUB_RADIO_URL": "http://source:pw@127.0.0.1:9/radio.ogg"}, "put {event} in its mount"),
    ({"HUB_RADIO_URL": "http://source:pw@127.0.0.1:9/{event}.ogg", "HUB_MEDIA_ENGINE": "mediamtx",
      "HUB_MEDIA_ENGINE_URL": "http://127.0.0.1:9"}, "needs the embedded media engine"),
    ({"HUB_RADIO_URL": "ftp://127.0.0.1/{event}.ogg"}, "HUB_RADIO_URL is http(s)"),
])
def test_a_radio_that_cannot_work_is_refused_at_start_saying_why(tmp_path, env, said):
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    run = subprocess.run([sys.executable, "-m", "hub.cli", "serve", "--port", "9"], cwd=root, capture_output=True,
                         text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "HUB_DATA_DIR": str(tmp_path),
                                                     "HUB_SECRET": "x" * 40, **env})
    assert run.returncode == 2 and said in run.stderr, (run.returncode, run.stderr[-500:])
