"""Reads config/events/*.yaml into validated EventConfigs, naming file and field on error."""
from __future__ import annotations

from pathlib import Path

import yaml

from .domain.event import ConfigError, EventConfig, parse_event


class EventFileError(ValueError):
    def __init__(self, path: Path, field: str, problem: str) -> None:
        super().__init__(f"{path}: {field}: {problem}")
        self.path, self.field, self.problem = path, field, problem


def load_event_file(path: Path) -> EventConfig:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        raise EventFileError(path, where, f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    except OSError as exc:
        raise EventFileError(path, "(file)", f"cannot be read: {exc.strerror}") from None
    try:
        event = parse_event(data)
    except ConfigError as exc:
        raise EventFileError(path, exc.field, exc.problem) from None
    if event.id != path.stem:
        raise EventFileError(path, "id", f"must match the file name ({path.stem!r})")
    return event


def load_events(directory: Path) -> dict[str, EventConfig]:
    files = sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))
    if not files:
        raise EventFileError(directory, "(directory)", "holds no event file (*.yaml)")
    return {e.id: e for e in (load_event_file(f) for f in files)}
