"""The first two stages of every lane: the version check, and the one build of sdist and wheel
that every later stage uses."""

from __future__ import annotations

from pathlib import Path

from release.artifacts.build import build
from release.artifacts.manifest import Manifest
from release.artifacts.wheels import is_platform_specific
from release.config.project import Config, version_sources
from release.context import Run
from release.core import git, interpreters
from release.core.errors import ConfigError
from release.pipeline.plan import target_for
from release.pipeline.stages import Stage, Target
from release.versioning.check import TAG_HEAD_HINT, pick_head_tag, verify
from release.versioning.held import plain
from release.versioning.versions import ReleaseVersion


def checked_version(run: Run, stage: Stage | None = None) -> ReleaseVersion:  # noqa: ARG001
    """pyproject.toml, uv.lock, the tag and the expected version agree; and in a lane the
    version is one that lane takes (the rc lane rcs, the PyPI lane finals and posts)."""
    if run.config.held is not None:  # written where the backend reads it, as a plain string
        plain(run.config.held)
    version = release_version(run.config, run.tag, run.repo, run.expected_version)
    if run.lane is not None:
        target_for(version, Target(run.lane))
    return version


def release_version(
    config: Config, tag: str | None, repo: Path, expected: str | None = None
) -> ReleaseVersion:
    """The version the sources agree on; a dynamic version is its tag's (by default the tag at
    HEAD of `repo`: a rehearsal's copy has no .git, so it reads the real project's)."""
    if tag is None and config.version is None:
        tag = _head_tag(repo, config.name)
    return verify(version_sources(config, tag, expected))


def build_once(run: Run, stage: Stage) -> Manifest:
    """sdist and wheel into the run's dist/ with their manifest, after the version check. A copy
    without .git (a rehearsal's) has its backend told a dynamic version."""
    config, version = run.config, checked_version(run)
    log = run.log(stage.name)
    log.unlink(missing_ok=True)
    pythons = interpreters.installed(config.pythons, run.env)  # a compiled wheel: one per Python
    dynamic, prebuilt = config.version is None, run.prebuilt
    built = build(config.root, run.dist, config.name, version, log,
                  dynamic=dynamic, pythons=pythons, prebuilt=prebuilt)  # fmt: skip
    missing = [p for p in config.pythons if p not in pythons]
    compiled = any(is_platform_specific(w.filename) for w in built.wheels)
    if missing and run.prebuilt is None and compiled:  # those Pythons' cells will fail
        run.progress.warn(
            f"no wheel for Python {', '.join(missing)}: not installed here, so its cells will "
            "find no wheel that fits (install it, or build elsewhere and pass --prebuilt DIR)"
        )
    return built


def _head_tag(repo: Path, name: str) -> str:
    """The version tag at HEAD. A report keeps messages, not hints, so the message itself says
    what to do."""
    tag = pick_head_tag(git.tags_at_head(repo))
    if tag is None:
        raise ConfigError(
            f"{name}'s version is dynamic (the git tag's), and no tag was given, none from CI "
            "and none at HEAD: tag it (`git tag vX.Y.ZrcN`), or pass --tag (to rehearse before "
            "tagging, say)",
            hint=TAG_HEAD_HINT,
        )
    return tag
