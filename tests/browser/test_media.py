"""Live video in Chromium: two sites publish distinct pictures from their pages,
viewers watch the program, the control room switches the site on air."""
from __future__ import annotations

import av

from hub.domain.actors import Role

from .browser import (
    SHOTS,
    chromium,
    open_page,
    serious_accessibility_violations,
    set_lang,
    show_pane,
    take_on_air,
    wait_js,
    wait_online,
)

EVENT = "grand-est-2020"


def canvas_camera(rgb: str) -> str:
    """Replace the camera with a 640x480 canvas of one colour and the microphone with a tone,
    so a viewer can tell which site it sees by sampling pixels."""
    return """
(() => {{
  const paint = (canvas) => {{
    const ctx = canvas.getContext('2d');
    let n = 0;
    setInterval(() => {{
      ctx.fillStyle = '{}'; ctx.fillRect(0, 0, 640, 480);
      ctx.fillStyle = '#ffffff'; ctx.fillRect((n += 8) % 600, 440, 40, 40);  // something moves
    }}, 66);
  }};
  navigator.mediaDevices.enumerateDevices = async () => [
    {{ kind: 'videoinput', deviceId: 'canvas', label: 'Canvas {}', groupId: 'g' }},
    {{ kind: 'audioinput', deviceId: 'tone', label: 'Tone', groupId: 'g' }}];
  navigator.mediaDevices.getUserMedia = async () => {{
    const canvas = document.createElement('canvas');
    canvas.width = 640; canvas.height = 480;
    paint(canvas);
    // 15 fps: six browser pages share two cores with the hub in this test
    const stream = canvas.captureStream(15);
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    const out = audio.createMediaStreamDestination();
    tone.connect(out); tone.start();
    stream.addTrack(out.stream.getAudioTracks()[0]);
    return stream;
  }};
}})();
""".format(rgb, rgb)


STATS = """async () => {
  const pc = window.__mxPlayer && window.__mxPlayer.pc;
  if (!pc) return null;
  for (const s of (await pc.getStats()).values()) {
    if (s.type === 'inbound-rtp' && s.kind === 'video') {
      return {decoded: s.framesDecoded || 0, width: s.frameWidth || 0, keyframes: s.keyFramesDecoded || 0,
              freezes: s.freezeCount || 0};
    }
  }
  return null;
}"""

COLOUR = """(selector = '.program-video') => {
  const v = document.querySelector(selector);
  if (!v || !v.videoWidth) return null;
  const c = document.createElement('canvas');
  c.width = v.videoWidth; c.height = v.videoHeight;
  const ctx = c.getContext('2d');
  ctx.drawImage(v, 0, 0);
  const [r, g, b] = ctx.getImageData(c.width / 2, c.height / 3, 1, 1).data;
  return r > 150 && g < 90 && b < 90 ? 'red' : b > 150 && r < 90 && g < 90 ? 'blue'
    : g > 150 && r < 90 && b < 90 ? 'green' : `other(${r},${g},${b})`;
}"""


async def go_live(page) -> None:
    """A coordinator's page publishes its camera, until the hub receives it (what the
    control room's on-air switch goes by)."""
    await page.get_by_role("button", name="Passer en direct").click()
    await page.locator(".media-state[data-state=live]").wait_for(timeout=15000)  # what the hub says it receives


async def colour(page) -> str | None:
    return await page.evaluate(COLOUR)


async def test_sites_publish_viewers_watch_the_program_and_the_switch_changes_the_picture(web_hub):
    hub = web_hub
    base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
    async with chromium() as browser:
        nancy = await open_page(browser, f"{base}/site/nancy#token={hub.token(Role.COORDINATOR, 'nancy')}",
                                init_script=canvas_camera("#ff0000"))
        reims = await open_page(browser, f"{base}/site/reims#token={hub.token(Role.COORDINATOR, 'reims')}",
                                init_script=canvas_camera("#0000ff"))
        mod = await open_page(browser, f"{base}/moderate#token={hub.token(Role.MODERATOR)}")
        for page in (nancy, reims, mod):
            await wait_online(page)
        for page in (nancy, reims):
            await go_live(page)
        await take_on_air(mod, "Nancy")
        # The régie's switch shows each site's own picture (thumbnails), with its state in words.
        for site, colour, state in (("nancy", "red", "À l'antenne"), ("reims", "blue", "Caméra diffusée")):
            await mod.locator(f".site-tile[data-site={site}] .tile-state", has_text=state).wait_for()
            await wait_js(mod, f"({COLOUR})('.site-tile[data-site={site}] video') === '{colour}'", timeout=20)
        metz = mod.locator(".site-tile[data-site=metz][data-signal=false] .tile-state")
        assert await metz.inner_text() == "pas de signal"
        thumbs = await mod.evaluate("""async () => {
          const out = {};
          for (const tile of document.querySelectorAll('.site-tile')) {
            const v = tile.querySelector('video');
            out[tile.dataset.site] = v.srcObject ? v.srcObject.getAudioTracks().length : null;
          }
          return out;
        }""")
        assert thumbs["nancy"] == 0 and thumbs["reims"] == 0 and thumbs["metz"] is None, thumbs  # video only

        viewers = [await open_page(browser, f"{base}/join/{site}?code={hub.code(site)}") for site in ("metz", "troyes")]
        for viewer in viewers:
            await wait_online(viewer)
            await viewer.select_option("#watch-mode", "video")  # on a site the sound only, by default
            await wait_js(viewer, "(() => { const v = document.querySelector('.program-video'); "
                                  "return !!v && v.videoWidth > 0; })()", timeout=20)
        for viewer in viewers:
            await wait_js(viewer, f"({COLOUR})() === 'red'", timeout=10)
            first = await viewer.evaluate(STATS)
            # frames keep being decoded, at the camera's size (a loaded machine may make
            # Chromium count a freeze now and then: the picture must keep moving)
            await wait_js(viewer, f"({STATS})().then(s => s.decoded > {first['decoded'] + 15})", timeout=15)
            second = await viewer.evaluate(STATS)
            assert second["width"] == 640 and second["keyframes"] >= 1

        # The control room puts Reims on air: the same connections now show blue and keep moving.
        await take_on_air(mod, "Reims")
        for viewer in viewers:
            await wait_js(viewer, f"({COLOUR})() === 'blue'", timeout=10)
            after = await viewer.evaluate(STATS)
            await wait_js(viewer, f"({STATS})().then(s => s.decoded > {after['decoded'] + 15})", timeout=15)
            assert (await viewer.evaluate(STATS))["width"] == 640
        # The control room records the program as the captation of a session.
        await show_pane(mod, "Séance")
        await mod.select_option("#record-session", "3")
        await mod.get_by_role("button", name="Enregistrer", exact=True).click()
        await mod.locator(".recording", has_text="Enregistrement :").wait_for()
        for _ in range(300):  # until the file holds a good second of the program
            recorder = hub.runtime.events[EVENT].media.recorder
            if recorder is not None and recorder.frames >= 30:
                break
            await mod.wait_for_timeout(50)
        await mod.get_by_role("button", name="Arrêter l'enregistrement").click()
        await mod.locator(".record .muted", has_text="Pas d'enregistrement").wait_for()
        folder = hub.settings.data_dir / "recordings" / EVENT
        for _ in range(50):
            files = sorted(folder.glob("04-*.webm")) if folder.exists() else []
            if files and hub.runtime.events[EVENT].media.recorder is None:
                break
            await mod.wait_for_timeout(100)
        with av.open(str(files[0])) as recording:
            frames = list(recording.decode(video=0))
        assert len(frames) >= 15 and frames[0].width == 640

        # The coordinators see each other in their mosaic.
        await nancy.locator("#mosaic figure[data-site=reims] video").wait_for()
        await wait_js(nancy, "document.querySelector('#mosaic video').videoWidth > 0", timeout=15)
        # The big screen at Metz shows the sites' cameras when the régie chooses that scene.
        screen = await open_page(browser, f"{base}/screen/metz#token={hub.token(Role.SCREEN, 'metz')}")
        await wait_online(screen)
        await show_pane(mod, "Écrans")
        await mod.get_by_role("group", name="Scène des grands écrans").get_by_role("button", name="Les sites").click()
        for site in ("nancy", "reims"):
            await screen.locator(f"#mosaic figure[data-site={site}] video").wait_for()
        await wait_js(screen, "[...document.querySelectorAll('#mosaic video')].every(v => v.videoWidth > 0)",
                      timeout=15)
        assert await serious_accessibility_violations(screen) == []
        assert await serious_accessibility_violations(nancy) == []
        assert await serious_accessibility_violations(viewers[0]) == []
        # Stopping a site's stream takes it out of the lists.
        await reims.get_by_role("button", name="Arrêter la diffusion").click()
        await reims.locator(".media-state[data-state=stopped]").wait_for()
        await nancy.locator("#mosaic figure[data-site=reims]").wait_for(state="detached", timeout=10_000)


async def test_connected_publishing_and_on_air_are_three_words_in_both_languages(web_hub):
    """The connection, the camera and the antenna each have their own word; the camera
    says what the hub receives, and its labels follow the language."""
    hub = web_hub
    base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
    async with chromium() as browser:
        nancy = await open_page(browser, f"{base}/site/nancy#token={hub.token(Role.COORDINATOR, 'nancy')}",
                                init_script=canvas_camera("#ff0000"))
        mod = await open_page(browser, f"{base}/moderate#token={hub.token(Role.MODERATOR)}")
        for page in (nancy, mod):
            await wait_online(page)
        assert await nancy.locator("#connection").inner_text() == "Connecté"
        await nancy.get_by_role("button", name="Passer en direct").click()
        await nancy.locator(".media-state[data-state=live]", has_text="Le hub reçoit notre caméra.").wait_for(
            timeout=15000)
        await take_on_air(mod, "Nancy")
        await nancy.locator("#stage .on-air.live").first.wait_for()
        states = ("#connection", ".media-state", "#stage .on-air")
        words = {await nancy.locator(sel).first.inner_text() for sel in states}
        assert len(words) == 3
        await set_lang(nancy, "en")
        await nancy.locator(".media-state", has_text="The hub receives our camera.").wait_for()
        assert await nancy.locator("#connection").inner_text() == "Connected"
        await nancy.locator("label[for=pub-camera]", has_text="Camera").wait_for()
        await nancy.get_by_role("button", name="Stop streaming").wait_for()
        assert await serious_accessibility_violations(nancy) == []


async def covered(page) -> bool:
    """What is painted in the middle of the player is the slate, not the video."""
    return await page.evaluate("""(() => {
      const r = document.querySelector('#player .player-screen').getBoundingClientRect();
      const el = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return !!el && !!el.closest('.slate');
    })()""")


async def test_the_program_shows_a_slate_off_air_and_while_waiting_for_a_site(web_hub):
    """Off air, or a site on air that stopped sending: a slate, not a frozen picture."""
    hub = web_hub
    base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
    async with chromium() as browser:
        nancy = await open_page(browser, f"{base}/site/nancy#token={hub.token(Role.COORDINATOR, 'nancy')}",
                                init_script=canvas_camera("#ff0000"))
        mod = await open_page(browser, f"{base}/moderate#token={hub.token(Role.MODERATOR)}")
        viewer = await open_page(browser, f"{base}/join/metz?code={hub.code('metz')}")
        for page in (nancy, mod, viewer):
            await wait_online(page)
        await viewer.select_option("#watch-mode", "video")  # on a site the sound only, by default
        slate = viewer.locator("#player .slate")
        await slate.filter(has_text="Hors antenne").wait_for()
        assert await covered(viewer)
        await go_live(nancy)
        await take_on_air(mod, "Nancy")
        await wait_js(viewer, f"({COLOUR})() === 'red'", timeout=20)
        await slate.wait_for(state="hidden")  # the first frame is on screen: the slate goes
        await nancy.get_by_role("button", name="Arrêter la diffusion").click()  # the camera stops
        await slate.filter(has_text="En attente de Nancy — Rectorat").wait_for(timeout=15000)
        assert await covered(viewer)
        await viewer.locator("#player .on-air.live", has_text="À l'antenne : Nancy").wait_for()  # badge and slate agree
        await mod.get_by_role("button", name="Couper l'antenne").click()
        await slate.filter(has_text="Hors antenne").wait_for()
        assert await serious_accessibility_violations(viewer) == []


async def nancy_on_air_and_a_phone(browser, hub, mod, base: str):
    """Nancy's coordinator publishes a red camera, the régie puts Nancy on air, and a
    participant joins Reims on a phone: the starting point of the phone's tests."""
    from .browser import PHONE
    camera = await open_page(browser, f"{base}/site/nancy#token={hub.token(Role.COORDINATOR, 'nancy')}",
                             init_script=canvas_camera("#ff0000"))
    await wait_online(camera)
    await go_live(camera)
    await mod.command({"type": "stage.on_air", "site": "nancy"})
    phone = await open_page(browser, f"{base}/join/reims?code={hub.code('reims')}", viewport=PHONE)
    await wait_online(phone)
    return camera, phone


PREFER_H264 = """
(() => {
  // the page left to itself offers VP8 first; a browser told to prefer H.264 sends that instead
  const createOffer = RTCPeerConnection.prototype.createOffer;
  RTCPeerConnection.prototype.createOffer = function (...args) {
    const h264 = RTCRtpReceiver.getCapabilities('video').codecs
      .filter(c => c.mimeType === 'video/H264' && /packetization-mode=1/.test(c.sdpFmtpLine || ''));
    for (const t of this.getTransceivers()) {
      if (t.sender && t.sender.track && t.sender.track.kind === 'video') t.setCodecPreferences(h264);
    }
    return createOffer.apply(this, args);
  };
})();
"""


async def test_a_browser_publishing_h264_is_watched_in_chromium_as_it_sent_it(web_hub):
    hub = web_hub
    media = hub.runtime.events[EVENT].media
    codecs: list[str] = []

    class Spy:
        def offer(self, frame, _source):
            codecs.append(frame.codec)

    media.sources["video"]["nancy"].subscribers.add(Spy())
    base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
    async with chromium() as browser:
        nancy = await open_page(browser, f"{base}/site/nancy#token={hub.token(Role.COORDINATOR, 'nancy')}",
                                init_script=canvas_camera("#ff0000") + PREFER_H264)
        mod = await open_page(browser, f"{base}/moderate#token={hub.token(Role.MODERATOR)}")
        for page in (nancy, mod):
            await wait_online(page)
        await go_live(nancy)
        assert codecs and set(codecs) == {"H264"}, set(codecs)
        await take_on_air(mod, "Nancy")
        viewer = await open_page(browser, f"{base}/join/metz?code={hub.code('metz')}")
        await wait_online(viewer)
        await viewer.select_option("#watch-mode", "video")
        await wait_js(viewer, f"({COLOUR})() === 'red'", timeout=30)
        codec = await viewer.evaluate("""async () => {
          const stats = await window.__mxPlayer.pc.getStats();
          for (const s of stats.values()) {
            if (s.type === 'inbound-rtp' && s.kind === 'video') return stats.get(s.codecId).mimeType;
          }
        }""")
        assert codec == "video/H264"
        # and the régie's thumbnail of that site, keyframes only, shows it too
        await wait_js(mod, f"({COLOUR})('.site-tile[data-site=nancy] video') === 'red'", timeout=30)


async def test_the_coordinator_sees_its_tally_and_only_what_the_hub_says_it_receives(web_hub, proxy):
    """The coordinator's preview carries a red tally while the site is on air, and the
    camera's state is what the hub says: when the hub cannot be reached (the camera's
    WebRTC still up, the browser still « connected »), the page says it does not know."""
    hub = web_hub
    base = f"http://127.0.0.1:{proxy.port}/e/{EVENT}"
    async with chromium() as browser, hub.moderator(event=EVENT) as mod:
        nancy = await open_page(browser, f"{base}/site/nancy#token={hub.token(Role.COORDINATOR, 'nancy')}",
                                init_script=canvas_camera("#ff0000"))
        await wait_online(nancy)
        state, tally = nancy.locator(".media-state"), nancy.locator(".preview-tally")
        await go_live(nancy)
        assert await state.inner_text() == "Le hub reçoit notre caméra."
        assert await tally.is_hidden()
        await mod.command({"type": "stage.on_air", "site": "nancy"})
        await tally.filter(has_text="À L'ANTENNE").wait_for()
        assert await nancy.locator(".preview-screen[data-tally=program]").count() == 1
        assert await serious_accessibility_violations(nancy) == []
        await nancy.locator(".publish").screenshot(path=str(SHOTS / "site-camera-on-air-fr.png"))

        proxy.cut()  # the hub out of reach; the camera's own connection does not know yet
        unknown = "Hub injoignable : rien ne dit qu'il reçoit notre caméra."
        await nancy.locator(".media-state[data-state=unknown]", has_text=unknown).wait_for(timeout=30_000)
        assert await nancy.evaluate("window.__mxPublisher.state") == "live"  # what the browser alone would have said
        proxy.restore()
        await nancy.locator(".media-state[data-state=live]").wait_for(timeout=60_000)

        await set_lang(nancy, "en")
        await state.filter(has_text="The hub receives our camera.").wait_for()
        await tally.filter(has_text="ON AIR").wait_for()
        await mod.command({"type": "stage.on_air", "site": None})
        await tally.wait_for(state="hidden")
        assert await nancy.locator(".preview-screen[data-tally=program]").count() == 0
        await nancy.get_by_role("button", name="Stop streaming").click()
        await state.filter(has_text="Not streaming").wait_for()
