"""astral-sh/setup-uv (v7) on this machine: the uv the suite itself runs (the `uv` package's
binary, `uv.find_uv_bin()`), linked into the job's temp and put on PATH, with the variables
and PATH entries the real action sets, and uv's tool folders of the job's own, empty, as a
fresh runner's are (see tool_folders). Nothing is downloaded, so a `version` (or a
required-version in uv.toml / pyproject.toml) the installed uv does not satisfy fails the
step; nothing is cached or restored, whatever `enable-cache` says.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from release.core import runner
from release.core.errors import ActionFailed, StandInRefused
from release.rehearsals.workflow import actions
from release.rehearsals.workflow.actions._job import Job, info, warning

_OPERATORS = ("<", ">", "=", "!", "~")


def satisfied(installed: str, wanted: str) -> bool:
    """Does the installed uv answer `version` ("latest", "0.9.5", ">=0.9,<1", "0.9.x")?"""
    if wanted in ("", "latest"):
        return True
    wanted = wanted.removeprefix("==")
    try:
        if wanted.startswith(_OPERATORS):
            return SpecifierSet(wanted).contains(installed, prereleases=True)
        if wanted.endswith((".x", ".*")):
            prefix = wanted[:-2].split(".")
            return installed.split(".")[: len(prefix)] == prefix
        return Version(installed) == Version(wanted)
    except (InvalidSpecifier, InvalidVersion):
        raise ActionFailed(f"uv version '{wanted}' cannot be read as a version or range") from None


def required_version(path: Path) -> str | None:
    """`required-version` of uv.toml, or of pyproject.toml's [tool.uv]; None when absent."""
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        warning(f"Error while parsing {path}: {error}")
        return None
    table = data.get("tool", {}).get("uv", {}) if path.name == "pyproject.toml" else data
    value = table.get("required-version") if isinstance(table, dict) else None
    return value if isinstance(value, str) else None


def tool_folders(
    environ: Mapping[str, str], tool_dir: str, tool_bin: str, temp: Path
) -> tuple[str, str]:
    """UV_TOOL_DIR and UV_TOOL_BIN_DIR for the step to set ("": leave it): the `tool-dir` and
    `tool-bin-dir` inputs; else, while the job's are still the rehearsal's shared folders
    (actions.TOOLS), folders of its own under its RUNNER_TEMP `temp` (the names the real action
    gives them on Windows). On GitHub every job starts on a fresh runner whose ~/.local holds no
    tool: shared here, a job would run the nox another job installed, and pass where it fails on
    GitHub. A folder the workflow chose itself (its `env:`) is left alone, as the action does."""
    shared = environ.get(actions.TOOLS, "")
    if shared and not tool_dir and environ.get("UV_TOOL_DIR") == shared:
        tool_dir = str(temp / "uv-tool-dir")
    if shared and not tool_bin and environ.get("UV_TOOL_BIN_DIR") == str(Path(shared) / "bin"):
        tool_bin = str(temp / "uv-tool-bin-dir")
    return tool_dir, tool_bin


# -- effects


def run(job: Job) -> None:
    _refuse_unemulated(job)
    workdir = Path(job.input("working-directory") or job.workspace)
    empty = workdir.is_dir() and not any(workdir.iterdir())
    if empty and not job.truthy("ignore-empty-workdir", "false"):
        warning("Empty workdir detected. This may cause unexpected behavior.")
    uv, version = _installed()
    wanted, source = _wanted(job, workdir)
    if not satisfied(version, wanted):
        raise ActionFailed(
            f"uv {wanted} was asked for ({source}), but this machine's uv is {version} and the "
            "local setup-uv downloads nothing",
            hint=f"ask for {version}, or install a uv that satisfies {wanted} in the suite's "
            "environment (the `uv` package)",
        )
    links = _links(job.temp / "setup-uv" / "bin", uv)
    _paths(job, links)
    if job.input("python-version"):
        job.export("UV_PYTHON", job.input("python-version"))
    if job.flag("activate-environment"):
        _activate(job, links / "uv", workdir)
    job.output("uv-version", version)
    job.output("uv-path", str(links / "uv"))
    job.output("uvx-path", str(links / "uvx"))
    info(f"Successfully installed uv version {version} (this machine's: {uv})")


def _refuse_unemulated(job: Job) -> None:
    for name in ("checksum", "manifest-file"):
        if job.input(name):
            raise StandInRefused(f"setup-uv's `{name}` is not emulated: nothing is downloaded")
    strategy = job.input("resolution-strategy") or "highest"
    if strategy not in ("highest", "lowest"):
        raise ActionFailed(
            f"Invalid resolution-strategy: {strategy}. Must be 'highest' or 'lowest'."
        )
    if job.input("enable-cache") == "true":
        info("enable-cache: nothing is restored or saved by the local setup-uv")


def _installed() -> tuple[Path, str]:
    """The suite's uv (this step runs on the suite's Python) and its version."""
    import uv as uv_package  # the PyPI package `uv`: a dependency of the suite

    uv = Path(uv_package.find_uv_bin())
    words = runner.run([str(uv), "--version"]).stdout.split()
    return uv, words[1] if len(words) > 1 else ""


def _wanted(job: Job, workdir: Path) -> tuple[str, str]:
    """What version was asked for, and where (the same order as the real action)."""
    if job.input("version"):
        return job.input("version"), "the `version` input"
    if job.input("version-file"):
        file = workdir / job.input("version-file")
        found = required_version(file)
        if found is None:
            raise ActionFailed(f"Could not determine uv version from file: {file}")
        return found, str(file)
    for name in ("uv.toml", "pyproject.toml"):
        found = required_version(workdir / name)
        if found is not None:
            return found, f"required-version in {name}"
    return "latest", "no version given"


def _links(folder: Path, uv: Path) -> Path:
    """uv and uvx alone: the suite's bin directory also holds its python, which must not
    shadow the job's."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("uv", "uvx"):
        link, target = folder / name, uv.with_name(name)
        if target.exists() and not link.is_symlink():
            link.symlink_to(target)
    return folder


def _paths(job: Job, links: Path) -> None:
    """The real action's variables and PATH entries on a self-hosted runner."""
    modify = "UV_NO_MODIFY_PATH" not in job.environ
    inputs = (job.input("tool-dir"), job.input("tool-bin-dir"))
    tool_dir, tool_bin = tool_folders(job.environ, *inputs, job.temp)
    if tool_bin:
        job.export("UV_TOOL_BIN_DIR", tool_bin)
        info(f"Set UV_TOOL_BIN_DIR to {tool_bin}")
    if modify:
        job.add_path(tool_bin or _user_bin(job))
        job.add_path(links)
    if tool_dir:
        job.export("UV_TOOL_DIR", tool_dir)
        info(f"Set UV_TOOL_DIR to {tool_dir}")
    python_dir = job.environ.get("UV_PYTHON_INSTALL_DIR") or f"{job.home}/.local/share/uv/python"
    job.export("UV_PYTHON_INSTALL_DIR", python_dir)
    if modify:
        job.add_path(python_dir)


def _user_bin(job: Job) -> str:
    """Where `uv tool install` puts commands: $XDG_BIN_HOME, $XDG_DATA_HOME/../bin, ~/.local/bin."""
    if job.environ.get("XDG_BIN_HOME"):
        return job.environ["XDG_BIN_HOME"]
    if job.environ.get("XDG_DATA_HOME"):
        return job.environ["XDG_DATA_HOME"] + "/../bin"
    return str(job.home / ".local/bin")


def _activate(job: Job, uv: Path, workdir: Path) -> None:
    if "UV_NO_MODIFY_PATH" in job.environ:
        raise ActionFailed("UV_NO_MODIFY_PATH and activate-environment cannot be used together.")
    environ = dict(job.environ)
    if job.input("python-version"):
        environ["UV_PYTHON"] = job.input("python-version")
    runner.run([str(uv), "venv", ".venv", "--directory", str(workdir)], env=environ)
    venv = Path(os.path.normpath(workdir / ".venv"))
    job.add_path(venv / "bin")
    job.export("VIRTUAL_ENV", str(venv))
    job.output("venv", str(venv))
