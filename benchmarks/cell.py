"""Benchmark (not a test): one validation cell against the seed workflow's, whole processes.

    nox -s bench -- cell [--runs 7] [--python 3.11] [--profile]

Set-up (untimed): tomli's sdist from PyPI, made `X.Y.Zrc1` with the checks `compile` and `import`,
locked, built and uploaded to the local stand-in of TestPyPI (`STAGED_RELEASE_INDEXES=local`);
a copy of that index's server directory serves the reference.

Then, in pairs (ours, the reference, ours, ...), after one unmeasured pair that warms the caches:
- ours: `staged-release validate --index testpypi --python X.Y`, as a user runs it: the process
  starts, starts devpi-server, checks the listing, downloads the wheel and proves its sha256,
  makes a fresh environment, installs the wheel, the smoke test, compile, the import walk;
- the reference: benchmarks/_seed_cell.py (devpi-server start, fresh `uv venv`, `uv pip install`
  of the exact version from the staging index with the trusted index as extra, version check and
  import). Target (issue 25): ours at most 1.2 times the reference, median against median.

--profile runs ours once more with `-v` (every command and its wall time on stderr) and under
`python -X importtime`, and prints the slowest imports.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

import httpx
import uv

from benchmarks import _common as common
from release.config.settings import Settings
from release.index import profiles
from release.index.fetch import fetch
from release.index.simple_api import fetch_listing

PROJECT, MODULE = "tomli", "tomli"
HERE = Path(__file__).parent
SCRIPTS = Path(sysconfig.get_path("scripts"))


def main(argv: list[str] | None = None) -> int:
    parser = common.parser(__doc__, runs=7)
    parser.add_argument("--python", default="3.11")
    parser.add_argument("--profile", action="store_true", help="where our cell's time goes")
    parser.add_argument(
        "--baseline", type=Path, metavar="STAGED_RELEASE",
        help="another checkout's staged-release script, timed in the same runs (before/after)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        project, version = prepare(Path(tmp))
        seed = lambda: reference(Path(tmp) / "seed-devpi", version, args.python)  # noqa: E731
        cells = {"this tree": _ours()}
        if args.baseline:
            cells["baseline"] = [str(args.baseline)]
        timed = common.interleaved(
            args.runs, {n: _cell(c, project, args.python) for n, c in cells.items()}, seed
        )
        if args.profile:
            profile(project, args.python)
    seed_runs = timed.pop("reference")
    rows = [
        common.Row(f"{name}: validate, {PROJECT} rc, Python {args.python}", runs, seed_runs, 1.2)
        for name, runs in timed.items()
    ]
    print(common.table("\ncell: staged-release validate vs the seed-style cell (seconds)", rows))
    return 0


def _cell(command: list[str], project: Path, python: str) -> Callable[[], object]:
    return lambda: validate(project, python, command=command)


def prepare(tmp: Path) -> tuple[Path, str]:
    """tomli's latest sdist as a project at its next rc, built and uploaded to the stand-in."""
    project, version = _unpack(_download_sdist(tmp), tmp)
    with (project / "pyproject.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[tool.staged-release]\nchecks = ["compile", "import"]\n')
    _quiet([uv.find_uv_bin(), "lock", "--quiet", "--project", str(project)])
    for step in (["build"], ["upload", "--index", "testpypi"]):
        _quiet([*_ours(), *step, "--project", str(project)])
    shutil.copytree(project / ".staged-release" / "indexes" / "devpi", tmp / "seed-devpi")
    return project, version


def _download_sdist(tmp: Path) -> Path:
    pypi = profiles.dependencies(profiles.RELEASE, Settings())
    with httpx.Client(timeout=60) as http:
        listing = fetch_listing(http, pypi.simple_url, PROJECT)
        sdist = [f for f in listing if f.filename.endswith(".tar.gz") and not f.yanked][-1]
        assert sdist.sha256 is not None  # PyPI lists every file's
        return fetch(http, sdist.url, tmp / sdist.filename, sdist.sha256)


def _unpack(sdist: Path, tmp: Path) -> tuple[Path, str]:
    """The sdist's tree, its static version moved on to the next patch's rc1."""
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp, filter="data")
    project = tmp / sdist.name.removesuffix(".tar.gz")
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    found = re.search(r'^version = "(\d+)\.(\d+)\.(\d+)"', text, re.MULTILINE)
    assert found is not None, f"{pyproject} has no static X.Y.Z version"
    version = f"{found[1]}.{found[2]}.{int(found[3]) + 1}rc1"
    pyproject.write_text(text.replace(found[0], f'version = "{version}"', 1), encoding="utf-8")
    return project, version


def validate(project: Path, python: str, *extra: str, command: list[str] | None = None) -> None:
    argv = [*(command or _ours()), *extra, "validate", "--index", "testpypi", "--python", python]
    _quiet([*argv, "--project", str(project)])


def reference(serverdir: Path, version: str, python: str) -> None:
    pypi = profiles.dependencies(profiles.RELEASE, Settings())
    _quiet([
        sys.executable, str(HERE / "_seed_cell.py"), "--serverdir", str(serverdir),
        "--uv", uv.find_uv_bin(), "--python", python, "--extra-index", pypi.simple_url,
        "--name", PROJECT, "--version", version, "--module", MODULE,
    ])  # fmt: skip


def profile(project: Path, python: str) -> None:
    """Our cell once with every command's wall time, once under -X importtime."""
    print("\nour cell with -v (each command and its wall time):")
    done = _quiet([*_ours(), "-v", "validate", "--index", "testpypi", "--python", python,
                   "--project", str(project)])  # fmt: skip
    print(done.stderr)
    argv = [sys.executable, "-X", "importtime", "-m", "release", "validate", "--index", "testpypi"]
    timed = _quiet([*argv, "--python", python, "--project", str(project)])
    print("slowest imports (cumulative microseconds):")
    lines = timed.stderr.splitlines()
    rows = [line.split("|") for line in lines if line.startswith("import time:")]
    cumulative = sorted(((int(r[1]), r[2].rstrip()) for r in rows[1:]), reverse=True)
    for micros, name in cumulative[:25]:
        print(f"  {micros:>9}  {name}")


def _ours() -> list[str]:
    return [str(SCRIPTS / "staged-release")]


def _quiet(argv: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STAGED_RELEASE_INDEXES": "local", "UV_PYTHON_DOWNLOADS": "never"}
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited with {done.returncode}:\n{done.stdout}{done.stderr}")
    return done


if __name__ == "__main__":
    sys.exit(main())
