"""HMAC signatures of webhooks: X's Account Activity scheme and Sada's own. Pure."""

from __future__ import annotations

import base64
import hashlib
import hmac

# X's CRC tokens are a few dozen characters. A cap keeps the challenge endpoint
# from signing arbitrary input for whoever asks (it is unauthenticated).
MAX_CRC_TOKEN_LENGTH = 256


def _hmac(secret: str, data: bytes) -> bytes:
    return hmac.new(secret.encode("utf-8"), data, hashlib.sha256).digest()


def x_signature(secret: str, body: bytes) -> str:
    """`sha256=<base64 HMAC-SHA256>`: X's CRC response token and POST signature."""
    return "sha256=" + base64.b64encode(_hmac(secret, body)).decode("ascii")


def crc_response_token(secret: str, crc_token: str) -> str:
    return x_signature(secret, crc_token.encode("utf-8"))


def valid_crc_token(crc_token: str | None) -> bool:
    return (
        bool(crc_token)
        and len(crc_token) <= MAX_CRC_TOKEN_LENGTH
        and crc_token.isascii()
        and crc_token.isprintable()
    )


def x_signature_valid(secret: str, body: bytes, header: str | None) -> bool:
    """`x-twitter-webhooks-signature` checked in constant time; no secret, no pass."""
    if not secret or not header:
        return False
    return hmac.compare_digest(x_signature(secret, body).encode(), header.strip().encode())


def sada_signature(secret: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256>`: what a channel sends in `X-Sada-Signature`."""
    return "sha256=" + _hmac(secret, body).hex()


def sada_signature_valid(secret: str, body: bytes, header: str | None) -> bool:
    if not secret or not header:
        return False
    expected = sada_signature(secret, body).encode()
    return hmac.compare_digest(expected, header.strip().lower().encode())
