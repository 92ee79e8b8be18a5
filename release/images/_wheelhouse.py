"""The wheelhouse an image is built from, prepared on the host.

A fresh base image trusts no CA bundle, so it cannot install from an index; and an image should
hold exactly the bytes we chose anyway. Here the closure of our wheel's requirements plus the
servers is resolved once (uv, trusted index only, binary wheels for the image's Python and
platform), every pin's file is downloaded and checked against the hashes uv compiled, and a
requirements file with one pin and one hash per line is written for
`pip install --no-index --find-links /wheelhouse --require-hashes --no-deps -r requirements.txt`.
Our own wheel is copied in beside them and installed by its exact file. The dependencies alone
are laid out once more (hard links) for the Dockerfile's `deps` stage, whose layers a release
with the same pins then finds cached.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import uv
from packaging.requirements import InvalidRequirement, Requirement
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import Version

from release.artifacts.manifest import sha256_of
from release.artifacts.metadata import runtime_requirements
from release.core import runner
from release.core.errors import ConfigError, IntegrityError, ReleaseError
from release.index.fetch import fetch
from release.index.profiles import Index
from release.index.simple_api import ListedFile, fetch_listing
from release.pipeline.stages import builder
from release.validation.environments import INDEX_VARIABLES

SERVERS = ("uvicorn", "granian")  # what the Dockerfile's variants run the service with
DEFAULT_PLATFORM = "x86_64-manylinux_2_36"  # Debian bookworm's glibc: the oldest base we build on
REQUIREMENTS = "requirements.txt"  # what the Dockerfile installs
DEPENDENCIES = "dependencies"  # the build context's folder of the dependencies alone
INPUT = "requirements.in"  # what was resolved, kept for whoever reads the wheelhouse
COMPILE_BUDGET = 600.0  # seconds
_PLATFORM = re.compile(r"(?P<arch>x86_64|aarch64)-manylinux(?:_2_(?P<minor>\d+)|2014)")
_LEGACY = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}  # PEP 600's aliases
_OLDEST_GLIBC_MINOR = 5


class NoCompatibleWheel(ReleaseError):
    """A pinned dependency publishes no wheel the image's Python and platform can install."""


@dataclass(frozen=True)
class Target:
    """The image's interpreter and platform, as uv's --python-version and --python-platform."""

    python: str  # "3.11"
    platform: str = DEFAULT_PLATFORM  # ARCH-manylinux_2_M or ARCH-manylinux2014

    def tags(self) -> list[Tag]:
        """Wheel tags the image accepts, most specific first (pip's order of preference)."""
        version = _python_version(self.python)
        platforms = platform_tags(self.platform)
        interpreter = f"cp{version[0]}{version[1]}"
        return [
            *cpython_tags(version, [interpreter], platforms),
            *compatible_tags(version, interpreter, platforms),
        ]


@dataclass(frozen=True)
class Pin:
    name: str  # canonical
    version: Version
    hashes: frozenset[str]  # sha256 digests uv accepted for this pin


@dataclass(frozen=True)
class Wheelhouse:
    folder: Path
    wheel: Path  # ours, installed by its exact file
    files: tuple[Path, ...]  # the dependencies' wheels, in pin order
    requirements: Path  # pins + hashes of `files`


def build(
    wheel: Path,
    wheel_sha256: str,
    servers: Sequence[str],  # SERVERS for the shipped Dockerfile
    index: Index,
    target: Target,
    folder: Path,
    client: httpx.Client,
    log: Path | None = None,
) -> Wheelhouse:
    """Fill `folder` with our wheel (checked against `wheel_sha256`, the manifest's) and the
    wheels of its requirements' closure plus `servers`, all from `index`."""
    folder.mkdir(parents=True, exist_ok=True)
    ours = _copy_checked(wheel, wheel_sha256, folder)
    wanted = [*runtime_requirements(wheel), *servers]
    pins = resolve(wanted, index, target, folder / INPUT, log)
    chosen = [(pin, _listed_file(client, index, pin, target)) for pin in pins]
    files = tuple(download(client, listed, folder) for _, listed in chosen)
    _prune(folder, {ours, *files})
    requirements = folder / REQUIREMENTS
    requirements.write_text(requirements_text(chosen), encoding="utf-8")
    return Wheelhouse(folder, ours, files, requirements)


def dependencies(house: Wheelhouse, folder: Path) -> Path:
    """The dependencies' wheels and requirements file alone in `folder` (hard links, not copies),
    for the Dockerfile's `deps` stage: without our wheel, whose bytes change every release, its
    input is the pins alone, so a release whose pins did not change finds its layers built."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for path in (*house.files, house.requirements):
        _link(path, folder / path.name)
    return folder


def resolve(
    requirements: Sequence[str], index: Index, target: Target, source: Path, log: Path | None
) -> list[Pin]:
    """The pinned closure of `requirements` for `target`, with the hashes uv accepts."""
    source.write_text("".join(f"{r}\n" for r in requirements), encoding="utf-8")
    done = runner.run(
        [uv.find_uv_bin(), "pip", "compile", "--quiet", "--no-config", "--no-python-downloads",
         "--python-version", target.python, "--python-platform", target.platform,
         "--only-binary", ":all:", "--generate-hashes", "--no-header", "--no-annotate",
         "--default-index", index.simple_url, str(source)],
        unset=INDEX_VARIABLES, log_to=log, timeout=COMPILE_BUDGET,
    )  # fmt: skip
    return parse_pins(done.stdout)


def parse_pins(output: str) -> list[Pin]:
    """`uv pip compile --generate-hashes` output as pins (pure)."""
    entries = re.sub(r"\\\n", " ", output).splitlines()
    return [_pin(line) for line in entries if line.strip() and not line.lstrip().startswith("#")]


def choose_file(listing: Iterable[ListedFile], pin: Pin, target: Target) -> ListedFile:
    """The listed wheel of `pin` that `target` prefers, among those with a compiled hash (pure)."""
    preference = {tag: rank for rank, tag in enumerate(target.tags())}
    ranked = [
        (rank, listed.filename, listed)
        for listed in listing
        if listed.sha256 in pin.hashes
        and (rank := _rank(listed.filename, pin, preference)) is not None
    ]
    if not ranked:
        raise NoCompatibleWheel(
            f"{pin.name} {pin.version} has no wheel for CPython {target.python} on "
            f"{target.platform} with a hash uv accepted",
            hint="pin a version of it that publishes such a wheel, or build the image "
            "for another Python ([tool.staged-release.images] python)",
        )
    return min(ranked, key=lambda found: found[:2])[2]


def requirements_text(chosen: Iterable[tuple[Pin, ListedFile]]) -> str:
    """One pin per line with the hash of the very file chosen (pure)."""
    return "".join(f"{pin.name}=={pin.version} --hash=sha256:{listed.sha256}\n"
                   for pin, listed in chosen)  # fmt: skip


def platform_tags(platform: str) -> list[str]:
    """Wheel platform tags for uv's ARCH-manylinux_2_M, newest glibc first (pure)."""
    match = _PLATFORM.fullmatch(platform)
    if match is None:
        raise ConfigError(
            f"image platform {platform!r} is not ARCH-manylinux_2_M",
            hint=f"use a glibc platform such as {DEFAULT_PLATFORM}",
        )
    arch, newest = match["arch"], int(match["minor"] or 17)
    found = []
    for minor in range(newest, _OLDEST_GLIBC_MINOR - 1, -1):
        found.append(f"manylinux_2_{minor}_{arch}")
        if minor in _LEGACY:
            found.append(f"{_LEGACY[minor]}_{arch}")
    return found


def download(client: httpx.Client, listed: ListedFile, folder: Path) -> Path:
    """`listed` into `folder`, proved by the sha256 the index lists for it."""
    return fetch(client, listed.url, folder / listed.filename, str(listed.sha256))


def _listed_file(client: httpx.Client, index: Index, pin: Pin, target: Target) -> ListedFile:
    return choose_file(fetch_listing(client, index.simple_url, pin.name), pin, target)


def _prune(folder: Path, keep: set[Path]) -> None:
    """Drop wheels an earlier build left: the image gets exactly this build's files."""
    for stale in set(folder.glob("*.whl")) - keep:
        stale.unlink()


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links: the same bytes all the same
        shutil.copyfile(source, target)


def _copy_checked(wheel: Path, sha256: str, folder: Path) -> Path:
    if sha256_of(wheel) != sha256:
        raise IntegrityError(
            f"{wheel} does not have the sha256 {sha256} it was built with",
            hint=f"dist/ must hold what was built; rebuild with `nox -s {builder().name}` and do "
            "not edit it",
        )
    target = folder / wheel.name
    if target.resolve() != wheel.resolve():
        shutil.copyfile(wheel, target)
    return target


def _pin(line: str) -> Pin:
    spec, *options = line.split()
    try:
        requirement = Requirement(spec)
        (version,) = (Version(s.version) for s in requirement.specifier if s.operator == "==")
    except (InvalidRequirement, ValueError):
        raise ConfigError(
            f"uv pip compile gave {spec!r}, which is not a pinned requirement",
            hint="report this: the wheelhouse expects `name==version` lines",
        ) from None
    hashes = frozenset(o.removeprefix("--hash=sha256:") for o in options
                       if o.startswith("--hash=sha256:"))  # fmt: skip
    return Pin(str(canonicalize_name(requirement.name)), version, hashes)


def _rank(filename: str, pin: Pin, preference: dict[Tag, int]) -> int | None:
    """How much `target` prefers this file of `pin` (lower is better); None: not installable."""
    try:
        name, version, _, tags = parse_wheel_filename(filename)
    except InvalidWheelFilename:
        return None  # an sdist, or junk
    if name != pin.name or version != pin.version:
        return None
    return min((preference[t] for t in tags if t in preference), default=None)


def _python_version(text: str) -> tuple[int, int]:
    major, _, minor = text.partition(".")
    if not (major.isdigit() and minor.isdigit()):
        raise ConfigError(
            f"image Python {text!r} is not MAJOR.MINOR", hint='write it as "3.13", say'
        )
    return int(major), int(minor)
