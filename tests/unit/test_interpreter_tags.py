"""Wheel tags from any interpreter a lane may declare: a standard-library probe runs inside it (3.9
cannot run our packaging) and the tags are computed here, as that interpreter's own packaging
would give them."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.tags import Tag, sys_tags

from release.artifacts import compiled, tags
from release.core import interpreters

OTHERS = interpreters.installed(["3.9", "3.10", "3.12", "3.13"], os.environ)
# What an interpreter's own pip says: its vendored packaging runs on it, whatever its age.
PIP_TAGS = "from pip._vendor.packaging.tags import sys_tags; print(*sys_tags(), sep='\\n')"


def test_this_interpreter_gets_exactly_what_packaging_says_here() -> None:
    assert compiled.interpreter_tags(Path(sys.executable)) == list(sys_tags())


@pytest.mark.parametrize("version", sorted(OTHERS))
def test_another_interpreter_gets_what_its_own_packaging_says(version: str) -> None:
    python = OTHERS[version]
    ours = compiled.interpreter_tags(python)
    argv: list[str | Path] = [python, "-I", "-c", PIP_TAGS]
    said = subprocess.run(argv, check=False, capture_output=True, text=True)
    if said.returncode != 0:
        pytest.skip(f"Python {version} has no pip to ask")
    theirs = [Tag(*line.split("-")) for line in said.stdout.split()]
    nodot = version.replace(".", "")
    assert ours[0].interpreter == ours[0].abi == f"cp{nodot}"
    # Older packaging lacks `cpXY-none-any` and puts plain linux_* after manylinux: the rest agrees.
    assert set(ours) - set(theirs) <= {Tag(f"cp{nodot}", "none", "any")}
    assert set(theirs) <= set(ours)
    many = [t for t in theirs if t.platform.startswith("manylinux")]
    assert [t for t in ours if t.platform.startswith("manylinux")] == many


HERE = tags.Facts(
    "cpython", (3, 9), 0, None, 0, refcount=False, debug_ext=False, ext_suffix=".so",
    system=tags.here()[0], machine=tags.here()[1], bits=tags.here()[2], libc=tags.here()[3],
    platform="linux-x86_64",
)  # fmt: skip


def native() -> list[str]:
    return ["manylinux_2_17_x86_64", "linux_x86_64"]


def test_a_free_threaded_build_takes_its_own_abi_and_no_abi3() -> None:
    found = tags.tags_from(dataclasses.replace(HERE, version=(3, 13), gil_disabled=1), native)
    assert found[0] == Tag("cp313", "cp313t", "manylinux_2_17_x86_64")
    assert not any(t.abi == "abi3" for t in found)


def test_a_debug_build_takes_debug_wheels_first_then_plain_ones() -> None:
    found = tags.tags_from(dataclasses.replace(HERE, py_debug=1), native)
    assert [t.abi for t in found[:4]] == ["cp39d", "cp39d", "cp39", "cp39"]
    assert Tag("cp38", "abi3", "linux_x86_64") in found


def test_an_interpreter_on_another_platform_gets_its_plain_platform_only() -> None:
    thirty_two = dataclasses.replace(HERE, bits=32, platform="linux-i686")
    found = tags.tags_from(thirty_two, native)
    assert {t.platform for t in found} == {"linux_i686", "any"}


def test_another_implementation_is_tagged_from_its_extension_suffix() -> None:
    pypy = dataclasses.replace(
        HERE, implementation="pypy", ext_suffix=".pypy39-pp73-x86_64-linux-gnu.so"
    )
    found = tags.tags_from(pypy, native)
    assert found[0] == Tag("pp39", "pypy39_pp73", "manylinux_2_17_x86_64")
    assert Tag("pp3", "none", "any") in found
