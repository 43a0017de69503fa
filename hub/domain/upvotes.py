"""One upvote per participant, withdrawable: shared by questions and proposals."""
from __future__ import annotations

from .errors import require


def check_toggle(voters: set[str], pid: str, adding: bool, *, code: str, what: str) -> None:
    if adding:
        require(pid not in voters, f"{code}.already_upvoted", f"you already upvoted this {what}")
    else:
        require(pid in voters, f"{code}.not_upvoted", f"you have not upvoted this {what}")


def toggle(voters: set[str], pid: str, adding: bool) -> int:
    (voters.add if adding else voters.discard)(pid)
    return len(voters)
