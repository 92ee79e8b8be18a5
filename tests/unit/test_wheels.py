"""Compiled projects' pure parts: PyPI's platform-tag rule, the wheel an interpreter installs,
the manifest's choice among several wheels, and the verification of prebuilt wheels."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from packaging.tags import Tag, compatible_tags, cpython_tags

from release.artifacts import prebuilt, wheels
from release.artifacts.manifest import DistFile, Manifest, wheel_fitting
from release.artifacts.metadata import wheel_file_tags
from release.core.errors import (
    ConfigError,
    IntegrityError,
    NoWheelFits,
    PlatformRefused,
    VersionMismatch,
)
from release.versioning.versions import parse_version

PLATFORMS = ["manylinux_2_36_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"]
PLATFORMS += ["linux_x86_64"]


def cpython(minor: int) -> list[Tag]:
    """What CPython 3.`minor` on a glibc 2.36 x86_64 machine installs, most preferred first."""
    version, abi = (3, minor), f"cp3{minor}"
    return [*cpython_tags(version, [abi], PLATFORMS), *compatible_tags(version, abi, PLATFORMS)]


CP311, CP312, CP313 = cpython(11), cpython(12), cpython(13)
ACCEPTED = [
    "any", "win_amd64", "manylinux2014_x86_64", "manylinux_2_17_x86_64", "manylinux_2_5_x86_64",
    "musllinux_1_2_aarch64", "manylinux_2_31_riscv64", "macosx_10_9_x86_64", "macosx_11_0_arm64",
    "macosx_14_0_universal2", "linux_armv7l", "ios_13_0_arm64_iphoneos", "android_21_arm64_v8a",
]  # fmt: skip
REFUSED = [
    "linux_x86_64", "linux_aarch64", "linux_i686", "macosx_11_1_arm64", "macosx_9_0_x86_64",
    "manylinux_2_17_sparc", "musllinux_1_2_ppc64", "emscripten_3_1_58_wasm32", "freebsd_14_0_amd64",
]  # fmt: skip


@pytest.mark.parametrize("platform", ACCEPTED)
def test_pypi_accepts_these_platform_tags(platform: str) -> None:
    assert wheels.pypi_accepts_platform(platform)


@pytest.mark.parametrize("platform", REFUSED)
def test_pypi_refuses_these_platform_tags(platform: str) -> None:
    assert not wheels.pypi_accepts_platform(platform)


def test_every_platform_of_a_compressed_tag_set_is_judged() -> None:
    repaired = "x-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    assert wheels.refused_platforms(repaired) == []
    assert wheels.refused_platforms("x-1.0-cp312-cp312-manylinux1_x86_64.linux_x86_64.whl") == [
        "linux_x86_64"
    ]


def test_a_linux_wheel_is_refused_with_the_fix() -> None:
    raw = "fastsum-1.0.0rc1-cp311-cp311-linux_x86_64.whl"
    with pytest.raises(PlatformRefused) as caught:
        wheels.refuse_unsupported(["fastsum-1.0.0rc1.tar.gz", raw])
    assert caught.value.message == f"{raw} has the platform tag 'linux_x86_64', which PyPI refuses"
    assert "auditwheel repair" in str(caught.value.hint)
    assert "--prebuilt DIR" in str(caught.value.hint)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("filename", "specific"),
    [
        ("x-1.0-py3-none-any.whl", False),
        ("x-1.0-py2.py3-none-any.whl", False),
        ("x-1.0-cp311-cp311-linux_x86_64.whl", True),
        ("x-1.0-cp311-abi3-manylinux_2_17_x86_64.whl", True),
        ("x-1.0-py3-none-manylinux_2_17_x86_64.whl", True),
    ],
)
def test_platform_specific_wheels(filename: str, specific: bool) -> None:
    assert wheels.is_platform_specific(filename) is specific


BUILT = [
    "fastsum-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    "fastsum-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    "fastsum-1.0-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
]


@pytest.mark.parametrize(("supported", "chosen"), [(CP311, 0), (CP312, 1), (CP313, 2)])
def test_each_interpreter_gets_the_wheel_of_its_own_abi(supported: list[Tag], chosen: int) -> None:
    assert wheels.best_wheel(BUILT, supported) == BUILT[chosen]


def test_the_most_specific_fitting_wheel_wins_as_an_installer_picks_it() -> None:
    offered = ["x-1.0-py3-none-any.whl", "x-1.0-cp311-abi3-manylinux_2_17_x86_64.whl"]
    assert wheels.best_wheel(offered, CP313) == offered[1]
    assert wheels.best_wheel(offered[:1], CP313) == offered[0]
    assert wheels.best_wheel(["x-1.0-cp311-cp311-win_amd64.whl"], CP311) is None


def manifest(*names: str) -> Manifest:
    files = (DistFile("fastsum-1.0.tar.gz", "0" * 64, 1),)
    return Manifest("fastsum", "1.0", files + tuple(DistFile(n, n[-20:], 2) for n in names))


def test_the_manifest_holds_several_wheels_and_picks_one_for_a_set_of_tags() -> None:
    built = manifest(*BUILT)
    assert [w.filename for w in built.wheels] == BUILT
    assert built.wheel_for(CP312) == built.file(BUILT[1])
    with pytest.raises(IntegrityError):  # a step that takes one wheel must not guess among three
        _ = built.wheel
    assert manifest("fastsum-1.0-py3-none-any.whl").wheel.filename == "fastsum-1.0-py3-none-any.whl"


def test_an_interpreter_no_wheel_fits_is_told_which_tags_exist_and_which_it_takes() -> None:
    with pytest.raises(NoWheelFits) as caught:
        wheel_fitting(manifest(*BUILT[:2]), CP313, "3.13")
    message = caught.value.message
    assert message.startswith("no wheel of fastsum 1.0 fits Python 3.13 here: the wheels are ")
    assert "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64, cp312-cp312-" in message
    assert message.endswith(
        "; this interpreter takes cp313-cp313, cp{313..32}-abi3, cp313-none, py{313..30}-none, "
        "on manylinux_2_36_x86_64, manylinux_2_17_x86_64, manylinux2014_x86_64, linux_x86_64 or any"
    )
    assert "Python 3.13" in str(caught.value.hint)
    assert caught.value.exit_code == 1


def make_wheel(
    folder: Path,
    filename: str,
    *,
    name: str = "fastsum",
    version: str = "1.0.0rc1",
    tags: tuple[str, ...] = ("cp312-cp312-manylinux_2_17_x86_64",),
) -> Path:
    """A wheel archive as a build frontend writes one: METADATA and WHEEL in its dist-info."""
    folder.mkdir(parents=True, exist_ok=True)
    named, version_part, _ = filename.split("-", 2)
    info = f"{named}-{version_part}.dist-info"
    wheel_file = "Wheel-Version: 1.0\nRoot-Is-Purelib: false\n" + "".join(
        f"Tag: {t}\n" for t in tags
    )
    with zipfile.ZipFile(folder / filename, "w") as archive:
        archive.writestr(
            f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        )
        archive.writestr(f"{info}/WHEEL", wheel_file)
    return folder / filename


GOOD = "fastsum-1.0.0rc1-cp312-cp312-manylinux_2_17_x86_64.whl"
RC1 = parse_version("1.0.0rc1")


def test_a_prebuilt_wheel_that_agrees_everywhere_is_taken(tmp_path: Path) -> None:
    made = make_wheel(tmp_path / "w", GOOD)
    assert prebuilt.verified(tmp_path / "w", "FastSum", RC1) == [made]
    assert {str(t) for t in wheel_file_tags(made)} == {"cp312-cp312-manylinux_2_17_x86_64"}


def test_a_prebuilt_wheel_of_another_version_is_refused(tmp_path: Path) -> None:
    make_wheel(
        tmp_path / "w", "fastsum-1.0.0rc2-cp312-cp312-manylinux_2_17_x86_64.whl", version="1.0.0rc2"
    )
    with pytest.raises(VersionMismatch) as caught:
        prebuilt.verified(tmp_path / "w", "fastsum", RC1)
    assert caught.value.message == (
        "fastsum-1.0.0rc2-cp312-cp312-manylinux_2_17_x86_64.whl is version 1.0.0rc2 (its "
        "metadata: 1.0.0rc2), but the release is 1.0.0rc1"
    )
    assert "v1.0.0rc1" in str(caught.value.hint)


def test_a_prebuilt_wheel_whose_metadata_says_another_version_is_refused(tmp_path: Path) -> None:
    make_wheel(tmp_path / "w", GOOD, version="0.9.0")
    with pytest.raises(VersionMismatch, match=r"its metadata: 0\.9\.0"):
        prebuilt.verified(tmp_path / "w", "fastsum", RC1)


@pytest.mark.parametrize(
    ("filename", "kwargs", "refusal"),
    [
        (GOOD, {"name": "other"}, r"is a wheel of fastsum \(its metadata: other\), not of fastsum"),
        ("other-1.0.0rc1-cp312-cp312-manylinux_2_17_x86_64.whl", {"name": "other"},
         "is a wheel of other"),
        (GOOD, {"tags": ("cp311-cp311-manylinux_2_17_x86_64",)}, "declares other tags"),
    ],
)  # fmt: skip
def test_a_prebuilt_wheel_that_disagrees_is_refused(
    tmp_path: Path, filename: str, kwargs: dict[str, object], refusal: str
) -> None:
    make_wheel(tmp_path / "w", filename, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=refusal):
        prebuilt.verified(tmp_path / "w", "fastsum", RC1)


def test_a_prebuilt_linux_wheel_is_refused_as_pypi_would(tmp_path: Path) -> None:
    raw = "fastsum-1.0.0rc1-cp312-cp312-linux_x86_64.whl"
    make_wheel(tmp_path / "w", raw, tags=("cp312-cp312-linux_x86_64",))
    with pytest.raises(PlatformRefused, match="'linux_x86_64', which PyPI refuses"):
        prebuilt.verified(tmp_path / "w", "fastsum", RC1)


def test_a_folder_without_wheels_is_refused(tmp_path: Path) -> None:
    (tmp_path / "w").mkdir()
    with pytest.raises(ConfigError, match="holds no wheel"):
        prebuilt.verified(tmp_path / "w", "fastsum", RC1)
