"""The wheel tags an interpreter installs, for any CPython a lane may declare (3.9 included).

`packaging` itself cannot run inside an older interpreter (its newer releases use syntax 3.9 does
not have), so PROBE, standard library only and written for any Python 3, prints the facts the
tags depend on, and `tags_from` computes the tags here with packaging's public functions,
in the order `packaging.tags.sys_tags()` gives them under that interpreter. Platform tags (the
manylinux levels, which depend on the C library) come from this process when the interpreter
runs on the same platform (system, machine, word size, C library) as this one; otherwise only
its own platform's plain tag.
"""

from __future__ import annotations

import json
import os
import platform
import struct
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from packaging.tags import (
    INTERPRETER_SHORT_NAMES,
    Tag,
    compatible_tags,
    cpython_tags,
    generic_tags,
    platform_tags,
)

# Run by the interpreter asked (with -I): any Python 3, nothing but its standard library.
PROBE = r"""
import json, os, platform, struct, sys, sysconfig
from importlib.machinery import EXTENSION_SUFFIXES
var = sysconfig.get_config_var
try:
    libc = os.confstr("CS_GNU_LIBC_VERSION")
except (AttributeError, OSError, ValueError):
    libc = None
print(json.dumps({
    "implementation": sys.implementation.name, "version": list(sys.version_info[:2]),
    "py_debug": var("Py_DEBUG"), "gil_disabled": var("Py_GIL_DISABLED"),
    "pymalloc": var("WITH_PYMALLOC"), "refcount": hasattr(sys, "gettotalrefcount"),
    "debug_ext": "_d.pyd" in EXTENSION_SUFFIXES, "ext_suffix": var("EXT_SUFFIX"),
    "system": sys.platform, "machine": platform.machine(), "bits": struct.calcsize("P") * 8,
    "libc": libc, "platform": sysconfig.get_platform(),
}))
"""


@dataclass(frozen=True)
class Facts:
    """What an interpreter said of itself (PROBE's answer)."""

    implementation: str  # sys.implementation.name: "cpython", "pypy"
    version: tuple[int, int]
    py_debug: object  # sysconfig's Py_DEBUG: 1, 0, or None where it is not set
    gil_disabled: object  # Py_GIL_DISABLED (3.13+: the free-threaded build)
    pymalloc: object  # WITH_PYMALLOC (before 3.8 it named an ABI)
    refcount: bool  # sys.gettotalrefcount exists: a debug build
    debug_ext: bool  # it loads `_d.pyd` extensions: a Windows debug build
    ext_suffix: str | None
    system: str  # sys.platform
    machine: str
    bits: int
    libc: str | None  # "glibc 2.36"; None: another C library
    platform: str  # sysconfig.get_platform()

    @classmethod
    def parse(cls, text: str) -> Facts:
        data = json.loads(text)
        return cls(**{**data, "version": tuple(data["version"][:2])})

    @property
    def where(self) -> tuple[str, str, int, str | None]:
        """What decides the platform tags it installs."""
        return (self.system, self.machine, self.bits, self.libc)


def here() -> tuple[str, str, int, str | None]:
    """This process's `Facts.where`."""
    try:
        libc: str | None = os.confstr("CS_GNU_LIBC_VERSION")
    except (AttributeError, OSError, ValueError):
        libc = None
    return (sys.platform, platform.machine(), struct.calcsize("P") * 8, libc)


def glibc_policy() -> str | None:
    """This machine's own manylinux policy (`manylinux_2_36_x86_64`), None without glibc."""
    system, machine, _, libc = here()
    name, _, version = (libc or "").partition(" ")
    if not system.startswith("linux") or name != "glibc":
        return None
    return f"manylinux_{_plain(version)}_{machine}"


def tags_from(facts: Facts, native: Callable[[], Iterable[str]] = platform_tags) -> list[Tag]:
    """The tags an interpreter with these facts installs, most preferred first (pure but for
    `native`: this process's platform tags, taken when the interpreter shares its platform)."""
    platforms = list(native()) if facts.where == here() else [_plain(facts.platform)]
    nodot = f"{facts.version[0]}{facts.version[1]}"
    if facts.implementation == "cpython":
        found = list(cpython_tags(facts.version, _cpython_abis(facts), platforms))
        interpreter: str | None = f"cp{nodot}"
    else:
        short = INTERPRETER_SHORT_NAMES.get(facts.implementation, facts.implementation)
        found = list(generic_tags(f"{short}{nodot}", _generic_abis(facts), platforms))
        interpreter = "pp3" if short == "pp" else None
    return found + list(compatible_tags(facts.version, interpreter, platforms))


def _cpython_abis(facts: Facts) -> list[str]:
    """CPython's ABI tags as packaging names them: `cp39`, `cp313t` (free-threaded), `cp39d`
    (debug, which loads plain extensions too), `cp37m` (pymalloc, before 3.8)."""
    nodot = f"{facts.version[0]}{facts.version[1]}"
    debug_build = facts.py_debug or (facts.py_debug is None and (facts.refcount or facts.debug_ext))
    debug = "d" if debug_build else ""
    threading = "t" if facts.version >= (3, 13) and facts.gil_disabled else ""
    pymalloc = "m" if facts.version < (3, 8) and facts.pymalloc in (1, None) else ""
    abis = [f"cp{nodot}{threading}{debug}{pymalloc}"]
    if debug and facts.version >= (3, 8):
        abis.append(f"cp{nodot}{threading}")
    return abis


def _generic_abis(facts: Facts) -> list[str]:
    """Another implementation's ABI, from its extension suffix (`.pypy39-pp73-x86_64-linux-gnu.so`
    gives `pypy39_pp73`)."""
    parts = (facts.ext_suffix or "").split(".")
    if len(parts) < 3 or not parts[1]:
        return []
    soabi = parts[1]
    keep = 2 if soabi.startswith("pypy") else 3 if soabi.startswith("graalpy") else 1
    return [_plain("-".join(soabi.split("-")[:keep]))]


def _plain(name: str) -> str:
    """A tag's spelling of a platform or ABI name: `linux-x86_64` gives `linux_x86_64`."""
    return name.replace(".", "_").replace("-", "_").replace(" ", "_")
