"""The layout is the architecture: which package of hub/ may import which
(docs/architecture.md). Read from the source with the ast module, so a new import
that crosses a line fails here, whether at the top of a file or inside a function."""
from __future__ import annotations

import ast
from pathlib import Path

HUB = Path(__file__).resolve().parents[1] / "hub"

# package (or root module) -> what it may import of hub/ besides itself
ALLOWED = {
    "domain": set(),                                   # pure: imports nothing of the hub
    "log": set(),                                      # the Log protocol and its backends
    "reporting": set(),                                # the report's files, from plain figures
    "security": {"domain", "settings"},                # role links, join codes, signatures, limits
    "read": {"domain", "log"},                         # fold the log into the state
    "write": {"domain", "log", "read", "security"},    # check, limit, append
    "jobs": {"domain", "log", "write"},                # arrivals in batches, the purge
    "social": {"domain", "write"},                     # live posts to the networks, through the log
    "media": {"domain", "settings"},                   # cameras; decides nothing about Q&A or polls
    "live": {"domain", "port", "security", "settings"},  # the live channel: through the port only
    "http": {"domain", "port", "security", "settings", "media", "ops", "reporting"},  # routes: the port too
    "ops": {"port"},                                   # metrics, read through the port
    "asr": {"client", "domain", "security"},           # a worker of its own: a client of the hub
    "port": {"domain", "live", "media", "ops", "security", "settings"},  # the typed front door
    "client": {"domain"},
    "event_files": {"domain"},
    "settings": set(),
}
WIRING = {"runtime", "app", "cli"}  # only these put the parts together


def imports_of(rel: Path, source: str) -> set[str]:
    """The hub packages a file at hub/<rel> imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("hub.")}
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if node.module and node.module.startswith("hub."):
                    found.add(node.module.split(".")[1])
                continue
            base = list(rel.parts[:-1])[: len(rel.parts) - node.level]
            parts = base + [p for p in (node.module or "").split(".") if p]
            found |= {parts[0]} if parts else {a.name for a in node.names}
    return found


def test_every_package_imports_only_what_its_layer_allows():
    crossings = []
    for path in sorted(HUB.rglob("*.py")):
        rel = path.relative_to(HUB)
        owner = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        if owner in WIRING or owner == "__init__":
            continue
        assert owner in ALLOWED, f"hub/{rel}: a package with no layer yet — add it to ALLOWED and docs/architecture.md"
        for target in sorted(imports_of(rel, path.read_text(encoding="utf-8")) - {owner} - ALLOWED[owner]):
            crossings.append(f"hub/{rel} imports hub.{target}")
    assert crossings == []


def test_the_root_of_hub_holds_only_the_wiring_and_a_few_shared_modules():
    roots = {p.stem for p in HUB.glob("*.py")} - {"__init__"}
    assert roots == {"app", "cli", "client", "event_files", "port", "runtime", "settings"}


def test_the_rule_catches_a_crossing():
    """The check itself works: a transport reaching into the write side is found."""
    assert imports_of(Path("live/session.py"), "from ..write.service import EventService\n") == {"write"}
    assert imports_of(Path("http/api.py"), "def f():\n    from .. import runtime\n") == {"runtime"}
    assert imports_of(Path("port.py"), "from .read.replica import EventReplica\n") == {"read"}
