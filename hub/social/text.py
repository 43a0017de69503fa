"""A network's post as plain text: Mastodon sends HTML, shown here as text only."""
from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

MAX_HTML = 20_000  # a status is 500 characters; its HTML a few times that at most
_BREAKS = {"br", "p", "div", "li"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BREAKS and self.parts:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """The words of an HTML fragment (tags dropped, entities read), at most a few lines."""
    parser = _Text()
    parser.feed(html[:MAX_HTML])
    parser.close()
    lines = ("".join(parser.parts)).split("\n")
    return "\n".join(" ".join(line.split()) for line in lines if line.strip())


def epoch_ms(value: object) -> int:
    """A network's time (a datetime, or ISO 8601 text) in ms since the epoch; 0 if unreadable."""
    try:
        when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        return max(int(when.timestamp() * 1000), 0)
    except (ValueError, TypeError, OverflowError):
        return 0
