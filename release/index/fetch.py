"""Download one file an index lists, and prove it by its sha256 before anyone uses it."""

from __future__ import annotations

from pathlib import Path

import httpx

from release.artifacts.manifest import sha256_of
from release.core.errors import IndexUnavailable, IntegrityError
from release.index.simple_api import NO_CACHE


def fetch(client: httpx.Client, url: str, target: Path, sha256: str) -> Path:
    """`url` into `target`, bypassing caches; a file already there with that sha256 is kept."""
    if target.is_file() and sha256_of(target) == sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with client.stream("GET", url, headers=NO_CACHE, follow_redirects=True) as got:
            got.raise_for_status()
            with target.open("wb") as out:
                for chunk in got.iter_bytes():
                    out.write(chunk)
    except httpx.HTTPError as exc:
        raise IndexUnavailable(f"cannot download {url}: {exc}", hint="re-run later") from None
    if sha256_of(target) != sha256:
        target.unlink()
        raise IntegrityError(
            f"{url} served bytes whose sha256 is not {sha256}",
            hint="the index served other bytes than it lists; do not release them",
        )
    return target
