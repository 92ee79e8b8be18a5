"""Upload through twine without skipping blindly: preflight first, send only what is absent,
then wait until the index lists every file with the expected sha256."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from packaging.version import Version

from release.artifacts.manifest import verified
from release.context import Run, consumed_versions
from release.core import git, runner
from release.core.errors import ConfigError, ConsumedVersion, VersionRuleError
from release.index.profiles import RELEASE, STAGING, Index, credentials
from release.index.simple_api import versions
from release.upload._listing import wait_until_listed
from release.upload._rules import decide, rc_precedes
from release.versioning.consumed import consumed
from release.versioning.fixforward import ensure_publishable, retag_hint, successor
from release.versioning.versions import ReleaseVersion, parse_version

UPLOAD_BUDGET = 1800.0  # seconds: large wheels over a slow link
# Twine reads these too; a stray one must not redirect an upload or add a credential.
_TWINE_VARIABLES = (
    "TWINE_REPOSITORY",
    "TWINE_REPOSITORY_URL",
    "TWINE_CERT",
    "TWINE_USERNAME",
    "TWINE_PASSWORD",
)


@dataclass(frozen=True)
class Uploaded:
    index: str
    sent: tuple[str, ...]
    already: tuple[str, ...]
    waited: float  # seconds from the end of the upload until every file was listed


def upload(run: Run, index_name: str, *, allow_final_without_rc: bool = False) -> Uploaded:
    index = run.index(index_name)
    if index.upload_url is None:
        raise ConfigError(
            f"{index.name} has no upload-url", hint="add it to [tool.staged-release.indexes]"
        )
    secrets = credentials(index, run.env)  # a missing credential stops us before anything else
    manifest = verified(run.dist)
    version = parse_version(manifest.version, where="dist/manifest.json")
    listing = run.listing(index, manifest.name)
    seen = _seen(run, index_name, manifest.name) | versions(listing)
    ensure_publishable(version, seen)  # no rc once its final is out, no final after a .postN
    if index_name == RELEASE:
        _check_final_follows_rc(run, manifest.name, version, allow_final_without_rc)
    decision = decide(manifest, listing)
    if decision.refused:
        raise _consumed(index, version, decision.conflicts, seen)
    if decision.to_send:
        files = [str(run.dist / n) for n in decision.to_send]
        _twine(index.upload_url, files, secrets, run.log(f"upload_{index_name}"))
    waited = wait_until_listed(
        lambda: run.listing(index, manifest.name), manifest,
        where=index.name, budget=run.config.settings.wait_budget, progress=run.progress,
    )  # fmt: skip
    return Uploaded(index.name, decision.to_send, decision.already, waited)


def _seen(run: Run, index_name: str, project: str) -> frozenset[Version]:
    """What counts against our version: the tags, and TestPyPI and PyPI when we publish to one of
    them. A custom index (a private mirror, say) is judged by its own listing and the tags."""
    if index_name in (STAGING, RELEASE):
        return consumed_versions(run, project)
    return consumed(git.tags(run.repo))


def _twine(url: str, files: list[str], secrets: dict[str, str], log: Path) -> None:
    argv = [sys.executable, "-m", "twine", "upload", "--non-interactive", "--disable-progress-bar"]
    argv += ["--repository-url", url, *files]
    unset = [v for v in _TWINE_VARIABLES if v not in secrets]
    runner.run(argv, env=secrets, unset=unset, timeout=UPLOAD_BUDGET, log_to=log)


def _check_final_follows_rc(
    run: Run, project: str, version: ReleaseVersion, override: bool
) -> None:
    if rc_precedes(version, versions(run.listing(run.index(STAGING), project))):
        return
    if override:
        run.progress.warn(
            f"publishing {version} with no {version.base}rcN on TestPyPI (override given)"
        )
        return
    raise VersionRuleError(
        f"{version} has no release candidate on TestPyPI; a final follows a green rc",
        hint=f"tag v{version.base}rc1 first, or pass --allow-final-without-rc to override loudly",
    )


def _consumed(
    index: Index, version: ReleaseVersion, conflicts: tuple[str, ...], seen: frozenset[Version]
) -> ConsumedVersion:
    return ConsumedVersion(
        f"{version} is already on {index.name} with different files; nothing was sent "
        f"({'; '.join(conflicts)})",
        hint=retag_hint(successor(version, seen | {version.version})),
    )
