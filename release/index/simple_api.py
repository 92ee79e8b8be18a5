"""What an index lists for a project, through its simple API: PEP 691 JSON, HTML as fallback.

Every request asks for a fresh answer (no caches in between): a file uploaded a second ago must
be seen. Parsing is pure; only `fetch_listing` talks to the network.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any, TypeAlias
from urllib.parse import urldefrag, urljoin

from packaging.utils import (
    canonicalize_name,
)
from packaging.version import Version

from release.artifacts.filenames import version_of
from release.core import loopback
from release.core.errors import IndexUnavailable

if TYPE_CHECKING:
    import httpx

PEP691_JSON = "application/vnd.pypi.simple.v1+json"
ACCEPT = f"{PEP691_JSON}, text/html;q=0.1"
NO_CACHE = {"Accept": ACCEPT, "Cache-Control": "no-cache", "Pragma": "no-cache"}
TIMEOUT, CONNECT_TIMEOUT = 30.0, 10.0  # seconds: an answer, a connection

# How a read off the loopback reaches the index: a client, or how to make one when first needed
# (importing httpx takes 0.2-0.4 s that a cell on the local stand-ins need not spend).
Http: TypeAlias = "httpx.Client | Callable[[], httpx.Client]"


def client_of(http: Http) -> httpx.Client:
    return http() if callable(http) else http


@dataclass(frozen=True)
class ListedFile:
    filename: str
    url: str  # absolute
    sha256: str | None  # None when the index gives no sha256
    yanked: bool = False  # PEP 592: listed, but installers skip it unless pinned
    provenance: str | None = None  # PEP 740: where its attestations are served; None: none


def fetch_listing(client: Http, simple_url: str, project: str) -> list[ListedFile]:
    """The files `simple_url` lists for `project` ([] when the project is unknown there)."""
    page = urljoin(simple_url, f"{canonicalize_name(project)}/")
    status, base, content_type, text = _get(client, page, simple_url)
    if status == 404:
        return []
    if status != 200:
        raise IndexUnavailable(
            f"{page} answered {status}", hint="re-run later; the index may be busy"
        )
    if content_type.startswith(PEP691_JSON):
        return parse_json(json.loads(text), base)
    return parse_html(text, base)


def _get(client: Http, page: str, simple_url: str) -> tuple[int, str, str, str]:
    """The page's status, final address, content type and text: from a local stand-in through
    the standard library, from anywhere else through httpx; no answer is IndexUnavailable."""
    if loopback.is_loopback(page):
        try:
            got = loopback.request("GET", page, headers=NO_CACHE, timeout=TIMEOUT)
        except loopback.NoAnswer as exc:
            raise _unreachable(simple_url, exc) from None
        return got.status, got.url, got.headers.get("content-type", ""), got.text
    import httpx

    try:
        response = client_of(client).get(page, headers=NO_CACHE, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise _unreachable(simple_url, exc) from None
    return (
        response.status_code,
        str(response.url),
        response.headers.get("content-type", ""),
        response.text,
    )


def _unreachable(simple_url: str, exc: Exception) -> IndexUnavailable:
    return IndexUnavailable(
        f"cannot reach {simple_url}: {exc}", hint="check the network, then re-run"
    )


def parse_json(page: dict[str, Any], base: str) -> list[ListedFile]:
    return [_listed(f, base) for f in page.get("files", [])]


def _listed(file: dict[str, Any], base: str) -> ListedFile:
    sha256 = file.get("hashes", {}).get("sha256")
    yanked = file.get("yanked", False) is not False  # True, or the reason given as a string
    provenance = file.get("provenance")
    where = urljoin(base, provenance) if isinstance(provenance, str) and provenance else None
    return ListedFile(file["filename"], urljoin(base, file["url"]), sha256, yanked, where)


def parse_html(text: str, base: str) -> list[ListedFile]:
    parser = _Anchors()
    parser.feed(text)
    files = []
    for href, name, yanked, provenance in parser.anchors:
        url, fragment = urldefrag(urljoin(base, href))
        algo, _, digest = fragment.partition("=")
        sha256 = digest if algo == "sha256" else None
        where = urljoin(base, provenance) if provenance else None
        files.append(ListedFile(name.strip(), url, sha256, yanked, where))
    return files


def versions(files: list[ListedFile]) -> frozenset[Version]:
    return frozenset(v for v in (version_of(f.filename) for f in files) if v is not None)


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        # href, text, yanked (PEP 592), provenance (PEP 740)
        self.anchors: list[tuple[str, str, bool, str | None]] = []
        self._href: str | None = None
        self._yanked = False
        self._provenance: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            found = dict(attrs)
            self._href = found.get("href")
            self._yanked = "data-yanked" in found
            self._provenance = found.get("data-provenance")
            self._text = ""

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.anchors.append((self._href, self._text, self._yanked, self._provenance))
            self._href = None
