"""A wheelhouse for the example service, resolved from PyPI for an image's Python and platform:
every file is a wheel that image installs, its bytes are the ones PyPI lists, and the folder
alone installs the service with the servers, offline and hash-checked."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest
import uv
from packaging.tags import Tag
from packaging.utils import parse_wheel_filename
from packaging.version import Version

from release.artifacts.filenames import version_of
from release.artifacts.manifest import sha256_of
from release.config.settings import Settings
from release.core.errors import IntegrityError
from release.images._wheelhouse import (
    NoCompatibleWheel,
    Pin,
    Target,
    build,
    choose_file,
    dependencies,
    parse_pins,
)
from release.index import profiles as indexes
from release.index.simple_api import fetch_listing
from tests.integration.examples import NOTES, build_wheel

SERVERS = ("uvicorn", "granian")
BOOKWORM = Target("3.11", "x86_64-manylinux_2_36")


@pytest.fixture(scope="module")
def notes_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(NOTES, tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def pypi() -> indexes.Index:
    return indexes.dependencies(indexes.RELEASE, Settings())


def test_a_wheelhouse_holds_the_closure_as_hash_checked_wheels(
    notes_wheel: Path, pypi: indexes.Index, http: httpx.Client, tmp_path: Path
) -> None:
    sha = sha256_of(notes_wheel)
    house = build(notes_wheel, sha, SERVERS, pypi, BOOKWORM, tmp_path / "wh", http)
    pins = parse_pins(house.requirements.read_text())
    names = {pin.name for pin in pins}
    assert {"starlette", "anyio", "uvicorn", "granian", "h11", "click"} <= names
    assert "notes-service" not in names  # ours is installed by its file, not by a pin
    assert house.wheel.read_bytes() == notes_wheel.read_bytes()
    accepted = set(BOOKWORM.tags())
    for pin, path in zip(pins, house.files, strict=True):
        (sha256,) = pin.hashes  # one hash per pin: the very file chosen
        assert sha256_of(path) == sha256
        name, version, _, tags = parse_wheel_filename(path.name)
        assert (name, version) == (pin.name, pin.version)
        assert tags & accepted, f"{path.name} does not install on CPython 3.11 bookworm"
    assert Tag("cp311", "cp311", "manylinux_2_17_x86_64") in accepted
    assert sorted(p.name for p in tmp_path.joinpath("wh").glob("*.whl")) == sorted(
        p.name for p in (*house.files, house.wheel)
    )
    # the dependencies alone, as the Dockerfile's deps stage takes them: links, not copies
    alone = dependencies(house, tmp_path / "dependencies")
    linked = (*house.files, house.requirements)
    assert sorted(p.name for p in alone.iterdir()) == sorted(p.name for p in linked)
    assert all((alone / p.name).samefile(p) for p in linked)
    _installs_offline(alone, alone / "requirements.txt", house.wheel, tmp_path / "venv")


def _installs_offline(folder: Path, requirements: Path, wheel: Path, venv: Path) -> None:
    """What the Dockerfile does (the dependencies from their folder, then our wheel by its
    file), with uv and the host's Python 3.11."""
    uv_bin = uv.find_uv_bin()
    python = str(venv / "bin" / "python")
    offline = ["--no-config", "--no-index", "--offline", "--no-cache", "--python", python]

    def run(*argv: str) -> str:
        done = subprocess.run(argv, check=True, capture_output=True, text=True)
        return done.stdout

    run(uv_bin, "venv", "--quiet", "--no-project", "--python", "3.11", str(venv))
    run(uv_bin, "pip", "install", "--quiet", *offline, "--find-links", str(folder),
        "--require-hashes", "--no-deps", "-r", str(requirements))  # fmt: skip
    run(uv_bin, "pip", "install", "--quiet", *offline, "--no-deps", str(wheel))
    run(uv_bin, "pip", "check", "--python", python)
    probe = "import granian, uvicorn, notes_service.app; print(notes_service.installed_version())"
    assert run(python, "-c", probe).strip() == parse_wheel_filename(wheel.name)[1].public


def test_a_rebuild_keeps_the_right_files_and_drops_stale_ones(
    notes_wheel: Path, pypi: indexes.Index, http: httpx.Client, tmp_path: Path
) -> None:
    sha, folder = sha256_of(notes_wheel), tmp_path / "wh"
    first = build(notes_wheel, sha, ("uvicorn",), pypi, BOOKWORM, folder, http)
    before = {p: p.stat().st_mtime_ns for p in first.files}
    stale = folder / "notes_service-0.0.1-py3-none-any.whl"
    stale.write_bytes(b"an earlier build's wheel")
    again = build(notes_wheel, sha, ("uvicorn",), pypi, BOOKWORM, folder, http)
    assert {p: p.stat().st_mtime_ns for p in again.files} == before
    assert not stale.exists()


def test_a_wheel_that_is_not_the_one_built_is_refused(
    notes_wheel: Path, pypi: indexes.Index, http: httpx.Client, tmp_path: Path
) -> None:
    with pytest.raises(IntegrityError, match="does not have the sha256"):
        build(notes_wheel, "0" * 64, SERVERS, pypi, BOOKWORM, tmp_path / "wh", http)


def test_a_version_pypi_lists_no_bookworm_wheel_for_is_refused(
    pypi: indexes.Index, http: httpx.Client
) -> None:
    """A real listing: PyYAML 5.1 shipped an sdist and Windows wheels only."""
    listing = fetch_listing(http, pypi.simple_url, "pyyaml")
    old = Version("5.1")
    hashes = frozenset(str(f.sha256) for f in listing if f.sha256 and version_of(f.filename) == old)
    assert hashes, "PyPI lists PyYAML 5.1"
    with pytest.raises(NoCompatibleWheel) as caught:
        choose_file(listing, Pin("pyyaml", old, hashes), BOOKWORM)
    assert caught.value.message.startswith("pyyaml 5.1 has no wheel for CPython 3.11")
