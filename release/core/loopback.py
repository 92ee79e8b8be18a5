"""Plain HTTP to the servers the suite starts itself on 127.0.0.1, through the standard library.

A validation cell on the local stand-ins talks to nothing else: devpi-server's readiness, its
indexes, the listing and the wheel. httpx costs 0.2-0.4 s of CPU to import (with click installed,
its command-line module pulls click, rich and pygments), time taken from devpi-server starting
beside it on a small machine; http.client is already loaded. Only loopback addresses over plain
HTTP come here (`is_loopback`); everything else, TLS and credentials included, goes through the
run's httpx client. Every failure to get an answer is one `NoAnswer`, which each caller turns into
its own error exactly where it turns httpx's.
"""

from __future__ import annotations

import http.client
import json as jsonlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
CHUNK = 1 << 16


class NoAnswer(Exception):
    """The server gave no (complete) answer: refused, reset, timed out, malformed, looping."""


@dataclass(frozen=True)
class Answer:
    status: int
    url: str  # where the answer came from, after redirects
    headers: Mapping[str, str]  # names in lower case
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return jsonlib.loads(self.body)


def is_loopback(url: str) -> bool:
    """Whether `url` is plain HTTP to this machine's loopback, where the suite's servers are."""
    parts = urlsplit(url)
    return parts.scheme == "http" and (parts.hostname or "") in LOOPBACK_HOSTS


def request(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    json: object = None,
    timeout: float = 30.0,
) -> Answer:
    """One request (redirects followed, as the httpx calls it stands in for do), read whole."""
    with streamed(method, url, headers=headers, json=json, timeout=timeout) as (answer, chunks):
        return Answer(answer.status, answer.url, answer.headers, b"".join(chunks))


@contextmanager
def streamed(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    json: object = None,
    timeout: float = 30.0,
) -> Iterator[tuple[Answer, Iterator[bytes]]]:
    """The answer's status and headers (its body empty) and its body in chunks, for a download."""
    sent = dict(headers or {})
    data = None if json is None else jsonlib.dumps(json).encode()
    if data is not None:
        sent["Content-Type"] = "application/json"
    for _ in range(MAX_REDIRECTS + 1):
        connection, response = _send(method, url, sent, data, timeout)
        try:
            found = {k.lower(): v for k, v in response.getheaders()}
            if response.status in _REDIRECTS and "location" in found:
                url = urljoin(url, found["location"])
                if not is_loopback(url):
                    raise NoAnswer(f"{method} {url}: redirected away from the loopback")
                continue
            yield Answer(response.status, url, found, b""), _chunks(response, url)
            return
        finally:
            connection.close()
    raise NoAnswer(f"{method} {url}: more than {MAX_REDIRECTS} redirects")


def _send(
    method: str, url: str, headers: dict[str, str], data: bytes | None, timeout: float
) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    if not is_loopback(url):
        raise ValueError(f"not a loopback HTTP address: {url}")  # a caller's bug, not the user's
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    try:
        connection.request(method, target, body=data, headers=headers)
        return connection, connection.getresponse()
    except (OSError, http.client.HTTPException) as exc:
        connection.close()
        raise NoAnswer(f"{method} {url}: {exc!r}") from None


def _chunks(response: http.client.HTTPResponse, url: str) -> Iterator[bytes]:
    try:
        while chunk := response.read(CHUNK):
            yield chunk
    except (OSError, http.client.HTTPException) as exc:
        raise NoAnswer(f"reading {url}: {exc!r}") from None
