"""DTLS with broadcast encoders: accept peers whose certificate is RSA.

aiortc offers only ECDHE-ECDSA suites, which is right for its own certificate (ECDSA
P-256) when it is the DTLS server. When it is the client (the hub answers a WHIP or
WHEP offer with `setup:active`), the suite must match the *peer's* certificate, and
GStreamer's webrtcbin (and other encoders built on OpenSSL defaults) present an RSA
one: the handshake then fails with "no shared cipher". Offering the same suites with
RSA authentication as well lets such peers in; a peer with an ECDSA certificate (every
browser) still gets the ECDSA suites, which come first. Forward secrecy and AEAD are
kept: ECDHE only, GCM and ChaCha20 before the CBC suites aiortc also lists.

This wraps aiortc's private `RTCCertificate._create_ssl_context` (docs/media.md,
"The private aiortc API, and the pin", item 6).
"""
from __future__ import annotations

from typing import Any

from aiortc.rtcdtlstransport import RTCCertificate

CIPHERS = b":".join([
    b"ECDHE-ECDSA-AES128-GCM-SHA256", b"ECDHE-RSA-AES128-GCM-SHA256",
    b"ECDHE-ECDSA-CHACHA20-POLY1305", b"ECDHE-RSA-CHACHA20-POLY1305",
    b"ECDHE-ECDSA-AES128-SHA", b"ECDHE-RSA-AES128-SHA",
    b"ECDHE-ECDSA-AES256-SHA", b"ECDHE-RSA-AES256-SHA",
])


def accept_rsa_certificates() -> None:
    """Process-wide, once: every DTLS context aiortc makes offers RSA-authenticated suites too."""
    original = RTCCertificate._create_ssl_context
    if getattr(original, "accepts_rsa", False):
        return

    def create_ssl_context(self: RTCCertificate, srtp_profiles: Any) -> Any:
        ctx = original(self, srtp_profiles)
        ctx.set_cipher_list(CIPHERS)
        return ctx

    create_ssl_context.accepts_rsa = True  # type: ignore[attr-defined]
    RTCCertificate._create_ssl_context = create_ssl_context  # type: ignore[method-assign]
