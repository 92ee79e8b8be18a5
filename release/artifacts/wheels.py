"""Wheel tags (pure): which wheels are platform-specific, which platform tags PyPI accepts, and
which wheel an interpreter installs.

PyPI's rule is its upload check (warehouse's `_valid_platform_tag`), restated here: a fixed list
(`any`, Windows, the legacy manylinux tags, `linux_armv6l`/`linux_armv7l`), macOS by version and
arch, PEP 600 manylinux and PEP 656 musllinux by arch, iOS and Android by arch. Anything else —
`linux_x86_64` above all, what a plain `python -m build` of a C extension makes — is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from packaging.tags import Tag
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from release.core.errors import NoWheelFits, PlatformRefused

_ALLOWED = frozenset({
    "any", "win32", "win_arm64", "win_amd64", "win_ia64",
    "manylinux1_x86_64", "manylinux1_i686", "manylinux2010_x86_64", "manylinux2010_i686",
    "manylinux2014_x86_64", "manylinux2014_i686", "manylinux2014_aarch64",
    "manylinux2014_armv7l", "manylinux2014_ppc64", "manylinux2014_ppc64le", "manylinux2014_s390x",
    "linux_armv6l", "linux_armv7l",
})  # fmt: skip
_MACOS = re.compile(r"macosx_(?P<major>\d+)_(?P<minor>\d+)_(?P<arch>.*)")
_MACOS_ARCHES = frozenset({
    "ppc", "ppc64", "i386", "x86_64", "arm64", "intel", "fat", "fat3", "fat64", "universal",
    "universal2",
})  # fmt: skip
_MACOS_MAJORS = frozenset({"11", "12", "13", "14", "15", "26"})  # 10 has rules of its own
_LINUX = re.compile(r"(?P<libc>many|musl)linux_(\d+)_(\d+)_(?P<arch>.*)")
_JOINT_LINUX = frozenset({"x86_64", "i686", "aarch64", "armv7l", "ppc64le", "s390x", "riscv64"})
_LINUX_ARCHES = {"many": _JOINT_LINUX | {"ppc64"}, "musl": _JOINT_LINUX}
_IOS = re.compile(r"ios_(\d+)_(\d+)_(?P<arch>.*)_(iphoneos|iphonesimulator)")
_ANDROID = re.compile(r"android_(\d+)_(?P<arch>.*)")
_MOBILE_ARCHES = {
    _IOS: frozenset({"arm64", "x86_64"}),
    _ANDROID: frozenset({"armeabi_v7a", "arm64_v8a", "x86", "x86_64"}),
}


def pypi_accepts_platform(platform: str) -> bool:
    """Whether PyPI's upload check accepts this one platform tag."""
    if platform in _ALLOWED:
        return True
    if (mac := _MACOS.match(platform)) and mac["arch"] in _MACOS_ARCHES:
        return mac["major"] == "10" or (mac["major"] in _MACOS_MAJORS and mac["minor"] == "0")
    if linux := _LINUX.match(platform):
        return linux["arch"] in _LINUX_ARCHES[linux["libc"]]
    return any(
        (found := pattern.match(platform)) is not None and found["arch"] in arches
        for pattern, arches in _MOBILE_ARCHES.items()
    )


def refused_platforms(filename: str) -> list[str]:
    """The platform tags of a wheel's name that PyPI refuses, in the name's order."""
    platforms = dict.fromkeys(t.platform for t in tags_of(filename))
    return [p for p in platforms if not pypi_accepts_platform(p)]


def refuse_unsupported(filenames: Iterable[str]) -> None:
    """PlatformRefused for the first wheel PyPI would refuse for its platform tag."""
    for filename in filenames:
        if refused := refused_platforms(filename):
            raise PlatformRefused(
                f"{filename} has the platform tag {refused[0]!r}, which PyPI refuses",
                hint=_PLATFORM_FIX,
            )


_PLATFORM_FIX = (
    "repair it to a manylinux tag (`auditwheel repair`; `staged-release build` does it on Linux), "
    "or build the wheels with cibuildwheel and pass them with `staged-release build --prebuilt DIR`"
)


def is_platform_specific(filename: str) -> bool:
    """A wheel for one interpreter ABI or platform (a C extension's), not `py3-none-any`."""
    return any(t.abi != "none" or t.platform != "any" for t in tags_of(filename))


def tags_of(filename: str) -> frozenset[Tag]:
    """The tags a wheel's file name carries (empty for no wheel name)."""
    try:
        return parse_wheel_filename(filename)[3]
    except InvalidWheelFilename:
        return frozenset()


def best_wheel(filenames: Iterable[str], supported: Sequence[Tag]) -> str | None:
    """The wheel an installer would pick for an interpreter supporting `supported` (most
    preferred first, as `packaging.tags.sys_tags()` lists them); None when none fits."""
    rank = {tag: i for i, tag in enumerate(supported)}
    ranked = [
        (min(rank[t] for t in tags), name)
        for name in filenames
        if (tags := [t for t in tags_of(name) if t in rank])
    ]
    return min(ranked)[1] if ranked else None


def no_wheel_fits(
    filenames: Sequence[str], supported: Sequence[Tag], who: str, python: str
) -> NoWheelFits:
    """The error of a cell whose interpreter none of `filenames` fits: what exists, what fits."""
    have = ", ".join(sorted(_tag_part(f) for f in filenames)) or "none"
    return NoWheelFits(
        f"no wheel of {who} fits Python {python} here: the wheels are tagged {have}; this "
        f"interpreter takes {summarize(supported)}",
        hint=f"build a wheel with Python {python} (`staged-release build` where python{python} "
        "is installed), or add one built elsewhere with `staged-release build --prebuilt DIR`",
    )


def summarize(supported: Sequence[Tag]) -> str:
    """An interpreter's tags in one line, in `sys_tags()` order, runs of one family folded:
    `cp313-cp313, cp{313..32}-abi3, ... on linux_x86_64, manylinux_2_{36..5}_x86_64, ...`."""
    pairs = _folded(f"{t.interpreter}-{t.abi}" for t in supported)
    platforms = _folded(t.platform for t in supported if t.platform != "any")
    where = f"on {', '.join(platforms)} or any" if platforms else "on any platform"
    return f"{', '.join(pairs)}, {where}"


_NUMBERED = re.compile(r"(?P<head>[a-z_]*?(?:linux_\d+_)?|[a-z]+)(?P<number>\d+)(?P<tail>\D.*)")


def _folded(names: Iterable[str]) -> list[str]:
    """Distinct names in first-seen order; a family differing only in one number (cp313-abi3,
    cp312-abi3, ...) shown once as `cp{313..32}-abi3` when it has more than three members."""
    families: dict[tuple[str, str], list[str]] = {}
    for name in dict.fromkeys(names):
        found = _NUMBERED.fullmatch(name)
        key = (found["head"], found["tail"]) if found else (name, "")
        families.setdefault(key, []).append(found["number"] if found else "")
    return [
        f"{head}{{{numbers[0]}..{numbers[-1]}}}{tail}" if len(numbers) > 3 else
        ", ".join(f"{head}{n}{tail}" for n in numbers)
        for (head, tail), numbers in families.items()
    ]  # fmt: skip


def _tag_part(filename: str) -> str:
    """`cp312-cp312-manylinux_2_17_x86_64` of a wheel's file name."""
    return "-".join(filename.removesuffix(".whl").split("-")[-3:])
