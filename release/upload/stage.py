"""Upload through twine without skipping blindly: the credential first (trusted publishing's
exchange fails within seconds), send only what is absent, with PEP 740 attestations when the
credential is a trusted publisher's (signed before a token is minted anew for twine: the token
lives minutes, signing may take as long), then wait until the index lists every file with the
expected sha256."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from packaging.version import Version

from release.artifacts.manifest import Manifest, verified
from release.context import Run, consumed_versions
from release.core import git, runner
from release.core.errors import (
    ConfigError,
    ConsumedVersion,
    CredentialRefused,
    IndexUnavailable,
    TokenExpired,
    UploadStopped,
    VersionRuleError,
)
from release.core.text import plain, redact, secret_values
from release.index.profiles import RELEASE, STAGING, Index, Policy, read_policy
from release.index.simple_api import versions
from release.upload import _attest
from release.upload._attest import Signer, SigstoreSigner
from release.upload._listing import wait_until_listed
from release.upload._oidc import Detect
from release.upload._rules import UploadDecision, decide, missing, rc_precedes
from release.upload.credential import TRUSTED, Credential, fresh, mask, obtain
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
SIGNER: Signer = SigstoreSigner()  # the seam: tests put a signer of their own here
ATTESTATIONS = "attestations"  # the run's state directory keeps signed copies here, never dist/
# How twine reports an index that refused the credential (its log says more, and is not shown).
# twine prints the status line's phrase on the next line: PyPI says there why it refused.
_REFUSED = re.compile(r"HTTPError: (401|403)\b[^\n]*\n?([^\n]*)")
_PHRASES = ("", "Forbidden", "Unauthorized")  # a bare status phrase says nothing more
# How twine reports an index that failed (5xx) an upload after its own retries of it.
_SERVER_ERROR = re.compile(r"HTTPError: (5\d\d\b[^\n]*?) from ")


@dataclass(frozen=True)
class Uploaded:
    index: str
    sent: tuple[str, ...]
    already: tuple[str, ...]
    waited: float  # seconds from the end of the upload until every file was listed
    credential: str = ""  # where the credential came from (never the secret)
    attestations: str = ""  # how many were attached, or why none were


def upload(
    run: Run,
    index_name: str,
    *,
    allow_final_without_rc: bool = False,
    policy: Policy | None = None,  # None: STAGED_RELEASE_TRUSTED_PUBLISHING, else auto
    detect: Detect | None = None,  # None: the `id` package's detection of the CI's identity
) -> Uploaded:
    index = run.index(index_name)
    if index.upload_url is None:
        raise ConfigError(
            f"{index.name} has no upload-url", hint="add it to [tool.staged-release.indexes]"
        )
    # First of all: a missing credential or a refused publisher stops us before anything else.
    credential = obtain(index, run.env, run.http, policy or read_policy(None, run.env), detect)
    mask(credential, run.env)
    manifest = verified(run.dist)
    decision = _publishable(run, index, index_name, manifest, allow_final_without_rc)
    skipped = _attest.skip_reason(index, credential.trusted)
    if decision.to_send:
        files = _files(run, index, decision.to_send, signed=skipped is None)
        credential = fresh(index, credential, run.http, detect)  # minted now, used at once
        mask(credential, run.env)
        log = run.log(f"upload_{index_name}")
        _send(run, index, credential, (manifest, decision.to_send), files, log)
    attested = skipped or f"{len(decision.to_send)} attached"
    waited = wait_until_listed(
        lambda: run.listing(index, manifest.name), manifest,
        where=index.name, budget=run.config.settings.wait_budget, progress=run.progress,
    )  # fmt: skip
    return Uploaded(
        index.name, decision.to_send, decision.already, waited, credential.source, attested
    )


def _publishable(
    run: Run, index: Index, index_name: str, manifest: Manifest, allow_final_without_rc: bool
) -> UploadDecision:
    """What to send of `manifest`; ConsumedVersion or VersionRuleError when nothing may be."""
    version = parse_version(manifest.version, where="dist/manifest.json")
    listing = run.listing(index, manifest.name)
    seen = _seen(run, index_name, manifest.name) | versions(listing)
    ensure_publishable(version, seen)  # no rc once its final is out, no final after a .postN
    if index_name == RELEASE:
        _check_final_follows_rc(run, manifest.name, version, allow_final_without_rc)
    decision = decide(manifest, listing)
    if decision.refused:
        raise _consumed(index, version, decision.conflicts, seen)
    return decision


def _seen(run: Run, index_name: str, project: str) -> frozenset[Version]:
    """What counts against our version: the tags, and TestPyPI and PyPI when we publish to one of
    them. A custom index (a private mirror, say) is judged by its own listing and the tags."""
    if index_name in (STAGING, RELEASE):
        return consumed_versions(run, project)
    return consumed(git.tags(run.repo))


def _files(run: Run, index: Index, names: tuple[str, ...], *, signed: bool) -> list[Path]:
    """What twine sends: the named files of dist/, or (`signed`) copies of them, each with its
    attestation beside it."""
    files = [run.dist / name for name in names]
    if signed:
        return _attest.attest(files, run.state / ATTESTATIONS / index.name, SIGNER)
    return files


def _send(
    run: Run, index: Index, credential: Credential, sending: tuple[Manifest, tuple[str, ...]],
    files: list[Path], log: Path,
) -> None:  # fmt: skip
    """Upload `files` (the manifest's named files, maybe signed); UploadStopped when the index
    failed part-way, saying what landed."""
    manifest, names = sending
    signed = any(f.name.endswith(_attest.SUFFIX) for f in files)
    answer = _twine(index, files, credential, log, signed=signed)
    if answer is not None:
        raise _stopped(run, index, (manifest, names), answer, log)


def _twine(
    index: Index, files: list[Path], credential: Credential, log: Path, *, signed: bool
) -> str | None:
    """None when every file went up; the index's answer when it failed (5xx) part-way."""
    assert index.upload_url is not None  # checked before anything else
    argv = [*runner.python_module("twine"), "upload", "--non-interactive", "--disable-progress-bar"]
    argv += ["--repository-url", index.upload_url]
    argv += ["--attestations"] if signed else []
    secrets = dict(credential.env)
    unset = [v for v in _TWINE_VARIABLES if v not in secrets]
    done = runner.run(
        [*argv, *map(str, files)], env=secrets, unset=unset, check=False,
        timeout=UPLOAD_BUDGET, log_to=log,
    )  # fmt: skip
    if done.returncode == 0:
        return None
    said = plain(done.stdout + done.stderr)
    refused = _REFUSED.search(said)
    if refused:
        reason = redact(refused.group(2).strip(), secret_values(secrets))
        raise _refused(index, credential, (refused.group(1), reason), log)
    failed = _SERVER_ERROR.search(said)
    if failed:
        return failed.group(1)
    raise runner.failure(done, secret_values({**os.environ, **secrets}), log)


def _stopped(
    run: Run, index: Index, sending: tuple[Manifest, tuple[str, ...]], answer: str, log: Path
) -> UploadStopped:
    """What the index lists now of what was being sent, and that the same command resumes."""
    manifest, names = sending
    try:
        absent = set(missing(manifest, run.listing(index, manifest.name)))
    except IndexUnavailable:
        listed = f"{index.name}'s listing could not be read to see which files landed"
    else:
        landed = [n for n in names if n not in absent]
        rest = [n for n in names if n in absent]
        listed = f"listed now: {', '.join(landed) or 'none'}; not listed: {', '.join(rest)}"
    return UploadStopped(
        f"{index.name} answered {answer} and the upload stopped part-way; {listed}",
        hint="re-run the same command: it sends only the files the index does not list yet "
        f"(twine's output: {log})",
    )


def _refused(
    index: Index, credential: Credential, answer: tuple[str, str], log: Path
) -> CredentialRefused:
    status, reason = answer
    said = "" if reason in _PHRASES else f"; it said: {reason}"
    if _EXPIRED in reason.lower():
        return _expired(index, credential, f"({status}){said} (twine's output: {log})")
    if credential.trusted:
        hint = (
            f"the {TRUSTED} token was minted but not accepted: check that the publisher "
            f"registered on {index.name} is this project's"
        )
    else:
        hint = "replace it with a current API token scoped to this project (or publish trusted)"
    return CredentialRefused(
        f"{index.name} refused the upload credential ({status}), which came from "
        f"{credential.source}{said} (twine's output: {log})",
        hint=hint,
    )


_EXPIRED = "expired"  # PyPI's 403 for a token past its time: "Invalid API Token: token is expired"


def _expired(index: Index, credential: Credential, answer: str) -> TokenExpired:
    if credential.trusted:
        hint = (
            "the token was minted right before twine ran, so twine's own upload outlasted it "
            "(or this machine's clock is off): re-run the same command, which sends only the "
            "files the index does not list yet"
        )
    else:
        hint = "the API token has expired: replace it with a current one scoped to this project"
    return TokenExpired(
        f"{index.name} refused the upload token as expired {answer}; it came from "
        f"{credential.source}",
        hint=hint,
    )


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
