"""The one exception family of staged-release.

Every condition a user can fix has its own class. Its message says what happened and its hint
says what to do next; only the CLI boundary prints them and turns them into an exit code.
"""

from __future__ import annotations

import signal
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from release.core.verdicts import CheckOutcome

EXIT_FAILED = 1  # a check ran and failed
EXIT_BAD_INPUT = 2  # bad input or configuration: nothing was done


class ReleaseError(Exception):
    """Base of every error staged-release raises on purpose."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(ReleaseError):
    """The command line itself is wrong: an unknown option, a missing or empty value."""


class ConfigError(ReleaseError):
    """pyproject.toml or uv.lock cannot be read or lacks what we need."""


class ComputedVersion(ConfigError):
    """The build backend reads the version from a file, where it is not written as a plain
    string (it is computed at import): nothing can read or write it without running it."""


class VersionRuleError(ReleaseError):
    """A version or tag is not one of the accepted forms, or is spelt non-canonically."""


class VersionMismatch(ReleaseError):
    """pyproject.toml, uv.lock, the tag and the expected version do not agree."""


class LaneError(ReleaseError):
    """The trigger (event, ref, dispatch inputs) does not lead to a lane we may run."""


class RcNotGreen(LaneError):
    """A final's lane asked for before any rc lane of its X.Y.Z passed (or a .postN's before
    its final is on PyPI): nothing is built."""


class GitHubRefused(ReleaseError):
    """GitHub's REST API refused the job's token (missing, or the job lacks the permission)."""


class GitHubUnavailable(ReleaseError):
    """GitHub's REST API could not be reached or answered something we cannot read."""

    exit_code = EXIT_FAILED


class ConsumedVersion(ReleaseError):
    """The version was already consumed by a tag or an index; versions are never reused."""


class CommandFailed(ReleaseError):
    """A subprocess exited non-zero; carries the command, exit code and output tail."""

    exit_code = EXIT_FAILED

    def __init__(
        self, argv: Sequence[str], returncode: int, tail: str, log: Path | None = None
    ) -> None:
        shown = " ".join(argv)
        super().__init__(
            f"`{shown}` exited with {returncode}" + (f": {tail}" if tail else ""),
            # Without a log, the output was short enough to be the message's tail, whole.
            hint=f"its whole output is in {log}" if log is not None else None,
        )
        self.argv = tuple(argv)
        self.returncode = returncode
        self.tail = tail
        self.log = log


class CommandTimedOut(ReleaseError):
    """A subprocess outlived its time budget; its whole process tree was killed."""

    exit_code = EXIT_FAILED

    def __init__(self, argv: Sequence[str], budget: float, tail: str) -> None:
        super().__init__(
            f"`{' '.join(argv)}` exceeded its time budget of {budget:g} s"
            + (f": {tail}" if tail else ""),
            hint="find out why it hangs (its log has the full output), or raise its budget",
        )
        self.argv = tuple(argv)
        self.budget = budget
        self.tail = tail


class Interrupted(ReleaseError):
    """A signal (Ctrl-C, SIGTERM, SIGHUP) stopped the run; every process we started was stopped."""

    def __init__(self, signum: int) -> None:
        super().__init__(
            f"interrupted by {signal.Signals(signum).name}",
            hint="re-run when ready: files already uploaded are recognised and not sent again",
        )
        self.signum = signum
        self.exit_code = 128 + signum  # the shell's convention: 130 for SIGINT, 143 for SIGTERM


class ToolMissing(ReleaseError):
    """A program we need is not installed."""


class CredentialMissing(ReleaseError):
    """An upload needs a credential that the environment does not hold."""


class IntegrityError(ReleaseError):
    """A file differs from the manifest or from what the index lists: nothing built is trusted."""

    exit_code = EXIT_FAILED


class IndexUnavailable(ReleaseError):
    """An index could not be reached or answered something we cannot read."""

    exit_code = EXIT_FAILED


class Unavailable(ReleaseError):
    """What a stage needs is not here (an engine, its settings): in a lane it is skipped,
    saying why and how to get it; a command run for it alone fails."""

    exit_code = EXIT_FAILED


class EngineUnavailable(Unavailable):
    """No Docker engine answers and none can be started for the run."""

    INSTALL = "apt-get install docker.io docker-registry debootstrap"

    def __init__(self, message: str, hint: str | None = INSTALL) -> None:
        super().__init__(message, hint)


class RegistryUnavailable(ReleaseError):
    """A container registry could not be reached, refused us, or answered something unreadable."""

    exit_code = EXIT_FAILED


class UploadStopped(ReleaseError):
    """The index failed (5xx) part-way through an upload: what landed stays, a re-run resumes."""

    exit_code = EXIT_FAILED


class NotYetListed(ReleaseError):
    """Files were uploaded but the index did not list them within the wait budget."""

    exit_code = EXIT_FAILED


class CheckFailed(ReleaseError):
    """A validation check of the installed package failed."""

    exit_code = EXIT_FAILED

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        log: str = "",
        checks: tuple[CheckOutcome, ...] = (),
    ) -> None:
        super().__init__(message, hint)
        self.log = log  # the failing check's log file
        self.checks = checks  # every check of the cell, for the report


class ImageBuildFailed(CheckFailed):
    """An image build failed: a step of the Dockerfile, or the engine's builder itself."""


class WorkflowDrift(CheckFailed):
    """The committed release workflow is not what the project's settings generate."""

    def __init__(self, message: str, hint: str | None = None, *, diff: str = "") -> None:
        super().__init__(message, hint)
        self.diff = diff  # unified, committed -> generated: the job summary shows it


class InjectedFailure(CheckFailed):
    """A rehearsal's --fail-at made this stage fail on purpose: no defect, a rehearsed one."""


class PublisherRefused(ReleaseError):
    """The index would not mint an upload token for this CI job's identity (trusted publishing):
    the publisher registered on the index does not match the job."""

    def __init__(self, message: str, hint: str | None = None, *, codes: Sequence[str] = ()):
        super().__init__(message, hint)
        self.codes = tuple(codes)  # the index's error codes (PyPI's: invalid-publisher, ...)


class IdentityUnavailable(ReleaseError):
    """Trusted publishing was required, but the CI offers no identity token to this job."""


class CredentialRefused(ReleaseError):
    """The index refused the upload credential (401/403): a wrong, expired or unscoped token."""


class TokenExpired(CredentialRefused):
    """The index refused the upload token as expired: it was minted too long before the upload."""


class SigningFailed(ReleaseError):
    """PEP 740 attestations could not be made (no identity for sigstore, sigstore unreachable,
    the identity refused): nothing is uploaded."""


class PlatformRefused(ReleaseError):
    """A wheel carries a platform tag that PyPI refuses (`linux_x86_64`, say): refused at build on
    every index, so a rehearsal fails where the real upload would."""


class NoWheelFits(ReleaseError):
    """No wheel of the build installs on this interpreter (a compiled project without a wheel for
    this Python or platform)."""

    exit_code = EXIT_FAILED


class ActionNotEmulated(ReleaseError):
    """A workflow to rehearse uses an action that the suite has no local stand-in for: refused
    before anything runs, since act would otherwise try to fetch it from GitHub."""


class StandInRefused(ReleaseError):
    """A local stand-in action was asked for something it does not emulate (an input the real
    action would honour by downloading, authenticating or reaching GitHub)."""


class ActionFailed(ReleaseError):
    """A local stand-in action failed where the real action would fail: a Python this machine
    lacks, an artifact nobody uploaded, no files to upload, a name already taken."""

    exit_code = EXIT_FAILED
