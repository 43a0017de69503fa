"""Peer for the media benchmark: aiortc's documented default, MediaRelay, which
decodes what a site sends and encodes it again for every viewer. Same WHIP/WHEP
routes as Multiplex (no auth), so one load generator drives both."""
from __future__ import annotations

import sys

import uvicorn
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaRelay
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hub.media.ice import filter_remote_candidates, restrict_host_addresses
from hub.settings import from_env

settings = from_env()
restrict_host_addresses(settings)
relay = MediaRelay()
tracks: dict[str, object] = {}
pcs: set[RTCPeerConnection] = set()


async def whip(request: Request) -> Response:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pcs.add(pc)
    site = request.path_params["site"]

    @pc.on("track")
    def on_track(track) -> None:
        if track.kind == "video":
            tracks[site] = track

    offer = filter_remote_candidates((await request.body()).decode(), settings)
    await pc.setRemoteDescription(RTCSessionDescription(offer, "offer"))
    await pc.setLocalDescription(await pc.createAnswer())
    return Response(pc.localDescription.sdp, status_code=201, media_type="application/sdp",
                    headers={"Location": "/gone"})


async def whep(request: Request) -> Response:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pcs.add(pc)
    offer = filter_remote_candidates((await request.body()).decode(), settings)
    await pc.setRemoteDescription(RTCSessionDescription(offer, "offer"))
    pc.addTrack(relay.subscribe(tracks[request.path_params["target"]]))
    await pc.setLocalDescription(await pc.createAnswer())
    return Response(pc.localDescription.sdp, status_code=201, media_type="application/sdp",
                    headers={"Location": "/gone"})


app = Starlette(routes=[Route("/api/events/{event}/media/{site}/whip", whip, methods=["POST"]),
                        Route("/api/events/{event}/media/{target}/whep", whep, methods=["POST"])])

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
