"""The wheelhouse's pure parts: reading uv's pins, and choosing the one file per pin that the
image's Python and platform install."""

from __future__ import annotations

import pytest
from packaging.version import Version

from release.core.errors import ConfigError
from release.images._wheelhouse import (
    NoCompatibleWheel,
    Pin,
    Target,
    choose_file,
    parse_pins,
    platform_tags,
    requirements_text,
)
from release.index.simple_api import ListedFile

A, B, C, D = "a" * 64, "b" * 64, "c" * 64, "d" * 64

COMPILED = """\
anyio==4.16.0 \\
    --hash=sha256:aaaa \\
    --hash=sha256:bbbb
# a comment uv might write
Typing_Extensions==4.16.0 \\
    --hash=sha256:cccc
uvicorn==0.54.0
"""


def test_parse_pins() -> None:
    assert parse_pins(COMPILED) == [
        Pin("anyio", Version("4.16.0"), frozenset({"aaaa", "bbbb"})),
        Pin("typing-extensions", Version("4.16.0"), frozenset({"cccc"})),
        Pin("uvicorn", Version("0.54.0"), frozenset()),
    ]


@pytest.mark.parametrize("line", ["anyio>=4 \\\n    --hash=sha256:aaaa", "-e ./src", "anyio"])
def test_an_unpinned_line_is_refused(line: str) -> None:
    with pytest.raises(ConfigError, match="not a pinned requirement"):
        parse_pins(line)


def test_bookworm_platform_tags_run_from_its_glibc_down_with_the_legacy_aliases() -> None:
    tags = platform_tags("x86_64-manylinux_2_36")
    assert tags[:2] == ["manylinux_2_36_x86_64", "manylinux_2_35_x86_64"]
    assert tags[-2:] == ["manylinux_2_5_x86_64", "manylinux1_x86_64"]
    assert tags.index("manylinux2014_x86_64") == tags.index("manylinux_2_17_x86_64") + 1
    assert "manylinux_2_37_x86_64" not in tags
    assert platform_tags("aarch64-manylinux2014")[0] == "manylinux_2_17_aarch64"


@pytest.mark.parametrize("platform", ["linux", "x86_64-unknown-linux-musl", "x86_64-manylinux_2"])
def test_a_platform_that_is_not_manylinux_is_refused(platform: str) -> None:
    with pytest.raises(ConfigError, match="is not ARCH-manylinux_2_M"):
        platform_tags(platform)


def test_a_python_that_is_not_major_minor_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"is not MAJOR\.MINOR"):
        Target("3").tags()


def wheel(filename: str, sha256: str | None = A) -> ListedFile:
    return ListedFile(filename, f"https://files.example.invalid/{filename}", sha256)


PIN = Pin("granian", Version("2.8.7"), frozenset({A, B, C}))
PY311 = Target("3.11")
CHOICES = [
    # (listed files, the one chosen)
    (["granian-2.8.7-py3-none-any.whl"], "granian-2.8.7-py3-none-any.whl"),
    (
        [
            "granian-2.8.7.tar.gz",
            "granian-2.8.7-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "granian-2.8.7-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
            "granian-2.8.7-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "granian-2.8.7-cp311-cp311-musllinux_1_1_x86_64.whl",
            "granian-2.8.7-cp311-cp311-win_amd64.whl",
        ],
        "granian-2.8.7-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    ),
    (
        [
            "granian-2.8.7-py3-none-any.whl",
            "granian-2.8.7-cp311-abi3-manylinux_2_28_x86_64.whl",
            "granian-2.8.7-cp311-cp311-manylinux_2_5_x86_64.manylinux1_x86_64.whl",
        ],
        "granian-2.8.7-cp311-cp311-manylinux_2_5_x86_64.manylinux1_x86_64.whl",
    ),
    (
        ["granian-2.8.7-py3-none-any.whl", "granian-2.8.7-cp38-abi3-manylinux_2_28_x86_64.whl"],
        "granian-2.8.7-cp38-abi3-manylinux_2_28_x86_64.whl",
    ),
]


@pytest.mark.parametrize(("files", "chosen"), CHOICES)
def test_choose_the_most_specific_compatible_wheel(files: list[str], chosen: str) -> None:
    assert choose_file([wheel(f) for f in files], PIN, PY311).filename == chosen


UNINSTALLABLE = [
    ["granian-2.8.7-cp311-cp311-manylinux_2_38_x86_64.whl"],  # a newer glibc than bookworm's
    ["granian-2.8.7-cp312-cp312-manylinux_2_17_x86_64.whl"],
    ["granian-2.8.7-cp311-cp311-macosx_11_0_arm64.whl", "granian-2.8.7.tar.gz"],
    ["granian-2.8.6-py3-none-any.whl", "uvicorn-2.8.7-py3-none-any.whl"],
    [],
]


@pytest.mark.parametrize("files", UNINSTALLABLE)
def test_no_compatible_wheel_is_refused_with_a_hint(files: list[str]) -> None:
    with pytest.raises(NoCompatibleWheel) as caught:
        choose_file([wheel(f) for f in files], PIN, PY311)
    assert caught.value.message.startswith("granian 2.8.7 has no wheel for CPython 3.11")
    assert "python" in str(caught.value.hint)


def test_only_a_file_with_a_compiled_hash_is_chosen() -> None:
    fitting = "granian-2.8.7-cp311-cp311-manylinux_2_17_x86_64.whl"
    listing = [wheel(fitting, D), wheel(fitting, None), wheel("granian-2.8.7-py3-none-any.whl", B)]
    assert choose_file(listing, PIN, PY311).filename == "granian-2.8.7-py3-none-any.whl"
    with pytest.raises(NoCompatibleWheel):
        choose_file(listing[:2], PIN, PY311)


def test_python_313_takes_its_own_wheels() -> None:
    files = [
        "granian-2.8.7-cp311-cp311-manylinux_2_17_x86_64.whl",
        "granian-2.8.7-cp313-cp313-manylinux_2_17_x86_64.whl",
        "granian-2.8.7-cp313-cp313t-manylinux_2_17_x86_64.whl",
    ]
    chosen = choose_file([wheel(f) for f in files], PIN, Target("3.13"))
    assert chosen.filename == files[1]


def test_requirements_carry_the_chosen_files_hash_only() -> None:
    chosen = wheel("granian-2.8.7-py3-none-any.whl", B)
    text = requirements_text([(PIN, chosen)])
    assert text == f"granian==2.8.7 --hash=sha256:{B}\n"
