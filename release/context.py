"""The run context: what every stage reads (config, where dist/ is, which indexes), the seams to
the outside (HTTP client, progress output), and what a run reads from more than one source of
truth (the consumed versions). A stage takes a Run and returns its result; it never runs another
stage — what two stages share (an image build, a fresh environment) is a building block in the
package that owns it, named by that package's __init__."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.version import Version

from release.config.project import STATE_DIR as STATE_DIR
from release.config.project import Config
from release.core import git
from release.core.progress import Progress
from release.core.service import tls
from release.index import profiles as indexes
from release.index.devpi import Server, local_indexes
from release.index.fetch import fetch
from release.index.profiles import RELEASE, STAGING, Index, LocalEndpoints, Mode, StandIns
from release.index.simple_api import (
    CONNECT_TIMEOUT,
    TIMEOUT,
    Http,
    ListedFile,
    client_of,
    fetch_listing,
    versions,
)
from release.versioning.consumed import consumed

if TYPE_CHECKING:
    import httpx

LOGS = "logs"


@dataclass(frozen=True)
class Run:
    config: Config
    dist: Path
    state: Path  # the directory the suite owns: local index state, work dirs, reports
    repo: Path  # where git tags are read (a rehearsal builds a copy that has no .git)
    mode: Mode
    dependency_index: str
    local: LocalEndpoints | None
    env: Mapping[str, str]
    web: Http  # the run's httpx client, or how to make it when first needed: see `http`
    progress: Progress
    logs: Path  # live logs: <logs>/<stage>-<python>/<check>.log
    check_timeout: float | None = None  # overrides every check's own budget
    tag: str | None = None  # the tag the version check checks (None: a dynamic version's HEAD tag)
    expected_version: str | None = None  # the version the caller expects, checked too
    lane: str | None = None  # the lane run (testpypi, pypi): its version check refuses the rest
    # (stage, cell) a rehearsal's --fail-at makes fail; only a rehearsal sets it (no variable
    # or option of any other command reaches it, so a real release never fails on purpose)
    fail_at: tuple[str, str] | None = None
    rebuild: bool = False  # --no-cache: build the E2E stacks' images anew, not from the cache
    stand_ins: StandIns | None = None  # --indexes stand-ins: the running ones the env names
    prebuilt: Path | None = None  # build --prebuilt DIR: the wheels built elsewhere, verified
    after: Path | None = None  # images --after REPORT: a lane report whose validation passed
    allow_final_without_rc: bool = False  # upload: a final with no rc before it (loudly)
    policy: indexes.Policy | None = None  # upload: trusted publishing (None: the variable's)

    def fails_at(self, stage: str, cell: str) -> bool:
        """Whether the rehearsal asked this stage or cell to fail (see release.pipeline.inject)."""
        return injected(self.fail_at, stage, cell)

    def log(self, *parts: str) -> Path:
        """Where a command's live output goes: logs/<parts...>.log."""
        return self.logs.joinpath(*parts[:-1], f"{parts[-1]}.log")

    def index(self, name: str) -> Index:
        settings = self.config.settings
        return indexes.publishing(name, self.mode, settings, self.local, self.stand_ins)

    def trusted(self) -> Index:
        return indexes.dependencies(self.dependency_index, self.config.settings, self.local)

    @property
    def http(self) -> httpx.Client:
        """The run's one httpx client (made on first use when `open_run` made the run)."""
        return client_of(self.web)

    def listing(self, index: Index, project: str) -> list[ListedFile]:
        return fetch_listing(self.web, index.simple_url, project)

    def download(self, url: str, target: Path, sha256: str) -> Path:
        """`url` into `target`, proved by its sha256 (release.index.fetch)."""
        return fetch(self.web, url, target, sha256)


class _Client:
    """The run's httpx client, made when first asked for: a cell on the local stand-ins asks
    for none (they answer on the loopback, release.core.loopback), and importing httpx and
    reading the CA bundle cost it 0.2-0.4 s of CPU while devpi-server starts beside it."""

    def __init__(self) -> None:
        self.made: httpx.Client | None = None

    def __call__(self) -> httpx.Client:
        if self.made is None:
            import httpx

            timeout = httpx.Timeout(TIMEOUT, connect=CONNECT_TIMEOUT)
            self.made = httpx.Client(timeout=timeout, verify=tls())
        return self.made

    def close(self) -> None:
        if self.made is not None:
            self.made.close()


EVERY_CELL = "*"  # --fail-at a per-Python stage without a Python: every cell fails


def injected(fail_at: tuple[str, str] | None, stage: str, cell: str) -> bool:
    if fail_at is None or fail_at[0] != stage:
        return False
    return fail_at[1] in (cell, EVERY_CELL)


@dataclass(frozen=True)
class Options:
    mode: Mode = Mode.PUBLIC
    dependency_index: str | None = None  # None: [tool.staged-release].dependency-index
    dist: Path | None = None  # None: <project>/dist
    state: Path | None = None  # None: <project>/.staged-release
    repo: Path | None = None  # None: the project root
    logs: Path | None = None  # None: <state>/logs
    check_timeout: float | None = None  # None: each check's own budget
    tag: str | None = None
    expected_version: str | None = None
    lane: str | None = None
    fail_at: tuple[str, str] | None = None
    rebuild: bool = False
    prebuilt: Path | None = None
    after: Path | None = None
    allow_final_without_rc: bool = False
    policy: indexes.Policy | None = None
    indexes: bool = True  # False: the stage talks to no index, so no local stand-in starts


# `/*`, not `*`: git ignores the whole directory either way, but ruff and ty also apply a parent
# .gitignore to files they are given deep below it, and `*` matched every file of the cells'
# mirrors, so ruff found "No Python files" there. `/*` matches the directory's own entries only.
IGNORE_ALL = "# Made by staged-release: its state never goes into git.\n/*\n"


def claim(state: Path) -> Path:
    """The state directory, made if need be and ignoring itself (a `.gitignore`, as pytest's,
    mypy's and ruff's caches have): a project's `git status` stays clean after a run."""
    state.mkdir(parents=True, exist_ok=True)
    ignore = state / ".gitignore"
    if not ignore.exists() or ignore.read_text(encoding="utf-8") != IGNORE_ALL:
        ignore.write_text(IGNORE_ALL, encoding="utf-8")
    return state


@contextmanager
def open_run(
    config: Config, options: Options, progress: Progress, started: Server | None = None
) -> Iterator[Run]:
    """A run; the local stand-ins are started only when it needs them, and stopped after
    (`started`: their server, started by the caller before it loaded the project).
    Running stand-ins (--indexes stand-ins) are read from the environment first of all."""
    env = dict(os.environ)
    stand_ins = indexes.read_stand_ins(env) if options.mode is Mode.STAND_INS else None
    state = claim(options.state or config.root / STATE_DIR)
    dependency_index = options.dependency_index or config.settings.dependency_index
    indexes.check_dependency_index(dependency_index, config.settings)  # before anything runs
    with ExitStack() as stack:
        local = None
        if options.indexes and indexes.needs_local(options.mode, dependency_index):
            local = stack.enter_context(local_indexes(state / "indexes", progress, started))
        http = _Client()
        stack.callback(http.close)
        dist = options.dist or config.root / "dist"
        repo = options.repo or config.root
        logs = options.logs or state / LOGS
        yield Run(
            config, dist, state, repo, options.mode, dependency_index, local, env, http,
            progress, logs, options.check_timeout, options.tag, options.expected_version,
            options.lane, rehearsed_failure(options, env), options.rebuild, stand_ins,
            options.prebuilt, options.after, options.allow_final_without_rc, options.policy,
        )  # fmt: skip


# A workflow rehearsal's --fail-at, handed to the command a job runs. Honoured only on running
# stand-ins (STAGED_RELEASE_INDEXES=stand-ins): a release to the real indexes never reads it.
FAIL_AT_ENV = "STAGED_RELEASE_FAIL_AT"


def rehearsed_failure(options: Options, env: Mapping[str, str]) -> tuple[str, str] | None:
    """The stage and cell a rehearsal makes fail: its option, or under act the variable."""
    if options.fail_at is not None or options.mode is not Mode.STAND_INS:
        return options.fail_at
    stage, _, cell = env.get(FAIL_AT_ENV, "").partition(":")
    return (stage, cell or "-") if stage else None


def consumed_versions(run: Run, project: str) -> frozenset[Version]:
    """Everything the tags and BOTH publishing indexes have seen: never to be handed out again.
    IndexUnavailable if either index cannot be read: a silent gap would let a consumed version
    be handed out again. Reading needs no credentials: the simple API is public."""
    listed: frozenset[Version] = frozenset()
    for name in (STAGING, RELEASE):
        listed |= versions(run.listing(run.index(name), project))
    return consumed(git.tags(run.repo), listed)
