"""Signatures on syntheses: a regional hub signs what it sends up (Ed25519, with a
key derived from HUB_SECRET, so it survives restarts and rotates with the
secret); a national hub checks the signature over the document's canonical
JSON before anything reaches its log."""
from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..domain.errors import DomainError

_canonical = msgspec.json.Encoder(order="sorted")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _private(secret: str) -> Ed25519PrivateKey:
    seed = hmac.new(secret.encode(), b"synthesis-signing-key", hashlib.sha256).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key(secret: str) -> str:
    return _b64(_private(secret).public_key().public_bytes_raw())


def sign(secret: str, doc: dict[str, Any]) -> dict[str, Any]:
    """The signed envelope: the document, the signer's public key, the signature."""
    signature = _private(secret).sign(_canonical.encode(doc))
    return {"synthesis": doc, "key": public_key(secret), "signature": _b64(signature)}


class Envelope(msgspec.Struct, forbid_unknown_fields=True):
    synthesis: dict[str, Any]
    key: str
    signature: str


def verify(body: bytes) -> Envelope:
    """The envelope, once its signature holds; else DomainError import.*."""
    try:
        envelope = msgspec.json.decode(body, type=Envelope)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        raise DomainError("import.format", "not a signed synthesis (JSON with synthesis, key, signature)") from None
    try:
        key = Ed25519PublicKey.from_public_bytes(_unb64(envelope.key))
        key.verify(_unb64(envelope.signature), _canonical.encode(envelope.synthesis))
    except (InvalidSignature, ValueError):
        raise DomainError("import.signature", "the signature does not match: the file was changed or forged") from None
    return envelope


def export_token(secret: str, event: str) -> str:
    """The read-only capability in a synthesis link: lets its holder fetch the
    signed synthesis, nothing else (changing HUB_SECRET revokes it)."""
    return _b64(hmac.new(secret.encode(), f"synthesis-export:{event}".encode(), hashlib.sha256).digest()[:18])
