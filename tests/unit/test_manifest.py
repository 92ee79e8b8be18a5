"""The build manifest: written once, verified byte for byte by every later stage."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from release.artifacts import manifest
from release.artifacts.manifest import Manifest
from release.core.errors import IntegrityError

WHEEL = "proxbox_api-1.4.0rc1-py3-none-any.whl"
SDIST = "proxbox_api-1.4.0rc1.tar.gz"


def built(dist: Path) -> Manifest:
    """dist/ with a wheel, an sdist and their manifest, as the build stage leaves it."""
    dist.mkdir()
    (dist / WHEEL).write_bytes(b"wheel bytes")
    (dist / SDIST).write_bytes(b"sdist bytes, a little longer")
    made = Manifest(
        "proxbox-api",
        "1.4.0rc1",
        (manifest.describe(dist / WHEEL), manifest.describe(dist / SDIST)),
    )
    manifest.write(dist, made)
    return made


def test_describe_gives_name_sha256_and_size(tmp_path: Path) -> None:
    path = tmp_path / WHEEL
    path.write_bytes(b"wheel bytes")
    described = manifest.describe(path)
    assert described.filename == WHEEL
    assert described.sha256 == hashlib.sha256(b"wheel bytes").hexdigest()
    assert described.size == len(b"wheel bytes")


def test_write_then_verified_round_trips(tmp_path: Path) -> None:
    made = built(tmp_path / "dist")
    assert manifest.verified(tmp_path / "dist") == made
    assert manifest.verified(tmp_path / "dist").wheel.filename == WHEEL
    assert made.file(SDIST) == made.files[1]
    assert made.file("other.tar.gz") is None


def test_sha256sums_lists_every_file_for_sha256sum_c(tmp_path: Path) -> None:
    made = built(tmp_path / "dist")
    lines = (tmp_path / "dist" / manifest.SUMS).read_text(encoding="utf-8").splitlines()
    assert lines == [f"{f.sha256}  {f.filename}" for f in made.files]
    assert lines[0] == f"{hashlib.sha256(b'wheel bytes').hexdigest()}  {WHEEL}"


@pytest.mark.parametrize("content", [b"tampered bytes", b"wheel bytez", b""])
def test_a_changed_file_is_refused(tmp_path: Path, content: bytes) -> None:
    built(tmp_path / "dist")
    (tmp_path / "dist" / WHEEL).write_bytes(content)
    with pytest.raises(IntegrityError) as caught:
        manifest.verified(tmp_path / "dist")
    assert WHEEL in caught.value.message
    assert "changed" in caught.value.message
    assert caught.value.exit_code == 1


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    built(tmp_path / "dist")
    (tmp_path / "dist" / SDIST).unlink()
    with pytest.raises(IntegrityError) as caught:
        manifest.verified(tmp_path / "dist")
    assert SDIST in caught.value.message
    assert "missing" in caught.value.message


def test_no_manifest_says_to_build_first(tmp_path: Path) -> None:
    (tmp_path / "dist").mkdir()
    with pytest.raises(IntegrityError) as caught:
        manifest.verified(tmp_path / "dist")
    assert manifest.MANIFEST in caught.value.message
    assert "build" in str(caught.value.hint)


@pytest.mark.parametrize("text", ["not json", "{}", '{"name": "x", "version": "1", "files": [{}]}'])
def test_an_unreadable_manifest_says_to_rebuild(tmp_path: Path, text: str) -> None:
    (tmp_path / manifest.MANIFEST).write_text(text, encoding="utf-8")
    with pytest.raises(IntegrityError) as caught:
        manifest.verified(tmp_path)
    assert "unreadable" in caught.value.message
    assert "rebuild" in str(caught.value.hint)
