"""Trusted publishing's exchange: the CI's OIDC identity token for a short-lived upload token.

The exchange as PyPI defines it: GET `<origin>/_/oidc/audience`, ask the CI for an identity
token with that audience, POST it to `<origin>/_/oidc/mint-token`, get `{"token": ...}` or
`{"errors": [{"code", "description"}]}`. twine ≥ 6.1 does this itself, but only when the upload
has begun and only for PyPI's own addresses; done here, a misconfigured publisher fails before
anything is built, with the claims the index compared, and any index profile (a test server
too) can take part. The origin is the upload URL's: a profile's addresses stay its own.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from release.core.errors import IndexUnavailable, PublisherRefused
from release.versioning.versions import shorten

# The CI's identity token for an audience, or None outside a CI that offers one (id's
# detect_credential, which reads GitHub's ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN itself).
Detect = Callable[[str], str | None]
# What PyPI compares with a registered GitHub publisher: these are worth showing on a refusal.
CLAIMS = ("repository", "repository_owner", "job_workflow_ref", "environment", "ref")
# The CIs whose identity tokens id can fetch announce themselves with one of these variables;
# without any, no request goes to the index at all (a maintainer's machine, a test run).
# id's GCP detector (a metadata server) is left out: PyPI's GCP publishers are rare for releases.
AMBIENT_VARIABLES = ("GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "CIRCLECI")
TIMEOUT = 30.0  # seconds per request: the exchange is two small JSON requests


@dataclass(frozen=True)
class Minted:
    token: str = field(repr=False)  # the upload token: a secret, never shown
    claims: Mapping[str, str]  # what the index matched, for messages and the report


def endpoints(upload_url: str) -> tuple[str, str]:
    """The audience and mint-token endpoints of the index that takes uploads at `upload_url`."""
    parts = urlsplit(upload_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    return f"{origin}/_/oidc/audience", f"{origin}/_/oidc/mint-token"


def ambient(env: Mapping[str, str]) -> bool:
    """Whether this looks like a CI that may hand out an identity token."""
    return any(env.get(name) for name in AMBIENT_VARIABLES)


def identity(http: httpx.Client, upload_url: str, detect: Detect) -> str | None:
    """The CI's identity token for the index's audience (id's errors pass through)."""
    audience_url, _ = endpoints(upload_url)
    answer = _json(http, "GET", audience_url)
    audience = answer.get("audience")
    if not isinstance(audience, str):
        raise IndexUnavailable(f"{audience_url} named no audience", hint=_NOT_AN_INDEX)
    return detect(audience)


def mint(http: httpx.Client, upload_url: str, identity_token: str, where: str) -> Minted:
    """Exchange the identity token for an upload token; PublisherRefused with the index's reasons
    and the token's claims when the index will not."""
    _, mint_url = endpoints(upload_url)
    found = claims(identity_token)
    answer = _json(http, "POST", mint_url, {"token": identity_token}, refusal=True)
    token = answer.get("token")
    if isinstance(token, str) and token:
        return Minted(token, found)
    raise PublisherRefused(
        f"{where} refused trusted publishing: {reasons(answer)}; this job's identity: "
        f"{describe(found)}",
        hint=f"register on {where} a trusted publisher with exactly these claims "
        "(workflow file name and environment), or fix the workflow to match the registered one",
        codes=codes(answer),
    )


def claims(identity_token: str) -> dict[str, str]:
    """The claims an index matches, read from the JWT's payload WITHOUT verifying it: only to
    show them (the index verifies)."""
    try:
        payload = identity_token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error):
        return {}
    if not isinstance(data, dict):
        return {}
    return {name: str(data[name]) for name in CLAIMS if data.get(name) is not None}


def describe(found: Mapping[str, str]) -> str:
    if not found:
        return "no readable claims"
    return ", ".join(f"{name}={value}" for name, value in found.items())


def codes(answer: Mapping[str, object]) -> tuple[str, ...]:
    """The index's error codes (PyPI's `invalid-publisher`, say), in its order."""
    errors = answer.get("errors")
    if not isinstance(errors, list):
        return ()
    return tuple(str(e["code"]) for e in errors if isinstance(e, dict) and e.get("code"))


def reasons(answer: Mapping[str, object]) -> str:
    errors = answer.get("errors")
    if not isinstance(errors, list) or not errors:
        return "no reason given"
    said = (f"{e.get('code')}: {e.get('description')}" for e in errors if isinstance(e, dict))
    return shorten(" ".join("; ".join(said).split()), 600)


_NOT_AN_INDEX = "check the profile's upload-url: its origin must offer /_/oidc/ (PyPI's do)"


def _json(
    http: httpx.Client,
    method: str,
    url: str,
    body: object = None,
    *,
    refusal: bool = False,
) -> dict[str, object]:
    """The JSON object an endpoint answers; with `refusal`, a 4xx answer carrying one too."""
    try:
        response = http.request(method, url, json=body, timeout=TIMEOUT)
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise IndexUnavailable(f"{method} {url} failed: {exc}", hint=_NOT_AN_INDEX) from None
    ok = response.is_success or (refusal and response.is_client_error)
    if not ok or not isinstance(data, dict):
        answered = f"{method} {url} answered {response.status_code}"
        raise IndexUnavailable(answered, hint=_NOT_AN_INDEX)
    return data
