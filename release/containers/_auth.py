"""Answering a registry's challenge (Registry HTTP API v2 authentication).

A 401 names what it wants in its WWW-Authenticate header: a Bearer token fetched from the realm
it names (with Basic credentials, or anonymously), or Basic auth itself. Credentials come from
the caller and stay in memory: never logged, never in argv, never written to disk, and sent only
over TLS or to this machine.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

_PARAM = re.compile(r'(\w+)=(?:"([^"]*)"|([^,\s]*))')


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)  # a token, mostly; never shown

    def basic(self) -> str:
        pair = f"{self.username}:{self.password}".encode()
        return f"Basic {base64.b64encode(pair).decode()}"


@dataclass(frozen=True)
class Challenge:
    scheme: str  # lower-case: "bearer" or "basic"
    params: Mapping[str, str]


def parse_challenge(header: str) -> Challenge | None:
    """`Bearer realm="…",service="…",scope="…"` (or `Basic realm="…"`) as data."""
    scheme, _, rest = header.strip().partition(" ")
    if not scheme:
        return None
    params = {m[1].lower(): m[2] if m[2] is not None else m[3] for m in _PARAM.finditer(rest)}
    return Challenge(scheme.lower(), params)


def loopback(host: str) -> bool:
    """Whether `host` is this machine: localhost or a loopback address."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ChallengeAuth(httpx.Auth):
    """Answers a 401's challenge once: a Bearer token from the named realm, or Basic auth."""

    requires_response_body = True  # the token endpoint's answer is read here

    def __init__(self, credentials: Credentials | None) -> None:
        self.credentials = credentials
        self.token: str | None = None  # reused until a request is refused again

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.token:
            request.headers["Authorization"] = f"Bearer {self.token}"
        response = yield request
        if response.status_code != 401:
            return
        challenge = parse_challenge(response.headers.get("WWW-Authenticate", ""))
        if authorization := (yield from self._answer(challenge, str(request.url))):
            request.headers["Authorization"] = authorization
            yield request

    def _answer(
        self, challenge: Challenge | None, url: str
    ) -> Generator[httpx.Request, httpx.Response, str | None]:
        """The Authorization header that answers `challenge`, if we can give one."""
        if challenge is None:
            return None
        if challenge.scheme == "basic":
            return self._basic(url)
        if challenge.scheme != "bearer" or "realm" not in challenge.params:
            return None
        self.token = _token((yield self._token_request(challenge.params)))
        return f"Bearer {self.token}" if self.token else None

    def _token_request(self, params: Mapping[str, str]) -> httpx.Request:
        query = {k: params[k] for k in ("service", "scope") if k in params}
        basic = self._basic(params["realm"])  # none: an anonymous token, if the realm gives one
        headers = {"Authorization": basic} if basic else {}
        return httpx.Request("GET", params["realm"], params=query, headers=headers)

    def _basic(self, url: str) -> str | None:
        """Credentials go only where they are safe: over TLS, or to this machine."""
        parts = urlsplit(url)
        safe = parts.scheme == "https" or loopback(parts.hostname or "")
        return self.credentials.basic() if self.credentials and safe else None


def _token(response: httpx.Response) -> str | None:
    """The token of a token endpoint's answer (`token`, or OAuth2's `access_token`)."""
    if response.status_code != 200:
        return None
    try:
        body = response.json()
    except json.JSONDecodeError:
        return None
    if not isinstance(body, dict):
        return None
    token = body.get("token") or body.get("access_token")
    return token if isinstance(token, str) else None
