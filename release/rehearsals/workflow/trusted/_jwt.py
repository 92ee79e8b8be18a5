"""JSON Web Tokens as the rehearsal's identity provider signs them: HS256 with a key that lives
only as long as the run (stdlib hmac; nothing outside this run ever verifies them).

Verification returns the claims or why the token is not good, as PyPI's index sees it: the
signature, the algorithm, the issuer, the audience, and `nbf`/`exp` (with PyPI's leeway).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping

ALGORITHM = "HS256"
LEEWAY = 30.0  # seconds of clock skew an index tolerates on nbf/exp of an identity token
Claims = dict[str, object]


def encode(claims: Mapping[str, object], key: bytes) -> str:
    header = _b64(json.dumps({"alg": ALGORITHM, "typ": "JWT"}).encode())
    payload = _b64(json.dumps(dict(claims), sort_keys=True).encode())
    signing = f"{header}.{payload}"
    return f"{signing}.{_b64(_sign(signing, key))}"


def verify(
    token: str, key: bytes, *, audience: str, issuer: str, now: float, leeway: float = LEEWAY
) -> Claims | str:
    """The token's claims when it is good for `audience` at `now`, else why it is not."""
    parts = token.split(".")
    if len(parts) != 3:
        return "malformed: not three dot-separated parts"
    header, payload, signature = (_json(parts[0]), _json(parts[1]), _unb64(parts[2]))
    if header is None or payload is None or signature is None:
        return "malformed: undecodable header, payload or signature"
    if header.get("alg") != ALGORITHM:
        return f"unsupported algorithm {header.get('alg')!r}"
    if not hmac.compare_digest(signature, _sign(f"{parts[0]}.{parts[1]}", key)):
        return "signature does not match"
    return _check(payload, audience=audience, issuer=issuer, now=now, leeway=leeway)


def _check(
    claims: Claims, *, audience: str, issuer: str, now: float, leeway: float
) -> Claims | str:
    if claims.get("iss") != issuer:
        return f"issuer {claims.get('iss')!r} is not {issuer!r}"
    audiences = claims.get("aud")
    if audience != audiences and not (isinstance(audiences, list) and audience in audiences):
        return f"audience {audiences!r} is not {audience!r}"
    not_before, expires = claims.get("nbf"), claims.get("exp")
    if not isinstance(not_before, int | float) or not isinstance(expires, int | float):
        return "nbf or exp missing"
    if now > expires + leeway:
        return f"expired {now - expires:.0f} s ago"
    if now < not_before - leeway:
        return "not yet valid"
    return claims


def _sign(signing: str, key: bytes) -> bytes:
    return hmac.new(key, signing.encode("ascii"), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def _json(text: str) -> Claims | None:
    raw = _unb64(text)
    try:
        data = json.loads(raw) if raw is not None else None
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
