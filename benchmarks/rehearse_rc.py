"""Benchmark (not a test): the rc rehearsal of this repository, and how quickly a file that
becomes visible on the index is noticed by the wait that gates validation.

    nox -s bench -- rehearse_rc [--delays 0.5 2 5 12] [--project PATH] [--skip-rehearsal]
    uv run python -m benchmarks.rehearse_rc ...   (the same, in the project's environment)

With --project (a fixture such as tests/projects/compiled-ext, the C extension whose build makes
a repaired wheel per Python), a copy of that project is rehearsed instead of this repository.

Prints per-stage timings from the rehearsal report, then for each delay D: an upload starts D
seconds after the wait began; a 10 ms poller records when the index first lists every file; the
latency is from that moment until the wait returns (and validation would proceed).
"""

from __future__ import annotations

import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from benchmarks import _common as common
from release.artifacts.build import build
from release.artifacts.manifest import Manifest
from release.config.project import load_config
from release.core import runner
from release.core.progress import Progress
from release.index.devpi import local_indexes
from release.index.simple_api import fetch_listing
from release.rehearsals.lane import Rehearsal, rehearse_rc
from release.upload.wait import missing, wait_until_listed
from release.versioning.versions import parse_version

ROOT = Path(__file__).resolve().parents[1]
# a fixture's own files only: its state (.staged-release/) is another run's, links and all
_STATE = shutil.ignore_patterns(".staged-release", ".venv", ".nox")


def main(argv: list[str] | None = None) -> int:
    parser = common.parser(__doc__, runs=1)
    parser.add_argument("--delays", type=float, nargs="*", default=[0.5, 2.0, 5.0, 12.0])
    parser.add_argument("--skip-rehearsal", action="store_true")
    parser.add_argument("--project", type=Path, help="rehearse a copy of this project instead")
    args = parser.parse_args(argv)
    rows = [] if args.skip_rehearsal else [rehearsal(args.project, args.runs)]
    rows += latency(args.delays)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(common.table("\nrc rehearsal (seconds)", rows))
    print(f"\npeak RSS of this process: {peak:.0f} MiB")
    return 0


def rehearsal(project: Path | None, runs: int) -> common.Row:
    what = "this repository" if project is None else str(project)
    totals = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / project.name if project else Path(tmp)
            root = ROOT if project is None else shutil.copytree(project, copy, ignore=_STATE)
            started = time.monotonic()
            report = rehearse_rc(Rehearsal(root, Path(tmp) / "report.json"), Progress(quiet=True))
            totals.append(time.monotonic() - started)
        print(f"rc rehearsal of {what} (local indexes, dependencies from the trusted index)")
        print(report.table())
    return common.Row(f"rc rehearsal of {what}, devpi start and stop included", totals)


def latency(delays: list[float]) -> list[common.Row]:
    """Per delay, seconds from the file being visible on the index to the wait returning."""
    rows = []
    print("\npropagation detection (file visible on the index -> wait returns)")
    with tempfile.TemporaryDirectory() as tmp, local_indexes(Path(tmp) / "idx") as endpoints:
        index = endpoints.index("testpypi")
        with httpx.Client() as http:
            for n, delay in enumerate(delays, start=1):
                built = _tiny(Path(tmp) / f"p{n}", f"bench-latency-{n}")
                look = lambda name=built.name: fetch_listing(http, index.simple_url, name)  # noqa: E731
                visible = _watch(look, built)
                files = [str(Path(tmp) / f"p{n}" / "dist" / f.filename) for f in built.files]
                threading.Timer(delay, _upload, (files, str(index.upload_url))).start()
                began = time.monotonic()
                wait_until_listed(
                    look, built, where=index.name, budget=120, progress=lambda _: None
                )
                returned = time.monotonic()
                seen = visible.wait()
                print(
                    f"  upload after {delay:>4.1f} s: visible at {seen - began:5.2f} s, "
                    f"noticed {returned - seen:5.2f} s later"
                )
                rows.append(
                    common.Row(f"upload after {delay:.1f} s: noticed after", [returned - seen])
                )
    return rows


class _Watcher(threading.Thread):
    def __init__(self, look, built: Manifest) -> None:  # type: ignore[no-untyped-def]
        super().__init__(daemon=True)
        self.look, self.built, self.seen = look, built, 0.0

    def run(self) -> None:
        while missing(self.built, self.look()):
            time.sleep(0.01)
        self.seen = time.monotonic()

    def wait(self) -> float:
        self.join()
        return self.seen


def _watch(look, built: Manifest) -> _Watcher:  # type: ignore[no-untyped-def]
    watcher = _Watcher(look, built)
    watcher.start()
    return watcher


def _tiny(root: Path, name: str) -> Manifest:
    (root / "src" / name.replace("-", "_")).mkdir(parents=True)
    (root / "src" / name.replace("-", "_") / "__init__.py").write_text("")
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "1.0.0rc1"\ndescription = "bench"\n'
        'readme = {text = "bench", content-type = "text/plain"}\n'
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
        f'[tool.hatch.build.targets.wheel]\npackages = ["src/{name.replace("-", "_")}"]\n'
    )
    config = load_config(root)
    assert config.version is not None  # written static above
    return build(root, root / "dist", config.name, parse_version(config.version))


def _upload(files: list[str], url: str) -> None:
    argv = [sys.executable, "-m", "twine", "upload", "--non-interactive", "--repository-url", url]
    runner.run([*argv, *files], env={"TWINE_USERNAME": "bench", "TWINE_PASSWORD": "-"})


if __name__ == "__main__":
    sys.exit(main())
