"""The build manifest: what was built once, so every later stage can prove it uses those bytes.

dist/SHA256SUMS is for people and `sha256sum -c`; dist/manifest.json is what stages read.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from release.core.errors import IntegrityError

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class DistFile:
    filename: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    name: str
    version: str
    files: tuple[DistFile, ...]

    def file(self, filename: str) -> DistFile | None:
        return next((f for f in self.files if f.filename == filename), None)

    @property
    def wheel(self) -> DistFile:
        return next(f for f in self.files if f.filename.endswith(".whl"))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def describe(path: Path) -> DistFile:
    return DistFile(path.name, sha256_of(path), path.stat().st_size)


def write(dist: Path, manifest: Manifest) -> None:
    sums = "".join(f"{f.sha256}  {f.filename}\n" for f in manifest.files)
    (dist / SUMS).write_text(sums, encoding="utf-8")
    files = [asdict(f) for f in manifest.files]
    data = {"name": manifest.name, "version": manifest.version, "files": files}
    (dist / MANIFEST).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def load(dist: Path) -> Manifest:
    path = dist / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = tuple(DistFile(f["filename"], f["sha256"], int(f["size"])) for f in data["files"])
        return Manifest(data["name"], data["version"], files)
    except FileNotFoundError:
        raise IntegrityError(
            f"{path} does not exist", hint="build first: `staged-release build` (nox -s build)"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IntegrityError(f"{path} is unreadable: {exc}", hint="rebuild: nox -s build") from None


def verified(dist: Path) -> Manifest:
    """The manifest, after checking that every file it lists is still byte for byte the same."""
    manifest = load(dist)
    for expected in manifest.files:
        path = dist / expected.filename
        if not path.is_file():
            raise IntegrityError(f"{path} is listed in the manifest but missing", hint=_REBUILD)
        if describe(path) != expected:
            raise IntegrityError(f"{path} changed after it was built", hint=_REBUILD)
    return manifest


_REBUILD = "dist/ must hold what was built; rebuild with `nox -s build` and do not edit dist/"
