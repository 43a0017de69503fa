"""Sound only: a participant joined with a site's code starts with the sound only (the
room has the picture; the venue's Wi-Fi is spared) and receives no video byte; it can
switch to picture and sound, or to nothing. A remote viewer starts with both."""
from __future__ import annotations

from .browser import SHOTS, chromium, open_page, serious_accessibility_violations, wait_js, wait_online
from .test_media import nancy_on_air_and_a_phone

EVENT = "grand-est-2020"
RECEIVED = """async () => {
  const pc = window.__mxPlayer && window.__mxPlayer.pc;
  if (!pc) return null;
  const out = { video: 0, audio: 0, frames: 0, transceivers: pc.getTransceivers().map((t) => t.receiver.track.kind) };
  for (const s of (await pc.getStats()).values()) {
    if (s.type === 'inbound-rtp') {
      out[s.kind] += s.bytesReceived || 0;
      if (s.kind === 'video') out.frames += s.framesDecoded || 0;
    }
  }
  return out;
}"""


async def test_on_site_phones_start_with_the_sound_only_and_can_switch(web_hub):
    hub = web_hub
    base = f"http://127.0.0.1:{hub.settings.port}/e/{EVENT}"
    async with chromium() as browser, hub.moderator(event=EVENT) as mod:
        _, phone = await nancy_on_air_and_a_phone(browser, hub, mod, base)
        assert await phone.locator("#watch-mode").input_value() == "audio"
        await phone.locator("#player .slate[data-slate=audio]", has_text="Son seul : Nancy — Rectorat").wait_for()
        # sound flows; not one video byte, and no video transceiver at all
        await wait_js(phone, f"({RECEIVED})().then(r => r && r.audio > 20000)", timeout=20)
        received = await phone.evaluate(RECEIVED)
        assert received["video"] == 0 and received["transceivers"] == ["audio"], received
        assert await serious_accessibility_violations(phone) == []
        SHOTS.mkdir(parents=True, exist_ok=True)
        await phone.screenshot(path=str(SHOTS / "viewer-sound-only-390x844-fr.png"))

        await phone.select_option("#watch-mode", "video")
        await wait_js(phone, f"({RECEIVED})().then(r => r && r.frames > 10)", timeout=20)
        await phone.locator("#player .slate").wait_for(state="hidden")  # once the first frame is on screen
        await phone.select_option("#watch-mode", "off")
        await wait_js(phone, "window.__mxPlayer.pc === null")
        await phone.locator("#player .slate[data-slate=off]", has_text="Vidéo et son coupés").wait_for()
        await phone.reload()  # the choice is remembered
        await wait_online(phone)
        assert await phone.locator("#watch-mode").input_value() == "off"

        # a remote viewer starts with picture and sound, and may choose the sound only
        remote = await open_page(browser, f"{base}")
        await remote.get_by_label("À distance").check()
        await remote.get_by_role("button", name="Rejoindre").click()
        await wait_online(remote)
        assert await remote.locator("#watch-mode").input_value() == "video"
        await wait_js(remote, f"({RECEIVED})().then(r => r && r.frames > 5)", timeout=20)
        await remote.select_option("#watch-mode", "audio")
        await wait_js(remote, f"({RECEIVED})().then(r => r && r.audio > 5000 && r.video === 0)", timeout=20)
