"""The invited list as a CSV file: name, site, category — checked line by line.

Spreadsheets export with commas or semicolons (French Excel uses `;`), with or
without a byte-order mark, with headers in French or English. Every problem is
reported with its line and column and a stable code; the caller decides whether
a file with errors imports nothing (the default) or its good lines only.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from . import commands as c
from .event import EventConfig
from .text import clean

HEADERS = {"name": ("nom", "name", "nom complet", "prénom nom"), "site": ("site", "lieu", "place"),
           "category": ("categorie", "catégorie", "category", "qualité")}
MAX_BYTES = 2_000_000


@dataclass(frozen=True)
class LineError:
    line: int            # 1-based, as a spreadsheet numbers rows
    column: str | None   # the column's header, when one column is at fault
    code: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "column": self.column, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class Parsed:
    invitees: list[c.Invitee]
    errors: list[LineError]


def _site_id(config: EventConfig, value: str) -> str | None:
    wanted = value.strip().casefold()
    for site in config.sites:
        if wanted in (site.id, site.name.casefold(), site.city.casefold()):
            return site.id
    return None


def _category_id(config: EventConfig, value: str) -> str | None:
    wanted = value.strip().casefold()
    for cat in config.categories:
        if wanted in (cat.id, cat.fr.casefold(), cat.en.casefold()):
            return cat.id
    return None


def parse(data: bytes, config: EventConfig) -> Parsed:
    if len(data) > MAX_BYTES:
        return Parsed([], [LineError(0, None, "csv.too_large", f"the file is over {MAX_BYTES // 1_000_000} MB")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return Parsed([], [LineError(line, None, "csv.encoding", "the file is not UTF-8: export it as CSV UTF-8")])
    if "\x00" in text:
        return Parsed([], [LineError(1, None, "csv.encoding", "the file is not text")])
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        return Parsed([], [LineError(1, None, "csv.empty", "the file has no lines")])
    header = [clean(h).strip().casefold() for h in rows[0]]
    columns: dict[str, int] = {}
    for field, names in HEADERS.items():
        for i, h in enumerate(header):
            if h in names:
                columns[field] = i
    errors = [LineError(1, field, "csv.header", f"no column `{field}` (headers: nom;site;categorie)")
              for field in ("name", "site") if field not in columns]
    if errors:
        return Parsed([], errors)
    limit = config.settings.limits.name_length * 2
    invitees: list[c.Invitee] = []
    per_site: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        if len(row) > len(header):
            errors.append(LineError(number, None, "csv.columns", f"{len(row)} cells for {len(header)} columns"))
            continue

        def cell(field: str, row: list[str] = row) -> str:
            i = columns.get(field)
            return clean(row[i]).strip() if i is not None and i < len(row) else ""
        name, site_text, category_text = cell("name"), cell("site"), cell("category")
        line_errors = []
        if not name:
            line_errors.append(LineError(number, "name", "csv.name_missing", "the name is empty"))
        elif len(name) > limit:
            line_errors.append(LineError(number, "name", "csv.too_long", f"names are limited to {limit} characters"))
        site = _site_id(config, site_text)
        if site is None:
            line_errors.append(LineError(number, "site", "csv.site_unknown",
                                         f"no site {site_text!r} (use one of {', '.join(s.id for s in config.sites)})"))
        category = _category_id(config, category_text) if category_text else None
        if category_text and category is None:
            line_errors.append(LineError(number, "category", "csv.category_unknown", f"no category {category_text!r}"))
        if site is not None and not line_errors:
            capacity = config.site(site).capacity  # type: ignore[union-attr]
            if capacity is not None and per_site.get(site, 0) >= capacity:
                line_errors.append(LineError(number, "site", "csv.over_capacity",
                                             f"{site} is full: {capacity} seats"))
        if line_errors:
            errors.extend(line_errors)
            continue
        assert site is not None
        per_site[site] = per_site.get(site, 0) + 1
        invitees.append(c.Invitee(name=name, site=site, category=category))
    return Parsed(invitees, errors)
