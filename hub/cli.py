"""`multiplex serve | links EVENT | check-config`."""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from .domain.event import EventConfig
from .event_files import EventFileError, load_events
from .security.links import format_links, links_for
from .settings import Settings, SettingsError, from_env, with_secret


def _live_url(public: str, event: str) -> str:
    return public.replace("http", "ws", 1) + f"/live/{event}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="multiplex", description="Live hub for multi-site hybrid events")
    sub = parser.add_subparsers(dest="command", required=True)
    serve_p = sub.add_parser("serve", help="run the hub (embedded SQLite log unless HUB_LOG_URL says otherwise)")
    serve_p.add_argument("--host")
    serve_p.add_argument("--port", type=int)
    links_p = sub.add_parser("links", help="print the links and codes of every role for an event")
    links_p.add_argument("event")
    sub.add_parser("check-config", help="validate every event file")
    purge_p = sub.add_parser("purge", help="erase participants' texts and names from an event's log, keeping "
                                           "its figures (stop the hubs first)")
    purge_p.add_argument("event")
    purge_p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    asr_p = sub.add_parser("asr", help="speech recognition for an event's live captions, in this process "
                                       "(HUB_ASR_MODEL: a sherpa-onnx streaming model folder)")
    asr_p.add_argument("event")
    worker_p = sub.add_parser("media-worker", help="serve remote viewers' pictures for a hub (started by the hub "
                                                   "itself with HUB_MEDIA_WORKERS; not run by hand)")
    worker_p.add_argument("--port", type=int, required=True)
    worker_p.add_argument("--hub", required=True, help="the hub's own base URL, on loopback")
    sub.add_parser("synthesis-key", help="print the public key this hub signs syntheses with "
                                         "(for a national hub's HUB_SYNTHESIS_SOURCES)")
    parser.add_argument("--env-file", default="hub.env",
                        help="HUB_* settings to read first, when the file exists (default: hub.env); "
                             "the environment's values win")
    args = parser.parse_args(argv)

    try:
        settings = from_env(env_file=Path(args.env_file))
        if getattr(args, "host", None):
            settings = replace(settings, host=args.host)
        if getattr(args, "port", None):
            settings = replace(settings, port=args.port)
        events = load_events(settings.events_dir)
    except (SettingsError, EventFileError) as exc:
        print(f"multiplex: {exc}", file=sys.stderr)
        return 2

    if args.command == "check-config":
        for event in events.values():
            print(f"ok  {event.id}: {len(event.sites)} sites, {len(event.programme)} sessions")
        return 0
    settings = with_secret(settings)
    if args.command == "purge":
        return _purge(settings, events, args.event, args.yes)
    if args.command == "synthesis-key":
        from .security.signing import public_key
        print(public_key(settings.secret))
        return 0
    if args.command == "asr":
        return _asr(settings, events, args.event)
    if args.command == "media-worker":
        return _media_worker(settings, events, args.port, args.hub)
    public = settings.effective_public_url
    if args.command == "links":
        chosen = events.get(args.event)
        if chosen is None:
            print(f"multiplex: no event {args.event!r} (have: {', '.join(events)})", file=sys.stderr)
            return 2
        print(format_links(chosen, links_for(settings, chosen), _live_url(public, chosen.id)))
        return 0

    demo = events.get(settings.demo_event) or next(iter(events.values()))
    print(format_links(demo, links_for(settings, demo), _live_url(public, demo.id)))
    others = [e for e in events if e != demo.id]
    if others:
        print(f"   other events: {', '.join(others)}  (multiplex links EVENT)")
    print(f"   log: {settings.effective_log_url}\n", flush=True)
    from .app import serve
    try:
        serve(settings)
    except SettingsError as exc:
        print(f"multiplex: {exc}", file=sys.stderr)
        return 2
    return 0


def _asr(settings: Settings, events: dict[str, EventConfig], event: str) -> int:
    import asyncio
    import logging

    from .asr.engine import AsrUnavailable, open_engine
    from .asr.worker import CaptionWorker
    if event not in events:
        print(f"multiplex: no event {event!r} (have: {', '.join(events)})", file=sys.stderr)
        return 2
    try:
        engine = open_engine(settings.asr_model)
    except AsrUnavailable as exc:
        print(f"multiplex asr: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level.upper())
    worker = CaptionWorker(f"http://127.0.0.1:{settings.port}", event, settings.secret, engine)
    try:
        asyncio.run(worker.run())
    except KeyboardInterrupt:
        pass
    return 0


def _purge(settings: Settings, events: dict[str, EventConfig], event: str, yes: bool) -> int:
    import asyncio

    from .jobs.purge import purge
    from .log import open_log
    config = events.get(event)
    if config is None:
        print(f"multiplex: no event {event!r} (have: {', '.join(events)})", file=sys.stderr)
        return 2
    if not yes:
        answer = input(f"Erase participants' texts and names from {event} (figures are kept)? Stop the hubs first. "
                       "Type the event id to go on: ")
        if answer.strip() != event:
            print("multiplex: nothing erased")
            return 1

    async def run() -> int:
        log_ = open_log(settings.effective_log_url)
        await log_.open()
        try:
            return await purge(log_, config, settings.secret)
        finally:
            await log_.close()
    print(f"{event}: {asyncio.run(run())} log entries rewritten; texts and names erased, figures kept")
    return 0


def _media_worker(settings: Settings, events: dict[str, EventConfig], port: int, hub: str) -> int:
    """A media worker (hub/media/worker.py), on loopback, for the hub that started it."""
    import os
    import time

    import uvicorn

    from .domain.actors import Role
    from .media.ice import restrict_host_addresses
    from .media.worker import worker_app
    from .security import access

    key = os.environ.get("MX_WORKER_KEY", "")
    if not key:
        print("multiplex: media-worker is started by the hub (HUB_MEDIA_WORKERS), not by hand", file=sys.stderr)
        return 2
    restrict_host_addresses(settings)

    def token_for(event: str) -> str:  # a control-room link: the hub serves a relay pull only to one
        return access.sign(settings.secret, event, Role.MODERATOR, None, int(time.time()) + 7 * 86400)

    app = worker_app(events, settings, hub, key, token_for)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level=settings.log_level, lifespan="on")
    return 0


if __name__ == "__main__":
    sys.exit(main())

