"""An index's front: the devpi stand-in behind PyPI's trusted publishing, on an origin of its own.

Reads go through to devpi unchanged, path for path (the simple API in HTML and PEP 691 JSON,
file downloads); devpi is told the front's origin (X-Outside-Url), so any address it makes points
back here. The front answers `/_/oidc/audience` and `/_/oidc/mint-token` as PyPI does, and takes
an upload (POST to its index's path) only with a token it minted that has not expired, or with
its configured API token: devpi itself takes anonymous uploads, so the front is the only gate.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from release.rehearsals.workflow.trusted import _jwt, _peer
from release.rehearsals.workflow.trusted._http import HOST, Request, Response, json_response
from release.rehearsals.workflow.trusted._identity import ISSUER, Publisher, Refusal, match
from release.rehearsals.workflow.trusted._record import Entry, Record, shown

# What PyPI answers an upload without a usable credential (403, in the status line too).
NO_AUTH = "Invalid or non-existent authentication information."
EXPIRED = "Invalid API Token: token is expired"
REUSED = "invalid token: already used"
PASSWORDS = (
    "Username/Password authentication is no longer supported. Migrate to API Tokens or "
    "Trusted Publishers instead."
)
_HOP = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "transfer-encoding", "upgrade", "host", "content-length", "authorization",
    "accept-encoding", "content-encoding",
})  # fmt: skip
_FILE = re.compile(rb'name="content"; filename="([^"]+)"')


@dataclass(frozen=True)
class Minted:
    expires: float  # seconds since the epoch
    job: str = ""
    claims: Mapping[str, str] = field(default_factory=dict)


def fingerprint(token: str) -> str:
    """How a token is kept: its hash, never itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def upload_credential(
    authorization: str, minted: Mapping[str, Minted], api_token: str | None, now: float
) -> Minted | str:
    """Whose upload this is (the minted token's entry) or PyPI's reason to refuse it."""
    scheme, _, encoded = authorization.partition(" ")
    try:
        user, _, password = base64.b64decode(encoded.strip()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return NO_AUTH
    if scheme.lower() != "basic" or not password:
        return NO_AUTH
    if user != "__token__":
        return PASSWORDS
    found = minted.get(fingerprint(password))
    if found is not None:
        return EXPIRED if now >= found.expires else found
    if api_token and hmac.compare_digest(password.encode(), api_token.encode()):
        return Minted(float("inf"), claims={"credential": "the API token"})
    return NO_AUTH


class Front:
    def __init__(
        self, role: str, upstream: str, publisher: Publisher | None, *, key: bytes,
        lifetime: float, record: Record, http: httpx.Client, api_token: str | None = None,
        proc: Path = _peer.PROC, clock: Callable[[], float] = time.time,
        on_read: Callable[[], None] = lambda: None,
    ) -> None:  # fmt: skip
        self.role = self.audience = role  # PyPI's audience is "pypi", TestPyPI's "testpypi"
        self._upstream, self._publisher, self._api_token = upstream, publisher, api_token
        self._key, self._lifetime, self._record = key, lifetime, record
        self._http, self._proc, self._clock, self._on_read = http, proc, clock, on_read
        self._minted: dict[str, Minted] = {}  # fingerprint -> what it was minted for
        self._used: set[str] = set()  # the identity tokens' jti: each is exchanged once
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        path = urlsplit(request.path).path
        if path == "/_/oidc/audience" and request.method == "GET":
            return json_response(200, {"audience": self.audience})
        if path == "/_/oidc/mint-token" and request.method == "POST":
            return self._mint(request)
        if request.method in ("GET", "HEAD"):
            self._on_read()  # the time an upload spends between its reads (see _clock)
            return self._forward(request)
        if request.method == "POST" and path.rstrip("/") == f"/root/{self.role}":
            return self._upload(request)
        return Response(405, b"Method Not Allowed", reason="Method Not Allowed")

    def _mint(self, request: Request) -> Response:
        job = self._job(request)
        claims = self._verified(request.body)
        if isinstance(claims, Refusal):
            return self._refuse(job, claims, {})
        refusal = match(self._publisher, claims)
        if refusal is not None:
            return self._refuse(job, refusal, claims)
        jti = str(claims["jti"])
        with self._lock:  # each identity token is exchanged once, even by racing requests
            reused = jti in self._used
            self._used.add(jti)
        if reused:
            return self._refuse(job, Refusal("invalid-reuse-token", REUSED), claims)
        token, expires = f"pypi-{secrets.token_urlsafe(48)}", self._clock() + self._lifetime
        self._minted[fingerprint(token)] = Minted(expires, job, shown(claims))
        self._record.add(Entry("mint", self.role, job, "ok", claims=shown(claims)))
        return json_response(200, {"success": True, "token": token, "expires": int(expires)})

    def _refuse(self, job: str, refusal: Refusal, claims: Mapping[str, object]) -> Response:
        detail = f" ({refusal.why})" if refusal.why else ""
        said = f"{refusal.code}: {refusal.description}{detail}"
        self._record.add(Entry("mint", self.role, job, "refused", said, shown(claims)))
        error = {"code": refusal.code, "description": refusal.description}
        return json_response(422, {"message": "Token request failed", "errors": [error]})

    def _verified(self, body: bytes) -> dict[str, object] | Refusal:
        try:
            token = json.loads(body).get("token")
        except (ValueError, AttributeError):
            token = None
        if not isinstance(token, str):
            return Refusal("invalid-payload", "the body is no JSON object with a token string")
        claims = _jwt.verify(
            token, self._key, audience=self.audience, issuer=ISSUER, now=self._clock()
        )
        if isinstance(claims, str):
            return Refusal("invalid-token", "malformed or invalid token", claims)
        return claims

    def _upload(self, request: Request) -> Response:
        files = tuple(name.decode(errors="replace") for name in _FILE.findall(request.body))
        job = self._job(request)
        whose = upload_credential(
            request.header("Authorization"), self._minted, self._api_token, self._clock()
        )
        if isinstance(whose, str):
            self._record.add(Entry("upload", self.role, job, "refused", whose, files=files))
            return Response(403, whose.encode(), (("Content-Type", "text/plain"),), whose)
        answer = self._forward(request)
        ok = answer.status < 300
        said = "" if ok else f"devpi answered {answer.status}"
        self._record.add(Entry("upload", self.role, job, "ok" if ok else "failed", said,
                               whose.claims, files))  # fmt: skip
        return answer

    def _forward(self, request: Request) -> Response:
        headers = [(k, v) for k, v in request.headers if k.lower() not in _HOP]
        headers.append(("X-Outside-Url", f"http://{HOST}:{request.server_port}"))
        url = self._upstream + request.path.lstrip("/")
        body = request.body or None
        try:
            answer = self._http.request(request.method, url, headers=headers, content=body)
        except httpx.HTTPError as exc:
            return Response(502, f"the devpi stand-in did not answer: {exc}".encode())
        kept = tuple((k, v) for k, v in answer.headers.multi_items() if k.lower() not in _HOP)
        return Response(answer.status_code, answer.content, kept, answer.reason_phrase)

    def _job(self, request: Request) -> str:
        """The asking job, for the record only (an index never knows it)."""
        found = _peer.peer_environments(self._proc, request.client_port, request.server_port)
        return next((env["GITHUB_JOB"] for env in found if env.get("GITHUB_JOB")), "")
