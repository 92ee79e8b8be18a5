"""The upload credential: a token minted by trusted publishing, or the index's token variable.

Which way is a pure decision (`route`) over the index, the policy and whether the CI may hand out
an identity token; `obtain` carries it out. It is the first thing an upload does, and `build
--index` does it too (`preflight`): a misconfigured publisher fails within seconds, before
anything is built. A minted token lives minutes (PyPI's 15) while an upload may look the index
up, sign and send for longer, so the upload mints again right before twine runs (`fresh`): the
first token only proved the publisher, and expires unused. The secret reaches twine through
TWINE_PASSWORD only (the runner redacts that name's value everywhere), and GitHub's log masks it
once it is minted.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TextIO

import httpx
import id
from id import AmbientCredentialError

from release.config.settings import Settings
from release.core.errors import CredentialMissing, IdentityUnavailable, PublisherRefused
from release.index.profiles import (
    RELEASE,
    STAGING,
    Index,
    Mode,
    Policy,
    credentials,
    publishing,
    read_stand_ins,
)
from release.upload import _oidc

PERMISSION_HINT = (
    "grant the upload job `permissions: id-token: write` (and run it in the environment the "
    "trusted publisher names), or use --trusted-publishing auto with a token variable"
)
TRUSTED = "trusted publishing"
# The refusal `auto` falls back from: the index knows no publisher for this job (none is
# registered yet). Any other refusal (a malformed or reused token) is not a setup step.
NO_PUBLISHER = "invalid-publisher"


class Route(enum.Enum):
    LOCAL = "local"  # a stand-in: anonymous
    EXCHANGE = "exchange"  # trusted publishing, maybe falling back to the token (auto)
    TOKEN = "token"  # the index's token variable (or TWINE_USERNAME/TWINE_PASSWORD)


@dataclass(frozen=True)
class Credential:
    env: Mapping[str, str] = field(repr=False)  # TWINE_USERNAME and TWINE_PASSWORD: secret
    source: str  # where it came from, for messages and the report; never the secret
    trusted: bool = False  # minted by trusted publishing: attestations can be checked against it
    claims: Mapping[str, str] = field(default_factory=dict)


def route(index: Index, policy: Policy, ambient: bool) -> Route:
    """How the upload to `index` gets its credential; IdentityUnavailable when `always` cannot
    be honoured. The local stand-ins never exchange anything."""
    if index.local:
        return Route.LOCAL
    if policy is Policy.NEVER:
        return Route.TOKEN
    if policy is Policy.ALWAYS and not index.trusted_publishing:
        raise IdentityUnavailable(
            f"{index.name} does not offer trusted publishing, and --trusted-publishing always "
            "refuses a token",
            hint="set trusted-publishing = true in its [tool.staged-release.indexes] profile "
            "if it does, or use --trusted-publishing auto",
        )
    if policy is Policy.ALWAYS and not ambient:
        raise _no_identity(index, "this job has no CI identity token (not a CI that offers one)")
    return Route.EXCHANGE if index.trusted_publishing and ambient else Route.TOKEN


def obtain(
    index: Index,
    env: Mapping[str, str],
    http: httpx.Client,
    policy: Policy,
    detect: _oidc.Detect | None = None,
) -> Credential:
    """The credential for uploading to `index`: a missing or refused one stops the upload."""
    way = route(index, policy, _oidc.ambient(env))
    if way is Route.LOCAL:
        return Credential(credentials(index, env), "the local stand-in (anonymous)")
    if way is Route.EXCHANGE:
        try:
            minted = _exchange(index, http, policy, detect or _detect_credential)
        except PublisherRefused as refused:
            return _after_refusal(index, env, policy, refused)
        if minted is not None:
            return minted
    return _token(index, env)


def fresh(
    index: Index, credential: Credential, http: httpx.Client, detect: _oidc.Detect | None = None
) -> Credential:
    """The credential to hand twine now: trusted publishing's token minted anew (the one
    `obtain` minted may have expired while the upload looked up and signed), any other as is."""
    if not credential.trusted:
        return credential
    minted = _exchange(index, http, Policy.ALWAYS, detect or _detect_credential)
    assert minted is not None  # `always` raises rather than return none
    return minted


def _after_refusal(
    index: Index, env: Mapping[str, str], policy: Policy, refused: PublisherRefused
) -> Credential:
    """`auto` with no publisher registered for this job and a token at hand: the token, saying
    why; any other refusal, or no token, stops the upload with the index's reasons."""
    if policy is not Policy.AUTO or NO_PUBLISHER not in refused.codes:
        raise refused
    try:
        token = _token(index, env)
    except CredentialMissing:
        hint = f"{refused.hint}; or set {index.token_env or 'TWINE_PASSWORD'} to fall back to"
        raise PublisherRefused(refused.message, f"{hint} a token", codes=refused.codes) from None
    why = f"{TRUSTED} refused: {NO_PUBLISHER}, no publisher registered for this job"
    return Credential(token.env, f"{token.source} ({why})")


def preflight(
    name: str,
    mode: Mode,
    settings: Settings,
    env: Mapping[str, str],
    policy: Policy,
    http: httpx.Client | None = None,
) -> Credential | None:
    """What `build --index NAME` checks before building: the credential an upload would use
    (trusted publishing exchanges its token now, so a refusal comes before the build; the token
    itself is dropped, and expires unused)."""
    if mode is Mode.LOCAL and name in (STAGING, RELEASE):
        return None  # the stand-ins are started by the upload, and need no credential
    stand_ins = read_stand_ins(env) if mode is Mode.STAND_INS else None
    index = publishing(name, mode, settings, stand_ins=stand_ins)
    if http is not None:  # the caller's client: it stays open
        return obtain(index, env, http, policy)
    with httpx.Client(timeout=_oidc.TIMEOUT) as own:
        return obtain(index, env, own, policy)


def mask(credential: Credential, env: Mapping[str, str], out: TextIO | None = None) -> None:
    """Have GitHub's log hide a minted token wherever a tool might print it. The workflow command
    is consumed by the runner, never shown; elsewhere nothing is printed."""
    if credential.trusted and env.get("GITHUB_ACTIONS") == "true":
        out = out or sys.stdout  # looked up now: whatever stdout is at the time
        out.write(f"::add-mask::{credential.env['TWINE_PASSWORD']}\n")
        out.flush()


# Revocation: PyPI (and TestPyPI) offer no endpoint to revoke a minted token; it expires by
# itself 15 minutes after minting. So nothing is revoked after the upload.


def _exchange(
    index: Index, http: httpx.Client, policy: Policy, detect: _oidc.Detect
) -> Credential | None:
    """Trusted publishing's token; None (auto only) when the CI hands out no identity token."""
    assert index.upload_url is not None  # an index without one takes no uploads at all
    try:
        token = _oidc.identity(http, index.upload_url, detect)
    except AmbientCredentialError as exc:  # the CI has one but would not hand it over
        if policy is Policy.ALWAYS:
            raise _no_identity(index, str(exc)) from None
        return None
    if token is None:
        if policy is Policy.ALWAYS:
            raise _no_identity(index, "the CI offered no identity token")
        return None
    minted = _oidc.mint(http, index.upload_url, token, index.name)
    source = f"{TRUSTED} ({_oidc.describe(minted.claims)})"
    secret = {"TWINE_USERNAME": "__token__", "TWINE_PASSWORD": minted.token}
    return Credential(secret, source, trusted=True, claims=minted.claims)


def _token(index: Index, env: Mapping[str, str]) -> Credential:
    try:
        secret = credentials(index, env)
    except CredentialMissing as exc:
        if not index.trusted_publishing:
            raise
        raise CredentialMissing(exc.message, hint=f"{exc.hint}; or {PERMISSION_HINT}") from None
    variable = index.token_env if env.get(index.token_env or "") else "TWINE_PASSWORD"
    return Credential(secret, f"the token in {variable}")


def _no_identity(index: Index, why: str) -> IdentityUnavailable:
    return IdentityUnavailable(
        f"trusted publishing to {index.name} needs this job's CI identity token: {why}",
        hint=PERMISSION_HINT,
    )


def _detect_credential(audience: str) -> str | None:
    return id.detect_credential(audience)
