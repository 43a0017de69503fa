"""A broadcast encoder's side of WHIP and WHEP: Debian's GStreamer (webrtcbin), through
its GObject bindings. Run by tests/media/test_gstreamer.py with the system Python
(/usr/bin/python3, where python3-gst-1.0 lives), not the project's virtualenv.

    gst_peer.py publish URL TOKEN RRGGBB   # a solid-colour camera, VP8, over WHIP
    gst_peer.py watch URL                  # over WHEP: prints the colour it decodes

It prints one JSON object per line: {"location": ...} once the hub answered,
{"state": ...} on each ICE/peer connection change, {"colour": "red"} (watch) for
decoded pictures. A line "stop" on stdin DELETEs the resource, prints {"deleted":
status} and exits.
"""
from __future__ import annotations

import json
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("GstSdp", "1.0")
gi.require_version("Nice", "0.1")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC, Nice  # noqa: E402

VP8_CAPS = "application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000"
H264_CAPS = "application/x-rtp,media=video,encoding-name=H264,payload=102,clock-rate=90000"


def say(**fields) -> None:  # type: ignore[no-untyped-def]
    print(json.dumps(fields), flush=True)


def colour_name(r: int, g: int, b: int) -> str:
    if r > 180 and g < 90 and b < 90:
        return "red"
    if b > 180 and r < 90 and g < 90:
        return "blue"
    if g > 180 and r < 90 and b < 90:
        return "green"
    return "other"


class Peer:
    def __init__(self, mode: str, url: str, token: str | None, rgb: str | None) -> None:
        self.mode, self.url, self.token = mode, url, token
        self.location: str | None = None
        self.loop = GLib.MainLoop()
        if mode in ("publish", "publish-h264"):
            colour = int("ff" + (rgb or "ff0000"), 16)  # ARGB
            # VP8 as a browser sends it, or H.264 as OBS does (constrained baseline, no B-frames,
            # parameter sets with every keyframe, packetization mode 1)
            encode = ("vp8enc deadline=1 keyframe-max-dist=15 ! rtpvp8pay pt=96 picture-id-mode=15-bit "
                      f"! {VP8_CAPS}" if mode == "publish" else
                      "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 bframes=0 "
                      "! video/x-h264,profile=constrained-baseline ! rtph264pay pt=102 config-interval=-1 "
                      f"aggregate-mode=zero-latency ! {H264_CAPS}")
            self.pipe = Gst.parse_launch(
                "webrtcbin name=w bundle-policy=max-bundle "
                f"videotestsrc is-live=true pattern=solid-color foreground-color={colour} "
                f"! video/x-raw,width=320,height=240,framerate=15/1 ! videoconvert ! {encode} ! w.")
            self.webrtc = self.pipe.get_by_name("w")
        else:
            self.pipe = Gst.Pipeline.new("watch")
            self.webrtc = Gst.ElementFactory.make("webrtcbin", "w")
            self.webrtc.set_property("bundle-policy", GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE)
            self.pipe.add(self.webrtc)
            self.webrtc.emit("add-transceiver", GstWebRTC.WebRTCRTPTransceiverDirection.RECVONLY,
                             Gst.Caps.from_string(VP8_CAPS))
            self.webrtc.connect("pad-added", self.on_pad)
        # Loopback only, as the tests' hub (libnice leaves loopback out when the machine has
        # another interface; an address added here is the only one it gathers on).
        address = Nice.Address.new()
        address.set_from_string("127.0.0.1")
        # (kept: PyGObject would otherwise drop a reference webrtcbin still owns)
        self.ice = self.webrtc.get_property("ice-agent")
        self.nice = self.ice.get_property("agent")
        self.nice.add_local_address(address)
        self.webrtc.connect("on-negotiation-needed", self.on_negotiation_needed)
        self.webrtc.connect("notify::ice-gathering-state", self.on_gathering)
        self.webrtc.connect("notify::ice-connection-state",
                            lambda el, _: say(state=f"ice:{el.get_property('ice-connection-state').value_nick}"))
        self.webrtc.connect("notify::connection-state",
                            lambda el, _: say(state=f"peer:{el.get_property('connection-state').value_nick}"))
        bus = self.pipe.get_bus()
        bus.add_signal_watch()
        bus.connect("message::error", self.on_error)

    # -- offer, gather every candidate, then one POST (WHIP/WHEP without trickle) -----------
    def on_negotiation_needed(self, element) -> None:  # type: ignore[no-untyped-def]
        self.tries = 0
        self.create_offer()

    def create_offer(self) -> bool:
        promise = Gst.Promise.new_with_change_func(self.on_offer, self.webrtc, None)
        self.webrtc.emit("create-offer", None, promise)
        return False  # (as a GLib timeout: once)

    def on_offer(self, promise, element, _) -> None:  # type: ignore[no-untyped-def]
        reply = promise.get_reply()
        offer = reply.get_value("offer") if reply is not None and reply.has_field("offer") else None
        if offer is None:
            # Asked before the encoder's caps reached webrtcbin (a loaded machine): ask again.
            self.tries += 1
            if self.tries < 50:
                GLib.timeout_add(200, self.create_offer)
                return
            say(error="no offer", reply=reply.to_string() if reply is not None else None)
            return
        element.emit("set-local-description", offer, Gst.Promise.new())

    def on_gathering(self, element, _) -> None:  # type: ignore[no-untyped-def]
        if element.get_property("ice-gathering-state") != GstWebRTC.WebRTCICEGatheringState.COMPLETE:
            return
        if self.location is not None:
            return
        sdp = element.get_property("local-description").sdp.as_text()
        threading.Thread(target=self.post, args=(sdp,), daemon=True).start()

    def post(self, sdp: str) -> None:
        headers = {"Content-Type": "application/sdp"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=sdp.encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                answer, status = response.read().decode(), response.status
                self.location = urllib.parse.urljoin(self.url, response.headers["Location"])
        except urllib.error.HTTPError as exc:
            say(error=f"HTTP {exc.code}", body=exc.read().decode(errors="replace"))
            return
        say(location=self.location, status=status)
        GLib.idle_add(self.answer, answer)

    def answer(self, text: str) -> bool:
        _, message = GstSdp.SDPMessage.new_from_text(text)
        description = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, message)
        self.webrtc.emit("set-remote-description", description, Gst.Promise.new())
        return False

    # -- watching: decode what arrives, say its colour --------------------------------------
    def on_pad(self, element, pad) -> None:  # type: ignore[no-untyped-def]
        if pad.direction != Gst.PadDirection.SRC:
            return
        branch = Gst.parse_bin_from_description(
            "rtpvp8depay ! vp8dec ! videoconvert ! video/x-raw,format=RGB "
            "! appsink name=sink emit-signals=true max-buffers=2 drop=true sync=false", True)
        self.pipe.add(branch)
        branch.sync_state_with_parent()
        pad.link(branch.get_static_pad("sink"))
        branch.get_by_name("sink").connect("new-sample", self.on_sample)
        self.samples = 0

    def on_sample(self, sink) -> Gst.FlowReturn:  # type: ignore[no-untyped-def]
        sample = sink.emit("pull-sample")
        self.samples += 1
        if self.samples % 5 == 1:  # a few a second are enough
            caps = sample.get_caps().get_structure(0)
            width, height = caps.get_value("width"), caps.get_value("height")
            buffer = sample.get_buffer()
            ok, info = buffer.map(Gst.MapFlags.READ)
            if ok:
                stride = (width * 3 + 3) // 4 * 4
                at = (height // 2) * stride + (width // 2) * 3
                r, g, b = info.data[at], info.data[at + 1], info.data[at + 2]
                buffer.unmap(info)
                say(colour=colour_name(r, g, b))
        return Gst.FlowReturn.OK

    def on_error(self, _bus, message) -> None:  # type: ignore[no-untyped-def]
        error, debug = message.parse_error()
        say(error=str(error), debug=debug)

    # -- the end: DELETE on the Location ---------------------------------------------------
    def stop(self) -> None:
        status = None
        if self.location:
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
            request = urllib.request.Request(self.location, headers=headers, method="DELETE")
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    status = response.status
            except urllib.error.HTTPError as exc:
                status = exc.code
        say(deleted=status)
        GLib.idle_add(self.loop.quit)

    def run(self) -> None:
        self.pipe.set_state(Gst.State.PLAYING)
        threading.Thread(target=self.wait_for_stop, daemon=True).start()
        self.loop.run()
        self.pipe.set_state(Gst.State.NULL)

    def wait_for_stop(self) -> None:
        for line in sys.stdin:
            if line.strip() == "stop":
                break
        self.stop()


def main() -> None:
    Gst.init(None)
    mode, url = sys.argv[1], sys.argv[2]
    token = sys.argv[3] if mode.startswith("publish") else None
    rgb = sys.argv[4] if mode.startswith("publish") else None
    Peer(mode, url, token, rgb).run()


if __name__ == "__main__":
    main()
