"""What a built wheel says about itself, read in one place: its requirements, its modules, and
a refusal that names the file when it is no wheel at all."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from release.artifacts.metadata import (
    built_version,
    runtime_requirements,
    top_level_modules,
    wheel_metadata,
    wheel_modules,
)
from release.core.errors import IntegrityError

WHEEL = "x-1.0-py3-none-any.whl"

TOP_LEVEL = [
    (
        ["proxbox_api/__init__.py", "proxbox_api/app.py", "x-1.0.dist-info/METADATA"],
        ["proxbox_api"],
    ),
    (["single.py", "x-1.0.dist-info/RECORD"], ["single"]),
    (["b/__init__.py", "a.py", "b/sub/__init__.py", "c/__init__.py"], ["a", "b", "c"]),
    (["x-1.0.data/purelib/hidden.py", "x-1.0.data/scripts/tool", "x-1.0.dist-info/x.py"], []),
    (["README.md", "data/file.json"], []),
    (["ns/only_a_module.py"], ["ns"]),  # a namespace package
    (["fast.cpython-312-x86_64-linux-gnu.so", "x-1.0.dist-info/RECORD"], ["fast"]),
]


@pytest.mark.parametrize(("names", "modules"), TOP_LEVEL)
def test_top_level_modules(names: list[str], modules: list[str]) -> None:
    assert top_level_modules(names) == modules


def make_wheel(path: Path, metadata: str | None, *files: str) -> Path:
    """A wheel as a backend writes one: modules, data, and the dist-info (METADATA unless None)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("x/__init__.py", *files):
            archive.writestr(name, "")
        if metadata is not None:
            archive.writestr("x-1.0.dist-info/METADATA", metadata)
        archive.writestr("x-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\n")
        archive.writestr("x-1.0.dist-info/RECORD", "")
    return path


METADATA = """\
Metadata-Version: 2.4
Name: x
Version: 1.0
Requires-Dist: httpx>=0.28
Requires-Dist: tomli>=2.0; python_version < "3.11"
Requires-Dist: pytest>=8; extra == "dev"
Requires-Dist: rich; extra == 'cli' and python_version >= "3.12"
Requires-Dist: packaging
Provides-Extra: dev
Provides-Extra: cli

A description.
"""


def test_runtime_requirements_keep_every_marker_for_uv_to_evaluate(tmp_path: Path) -> None:
    """The cell's Python decides python_version; uv reads `extra == ...` as false."""
    wheel = make_wheel(tmp_path / WHEEL, METADATA)
    assert runtime_requirements(wheel) == [
        "httpx>=0.28",
        'tomli>=2.0; python_version < "3.11"',
        'pytest>=8; extra == "dev"',
        "rich; extra == 'cli' and python_version >= \"3.12\"",
        "packaging",
    ]


def test_a_wheel_without_requirements_has_none(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / WHEEL, "Metadata-Version: 2.4\nName: x\n")
    assert runtime_requirements(wheel) == []


def test_the_metadata_and_the_modules_of_one_wheel(tmp_path: Path) -> None:
    files = (
        "x/sub/mod.py",
        "single.py",
        "fast.cpython-312-x86_64-linux-gnu.so",
        "x-1.0.data/scripts/tool",
    )
    wheel = make_wheel(tmp_path / WHEEL, METADATA, *files)
    assert (wheel_metadata(wheel)["Name"], wheel_metadata(wheel)["Version"]) == ("x", "1.0")
    assert built_version(wheel) == "1.0"
    assert wheel_modules(wheel) == ["fast", "single", "x"]


def test_a_metadata_file_below_the_top_is_not_the_wheels(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / WHEEL, None, "vendored/y-2.0.dist-info/METADATA")
    with pytest.raises(IntegrityError) as caught:
        runtime_requirements(wheel)
    assert caught.value.message == f"the wheel {wheel} has no *.dist-info/METADATA at its top"
    assert "build it again" in str(caught.value.hint)


@pytest.mark.parametrize("read", [wheel_metadata, runtime_requirements, wheel_modules])
def test_a_file_that_is_no_zip_is_refused_naming_it(
    tmp_path: Path, read: Callable[[Path], object]
) -> None:
    broken = tmp_path / WHEEL
    broken.write_bytes(b"<html>503 Service Unavailable</html>")
    with pytest.raises(IntegrityError) as caught:
        read(broken)
    assert caught.value.message.startswith(f"the wheel {broken} cannot be read as a zip archive")
    assert "the build stage" in str(caught.value.hint)


def test_a_truncated_wheel_is_refused_and_reads_as_no_version(tmp_path: Path) -> None:
    whole = make_wheel(tmp_path / "whole.whl", METADATA).read_bytes()
    truncated = tmp_path / WHEEL
    truncated.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(IntegrityError):
        runtime_requirements(truncated)
    assert built_version(truncated) is None  # the build stage names the mismatch instead
