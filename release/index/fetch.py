"""Download one file an index lists, and prove it by its sha256 before anyone uses it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from release.artifacts.manifest import sha256_of
from release.core import loopback
from release.core.errors import IndexUnavailable, IntegrityError
from release.index.simple_api import NO_CACHE, TIMEOUT, Http, client_of


def fetch(client: Http, url: str, target: Path, sha256: str) -> Path:
    """`url` into `target`, bypassing caches; a file already there with that sha256 is kept.
    A local stand-in's file comes through the standard library, anything else through httpx."""
    if target.is_file() and sha256_of(target) == sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with _chunks(client, url) as chunks, target.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
    if sha256_of(target) != sha256:
        target.unlink()
        raise IntegrityError(
            f"{url} served bytes whose sha256 is not {sha256}",
            hint="the index served other bytes than it lists; do not release them",
        )
    return target


@contextmanager
def _chunks(client: Http, url: str) -> Iterator[Iterator[bytes]]:
    """The body of a 2xx answer in chunks; no answer, or another status, is IndexUnavailable."""
    if loopback.is_loopback(url):
        try:
            with loopback.streamed("GET", url, headers=NO_CACHE, timeout=TIMEOUT) as (got, body):
                if not 200 <= got.status < 300:
                    raise loopback.NoAnswer(f"GET {url} answered {got.status}")
                yield body
        except loopback.NoAnswer as exc:
            raise _unavailable(url, exc) from None
        return
    import httpx

    try:
        with client_of(client).stream("GET", url, headers=NO_CACHE, follow_redirects=True) as got:
            got.raise_for_status()
            yield got.iter_bytes()
    except httpx.HTTPError as exc:
        raise _unavailable(url, exc) from None


def _unavailable(url: str, exc: Exception) -> IndexUnavailable:
    return IndexUnavailable(f"cannot download {url}: {exc}", hint="re-run later")
