"""Erasing what participants wrote and who they were, keeping every figure.

`redact` turns one log entry into its purged form: questions, open answers,
word-cloud words and proposals lose their text (`ERASED`), names are dropped
(askers', quoted authors', and the invited list's and walk-ins' at the door),
and participant ids become stable pseudonyms (the same person keeps the same
pseudonym, so "distinct people" and "one ballot each" still count right). The
purged entry applies exactly as the original did, so the fold — and every
figure of the report — is unchanged. Applying it twice changes nothing more.
"""
from __future__ import annotations

import hashlib
import hmac

import msgspec

from . import commands as c
from .actors import Actor, Role
from .state import Entry
from .text import clean, normalise_word

ERASED = "[effacé]"
PSEUDONYM = "anon-"
STAFF = frozenset({Role.COORDINATOR, Role.MODERATOR, Role.SCREEN, Role.CAPTIONER, Role.SYSTEM})


def pseudonym(pid: str, salt: bytes) -> str:
    if pid.startswith(PSEUDONYM):
        return pid
    return PSEUDONYM + hmac.new(salt, pid.encode(), hashlib.sha256).hexdigest()[:20]


def _erased_word(word: str) -> str:
    """A word's stand-in: the same for every spelling the cloud counts as one word (its
    normal form), so counts and the control room's review still apply after the purge."""
    return f"{ERASED}{hashlib.sha256(normalise_word(clean(word)).encode()).hexdigest()[:6]}"


def _command(cmd: c.AnyCommand, salt: bytes) -> c.AnyCommand:
    if isinstance(cmd, c.AskQuestion):
        return msgspec.structs.replace(cmd, text=ERASED, name=None)
    if isinstance(cmd, c.SubmitProposal):
        return msgspec.structs.replace(cmd, title=ERASED, body="")
    if isinstance(cmd, c.Vote) and cmd.text is not None:
        return msgspec.structs.replace(cmd, text=ERASED)
    if isinstance(cmd, c.Vote) and cmd.words is not None:
        # Distinct words stay distinct (the cloud's counts hold), none stays readable.
        return msgspec.structs.replace(cmd, words=[_erased_word(w) for w in cmd.words])
    if isinstance(cmd, c.ReviewAnswer) and cmd.word is not None:
        return msgspec.structs.replace(cmd, word=_erased_word(cmd.word))
    if isinstance(cmd, c.Contribute) and cmd.author is not None:
        return msgspec.structs.replace(cmd, author=None)
    if isinstance(cmd, c.ImportInvitees):  # who was invited and checked in still counts; not their name
        return msgspec.structs.replace(cmd, invitees=[msgspec.structs.replace(i, name=ERASED) for i in cmd.invitees])
    if isinstance(cmd, c.SocialReceived):  # the networks' posts: counted still, by network and hour
        return msgspec.structs.replace(cmd, posts=[msgspec.structs.replace(
            p, text=ERASED, author="", handle="", url="") for p in cmd.posts])
    if isinstance(cmd, c.BlockSocialAccount):
        return msgspec.structs.replace(cmd, handle=ERASED)
    if isinstance(cmd, c.WalkIn):
        return msgspec.structs.replace(cmd, name=ERASED)
    if isinstance(cmd, c.Attended):
        return msgspec.structs.replace(cmd, arrivals=[msgspec.structs.replace(a, person=pseudonym(a.person, salt))
                                                      for a in cmd.arrivals])
    if isinstance(cmd, c.Watched):
        return msgspec.structs.replace(cmd, watchers=[pseudonym(w, salt) for w in cmd.watchers])
    return cmd


def redact(entry: Entry, salt: bytes) -> Entry:
    actor = entry.actor
    if actor.role not in STAFF:
        actor = Actor(role=actor.role, pid=pseudonym(actor.pid, salt), site=actor.site, category=actor.category)
    return msgspec.structs.replace(entry, actor=actor, cmd=_command(entry.cmd, salt))
