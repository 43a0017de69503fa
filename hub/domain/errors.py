"""Errors with a stable dotted code; the message is for humans, the code for programs."""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A command was refused. `code` is stable (clients translate it); `data` says more."""

    def __init__(self, code: str, message: str, **data: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data:
            out["data"] = self.data
        return out

    def __repr__(self) -> str:
        return f"DomainError({self.code!r}, {self.message!r})"


def require(condition: bool, code: str, message: str, **data: Any) -> None:
    if not condition:
        raise DomainError(code, message, **data)
