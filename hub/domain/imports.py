"""On a national event, the syntheses imported from regions: the newest per regional
event (versioned by the log position it was made at), an older one refused (a
replay), none counted twice; the key a region first signed with is pinned.
Signatures are checked before this (hub/security/signing.py)."""
from __future__ import annotations

from typing import Any

import msgspec

from . import commands as c
from .context import Commit, Ctx, Effects
from .errors import require

FORMAT = "multiplex.synthesis"
VERSION = 1


class ImportedSynthesis(msgspec.Struct):
    key: str                 # the region's public key (pinned at the first import)
    seq: int                 # the regional log position the document was made at
    imported_at: int
    doc: dict[str, Any]      # the document as signed


class ImportsState(msgspec.Struct):
    sources: dict[str, ImportedSynthesis] = msgspec.field(default_factory=dict)  # regional event id -> newest


def import_synthesis(state: ImportsState, ctx: Ctx, cmd: c.ImportSynthesis, fx: Effects) -> Commit:
    doc = cmd.doc
    require(doc.get("format") == FORMAT and doc.get("version") == VERSION, "import.format",
            "not a synthesis this hub reads (format or version)")
    source = str(doc["event"]["id"])
    require(source != ctx.config.id, "import.self", "an event does not import its own synthesis")
    seq = int(doc["seq"])
    known = state.sources.get(source)
    if known is not None:
        require(cmd.key == known.key, "import.key", f"{source} signed with another key before", source=source)
        require(seq != known.seq, "import.unchanged", "this version is already imported", source=source, seq=seq)
        require(seq > known.seq, "import.replayed", f"a newer version of {source} is already imported",
                source=source, seq=seq, newest=known.seq)

    def commit() -> None:
        state.sources[source] = ImportedSynthesis(key=cmd.key, seq=seq, imported_at=ctx.at, doc=doc)
        fx.now.append(("imports", ""))
        fx.result.update(source=source, seq=seq, replaced=known is not None)
    return commit


def regions(state: ImportsState) -> list[dict[str, Any]]:
    """Per region: what its synthesis says, for the national report and screens."""
    out = []
    for source, imported in sorted(state.sources.items()):
        doc, f = imported.doc, imported.doc["figures"]
        out.append({"source": source, "region": doc["event"]["region"], "title": doc["event"]["title"],
                    "seq": imported.seq, "present_on_sites": f["attendance"]["present_on_sites"],
                    "remote": f["attendance"]["remote"], "questions_asked": f["questions"]["asked"],
                    "questions_answered": f["questions"]["answered"], "ballots": f["ballots"],
                    "reactions": f["reactions"], "proposals": len(doc["proposals"]),
                    "proposal_votes": sum(p["votes"] for p in doc["proposals"])})
    return out


def national_ranking(state: ImportsState, top: int = 20) -> list[dict[str, Any]]:
    """Every region's proposals together, most supported first, with their provenance."""
    everything = [{**p, "region": imported.doc["event"]["region"], "source": source}
                  for source, imported in state.sources.items() for p in imported.doc["proposals"]]
    return sorted(everything, key=lambda p: (-p["votes"], p["source"], p["id"]))[:top]


def render(state: ImportsState) -> dict[str, Any]:
    return {"regions": regions(state), "ranking": national_ranking(state, 10)}

