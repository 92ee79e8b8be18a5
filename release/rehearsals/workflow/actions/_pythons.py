"""actions/setup-python (v6) on this machine: the interpreters it already has, found as the
suite finds them (release.core.interpreters: PATH first, pyenv's shims skipped, then the
newest under `$(pyenv root)/versions`), never downloaded.

Each listed version in turn is put first on PATH (so the last listed is `python`, as with the
real action), through a directory of links (python, python3, pythonX.Y, pip...) in the job's
temp, plus the interpreter's own bin directory when PATH lacks it (where pip puts scripts).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version

from release.core import interpreters, runner
from release.core.errors import ActionFailed, StandInRefused
from release.rehearsals.workflow.actions._job import Job, info, warning

_PLAIN = re.compile(r"(\d+)(?:\.(\d+|x))?(?:\.(\d+|x))?")
_PRE = re.compile(r"\d+\.\d+\.\d+(?:a|b|rc)\d+")
_DEV = re.compile(r"(\d+\.\d+)-dev")
_EXE = re.compile(r"python(\d+\.\d+)")  # pythonX.Y
_PROBE = (
    "import platform, sys; print(platform.python_version().rstrip('+')); print(sys.base_prefix)"
)


@dataclass(frozen=True)
class Spec:
    text: str
    release: tuple[int, ...]  # the leading numbers a match must share
    exact: Version | None  # X.Y.Z or a pre-release: that version only
    pre_ok: bool  # pre-releases may match (X.Y with allow-prereleases, X.Y-dev)


@dataclass(frozen=True)
class Interpreter:
    version: Version
    text: str  # as the real action reports it: "3.12.1", "3.14.0rc1"
    exe: Path
    prefix: Path
    on_path: bool


def spec(text: str, allow_prereleases: bool) -> Spec:
    """The forms the local setup-python reads: X, X.x, X.Y, X.Y.x, X.Y.Z, X.Y.ZrcN, X.Y-dev."""
    if (dev := _DEV.fullmatch(text)) is not None:
        return Spec(text, _numbers(dev.group(1)), None, True)
    if _PRE.fullmatch(text):
        return Spec(text, Version(text).release, Version(text), True)
    if _PLAIN.fullmatch(text) is None:
        raise StandInRefused(
            f"python-version '{text}' is not emulated: the local setup-python takes CPython "
            "versions written X, X.Y, X.Y.Z, X.Y.ZrcN, X.Y-dev or X.x (no ranges, PyPy, "
            "GraalPy or free-threaded builds)",
        )
    numbers = _numbers(text)
    if len(numbers) == 3:
        return Spec(text, numbers, Version(text), False)
    return Spec(text, numbers, None, allow_prereleases and len(numbers) == 2)


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())


def matches(wanted: Spec, found: Interpreter) -> bool:
    if wanted.exact is not None:
        return found.version == wanted.exact
    if found.version.release[: len(wanted.release)] != wanted.release:
        return False
    return wanted.pre_ok or not found.version.is_prerelease


def pick(wanted: Spec, found: Sequence[Interpreter]) -> Interpreter | None:
    """For X.Y the first match on PATH (what the suite's own lookup, and so a local `nox -s`,
    takes), else — and for every other form — the newest match."""
    fits = [f for f in found if matches(wanted, f)]
    on_path = [f for f in fits if f.on_path]
    if on_path and len(wanted.release) == 2 and wanted.exact is None:
        return on_path[0]
    return max(fits, key=lambda f: f.version) if fits else None


def not_found(
    wanted: Spec, found: Sequence[Interpreter], missing: Sequence[Spec] = ()
) -> ActionFailed:
    """The real action stops at the first version it lacks; the hint names every one the step
    lacks, so that one install, not one rehearsal per version, fixes it."""
    have = ", ".join(sorted({f.text for f in found}, key=Version)) or "none"
    names = [".".join(str(n) for n in w.release) or w.text for w in (missing or [wanted])]
    installs = ", ".join(f"`pyenv install {name}`" for name in names)
    exes = ", ".join(f"python{name}" for name in names)
    return ActionFailed(
        f"Version {wanted.text} was not found in the local cache: this machine has no Python "
        f"{wanted.text} (it has {have}), and the local setup-python downloads nothing",
        hint=f"install {'it' if len(names) == 1 else 'them'} ({installs}) or put {exes} on "
        "PATH, then rehearse again",
    )


# -- effects


def installed(environ: Mapping[str, str], versions: Iterable[str]) -> list[Interpreter]:
    """Pythons under pyenv's versions, and the pythonX.Y on PATH for the X.Y asked about."""
    root = Path(environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    found = list(_pyenv(root))
    for minor in sorted(set(versions)):
        exe = interpreters.find(minor, _path_without_venvs(environ), root)
        if exe is not None and root / "versions" not in exe.resolve().parents:
            found.append(_probe(exe.resolve()))
    return found


def _pyenv(root: Path) -> Iterable[Interpreter]:
    for folder in sorted((root / "versions").glob("*")):
        version = _parse(folder.name.replace("-dev", ".0a0"))  # 3.14-dev: before 3.14.0
        if version is None or len(version.release) != 3:  # pypy3.10-..., miniconda3-...
            continue
        exe = folder / "bin" / f"python{version.major}.{version.minor}"
        if exe.is_file():
            yield Interpreter(version, folder.name, exe, folder, on_path=False)


def _path_without_venvs(environ: Mapping[str, str]) -> str:
    """PATH less virtual environments: a venv is somebody's packages, not an installation."""
    entries = environ.get("PATH", "").split(os.pathsep)
    return os.pathsep.join(e for e in entries if e and not (Path(e).parent / "pyvenv.cfg").exists())


def _probe(exe: Path) -> Interpreter:
    lines = runner.run([str(exe), "-I", "-c", _PROBE]).stdout.split("\n")
    version = _parse(lines[0].strip())
    if version is None:
        raise ActionFailed(f"{exe} reports a version that cannot be read: {lines[0]!r}")
    return Interpreter(version, lines[0].strip(), exe, Path(lines[1].strip()), on_path=True)


def _parse(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def run(job: Job) -> None:
    _refuse_unemulated(job)
    versions = _requested(job)
    if not versions:
        warning(
            "The `python-version` input is not set. "
            "The version of Python currently in `PATH` will be used."
        )
        return
    wanted = [spec(v, job.flag("allow-prereleases")) for v in versions]
    found = installed(job.environ, _minors(wanted))
    update = job.flag("update-environment", default=True)
    for one in wanted:
        chosen = pick(one, found)
        if chosen is None:
            raise not_found(one, found, [w for w in wanted if pick(w, found) is None])
        _use(job, chosen, update)
        info(f"Successfully set up CPython ({chosen.text}) from {chosen.exe}")


def _minors(wanted: Iterable[Spec]) -> list[str]:
    """The X.Y names to look up on PATH (a bare X or X.x: every minor pyenv does not decide)."""
    return [f"{w.release[0]}.{w.release[1]}" for w in wanted if len(w.release) >= 2]


def _refuse_unemulated(job: Job) -> None:
    if job.flag("freethreaded"):
        raise StandInRefused("setup-python's `freethreaded` is not emulated")
    if job.input("pip-install") or job.input("pip-version"):
        raise StandInRefused("setup-python's `pip-install` / `pip-version` is not emulated")
    arch = job.input("architecture")
    if arch and arch != "x64":
        raise StandInRefused(f"setup-python's architecture '{arch}': this machine runs x64 only")
    if job.input("cache"):
        info(f"cache: {job.input('cache')}: nothing is restored or saved by the local setup-python")


def _requested(job: Job) -> list[str]:
    versions, file = job.lines("python-version"), job.input("python-version-file")
    if versions:
        if file:
            warning(
                "Both python-version and python-version-file inputs are specified, "
                "only python-version will be used."
            )
        return versions
    path = job.workspace / (file or ".python-version")
    if not path.is_file():
        if file:
            raise ActionFailed(f"The specified python version file at: {path} doesn't exist.")
        return []
    if path.name in ("pyproject.toml", ".tool-versions"):
        raise StandInRefused(
            f"python-version-file {path.name} is not emulated: list versions one per line"
        )
    lines = path.read_text(encoding="utf-8").splitlines()
    return [v.strip() for v in lines if v.strip() and not v.strip().startswith("#")]


def _use(job: Job, chosen: Interpreter, update: bool) -> None:
    links = _links(job.temp / "setup-python" / chosen.text / "bin", chosen.exe)
    if update:
        for name in ("pythonLocation", "Python_ROOT_DIR", "Python2_ROOT_DIR", "Python3_ROOT_DIR"):
            job.export(name, str(chosen.prefix))
        job.export("PKG_CONFIG_PATH", f"{chosen.prefix}/lib/pkgconfig")
        if str(chosen.exe.parent) not in job.environ.get("PATH", "").split(os.pathsep):
            job.add_path(chosen.exe.parent)
        job.add_path(links)
    job.output("python-version", chosen.text)
    job.output("python-path", str(chosen.exe))


def _links(folder: Path, exe: Path) -> Path:
    """python, python3, pythonX.Y → the interpreter; pip, pip3, pipX.Y → its pip, if any."""
    folder.mkdir(parents=True, exist_ok=True)
    minor = _EXE.fullmatch(exe.name)
    suffix = minor.group(1) if minor else ""
    targets = {f"python{s}": exe for s in ("", "3", suffix)}
    targets |= {f"pip{s}": exe.parent / f"pip{s}" for s in ("", "3", suffix)}
    for name, target in targets.items():
        link = folder / name
        if target.exists() and not link.is_symlink():
            link.symlink_to(target)
    return folder
