"""What operators see: Prometheus metrics of one hub process (`/metrics`).

Counts that the hub already keeps (the channel's stats, connected clients, media
sessions) are read at scrape time by a collector, so the hot path pays nothing
more; the log's append latency is a histogram observed where the service
appends, and refusals are counted per error code where they are answered. Each
runtime has its own registry (several hubs run in one test process).
"""
from __future__ import annotations

import collections
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from .gcpause import GcPauses

if TYPE_CHECKING:
    from ..port import RuntimePort

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
CHANNEL_COUNTERS = {  # the channel's stats -> what they count
    "deliveries": "update frames written to clients",
    "frames": "update frames rendered (one per audience per flush)",
    "flushes": "flushes of pending changes",
    "entries_flushed": "log entries carried by flushes (entries per flush: the coalescing)",
    "catchups": "clients brought up to date with one frame of what they missed",
    "resyncs": "clients sent a fresh snapshot (too far behind, or ahead of the log)",
    "skipped": "frames not written to a client whose outbox was full",
    "dropped_slow": "clients closed for staying too far behind",
}


class _RuntimeCollector(Collector):
    def __init__(self, runtime: RuntimePort) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        connections = GaugeMetricFamily("multiplex_connections", "live connections open now",
                                        labels=["event", "role"])
        counters = {name: CounterMetricFamily(f"multiplex_{name}", text, labels=["event"])
                    for name, text in CHANNEL_COUNTERS.items()}
        publishing = GaugeMetricFamily("multiplex_media_sessions", "media sessions open now",
                                       labels=["event", "kind"])
        hls = GaugeMetricFamily("multiplex_hls_viewers", "HLS players that reported in the last 45 s, per rendition",
                                labels=["event", "rendition"])
        lag = GaugeMetricFamily("multiplex_replica_lag_entries",
                                "log entries not applied yet by this process (at the last scrape)", labels=["event"])
        for event, ev in self.runtime.events.items():
            roles: collections.Counter[str] = collections.Counter()
            for group in ev.channel.groups.values():
                for client in group:
                    actor = getattr(client, "actor", None)
                    roles[actor.role.value if actor is not None else "unknown"] += 1
            for role, n in sorted(roles.items()):
                connections.add_metric([event, role], n)
            for name, family in counters.items():
                family.add_metric([event], ev.channel.stats[name])
            publishing.add_metric([event, "publish"], len(ev.media.live_sites()))
            publishing.add_metric([event, "watch"], ev.media.watching())
            streams = getattr(ev.media, "hls", None)  # the embedded engine's HLS; MediaMTX serves its own
            for rendition, n in sorted(streams.audience().items() if streams is not None else ()):
                hls.add_metric([event, rendition], n)
            lag.add_metric([event], self.runtime.metrics.lag.get(event, 0))
        yield connections
        yield from counters.values()
        yield publishing
        yield hls
        yield lag


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.append_seconds = Histogram("multiplex_log_append_seconds", "time to append an entry to the log",
                                        ["event"], registry=self.registry,
                                        buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5))
        self.refusals = Counter("multiplex_refusals", "commands and requests refused, per error code",
                                ["code"], registry=self.registry)
        self.flush_seconds = Histogram("multiplex_flush_seconds",
                                       "time one flush took: rendering an update and writing it to every client",
                                       ["event"], registry=self.registry,
                                       buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1))
        self.gc_pause_seconds = Histogram("multiplex_gc_pause_seconds",
                                          "time the cyclic garbage collector stopped this process, per generation",
                                          ["generation"], registry=self.registry,
                                          buckets=(.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5))
        self.gc_pauses = GcPauses(lambda gen, s: self.gc_pause_seconds.labels(generation=str(gen)).observe(s))
        self.up = Gauge("multiplex_up", "1 while this hub process serves", registry=self.registry)
        self.up.set(1)
        self.lag: dict[str, int] = {}

    def watch(self, runtime: RuntimePort) -> None:
        self.registry.register(_RuntimeCollector(runtime))

    def refused(self, code: str) -> None:
        self.refusals.labels(code=code).inc()

    def text(self) -> bytes:
        return generate_latest(self.registry)
