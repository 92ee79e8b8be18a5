"""The build manifest: what was built once, so every later stage can prove it uses those bytes.

dist/SHA256SUMS is for people and `sha256sum -c`; dist/manifest.json is what stages read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from packaging.tags import Tag

from release.artifacts.wheels import best_wheel, no_wheel_fits
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
    def wheels(self) -> tuple[DistFile, ...]:
        """One for a pure project; one per Python (or ABI) for a compiled one."""
        return tuple(f for f in self.files if f.filename.endswith(".whl"))

    @property
    def wheel(self) -> DistFile:
        """The one wheel of a pure build; a build of several wheels must choose (`wheel_for`)."""
        if len(self.wheels) != 1:
            raise IntegrityError(
                f"the build holds {len(self.wheels)} wheels, and this step takes exactly one",
                hint="a compiled project's wheels are chosen per interpreter; report this",
            )
        return self.wheels[0]

    def wheel_for(self, supported: Sequence[Tag]) -> DistFile | None:
        """The wheel an interpreter supporting `supported` (most preferred first) installs."""
        chosen = best_wheel([f.filename for f in self.wheels], supported)
        return None if chosen is None else self.file(chosen)


def wheel_fitting(manifest: Manifest, supported: Sequence[Tag], python: str) -> DistFile:
    """The manifest's wheel for an interpreter of Python `python` supporting `supported`;
    NoWheelFits saying which wheel tags exist and which the interpreter takes."""
    chosen = manifest.wheel_for(supported)
    if chosen is None:
        names = [f.filename for f in manifest.wheels]
        raise no_wheel_fits(names, supported, f"{manifest.name} {manifest.version}", python)
    return chosen


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
            f"{path} does not exist", hint="build first (the build stage: `staged-release build`)"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IntegrityError(
            f"{path} is unreadable: {exc}", hint="rebuild it: run the build stage again"
        ) from None


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


_REBUILD = "dist/ must hold what was built; run the build stage again and do not edit dist/"
