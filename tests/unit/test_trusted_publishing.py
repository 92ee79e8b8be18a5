"""Trusted publishing and attestations: which way a credential comes, what a refusal shows, and
where attestations are written. The exchange itself runs against a server in the integration
tests."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from sigstore.errors import TUFError
from sigstore.oidc import IdentityError

from release.config.settings import IndexSpec, Settings, parse_settings
from release.core.errors import ConfigError, IdentityUnavailable, SigningFailed
from release.index.profiles import (
    TRUSTED_PUBLISHING_ENV,
    Index,
    LocalEndpoints,
    Mode,
    Policy,
    publishing,
    read_policy,
)
from release.upload import _attest, _oidc
from release.upload.credential import Route, route

PUBLIC = Index("testpypi", "https://t.example.invalid/simple/", "https://t.example.invalid/legacy/",
               "TESTPYPI_API_TOKEN", trusted_publishing=True)  # fmt: skip
PLAIN = Index("mirror", "https://m.example.invalid/simple/", "https://m.example.invalid/up/", "M")
LOCAL = LocalEndpoints("http://127.0.0.1:3141/").index("testpypi")


def _jwt(payload: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part(payload)}.signature"


@pytest.mark.parametrize("name", ["testpypi", "pypi"])
def test_pypi_and_testpypi_offer_trusted_publishing_and_a_custom_index_says_so(name: str) -> None:
    own = {"simple-url": "https://o.example.invalid/simple/", "trusted-publishing": True}
    settings = parse_settings({"indexes": {"own": {**own, "upload-url": "https://o.invalid/"}}})
    assert publishing(name, Mode.PUBLIC, settings).trusted_publishing
    assert publishing("own", Mode.PUBLIC, settings).trusted_publishing
    assert not publishing(
        name, Mode.LOCAL, settings, LocalEndpoints("http://h/")
    ).trusted_publishing
    spec = IndexSpec("plain", "https://p.example.invalid/simple/")
    assert not publishing(
        "plain", Mode.PUBLIC, Settings(indexes={"plain": spec})
    ).trusted_publishing


ROUTES = [
    # (index, policy, ambient CI, route)
    (PUBLIC, Policy.AUTO, True, Route.EXCHANGE),
    (PUBLIC, Policy.AUTO, False, Route.TOKEN),
    (PUBLIC, Policy.ALWAYS, True, Route.EXCHANGE),
    (PUBLIC, Policy.NEVER, True, Route.TOKEN),
    (PLAIN, Policy.AUTO, True, Route.TOKEN),
    (LOCAL, Policy.ALWAYS, True, Route.LOCAL),  # a stand-in never exchanges anything
    (LOCAL, Policy.AUTO, False, Route.LOCAL),
]


@pytest.mark.parametrize(("index", "policy", "ambient", "expected"), ROUTES)
def test_route(index: Index, policy: Policy, ambient: bool, expected: Route) -> None:
    assert route(index, policy, ambient) is expected


def test_always_without_a_ci_identity_is_bad_input_with_the_permission_hint() -> None:
    with pytest.raises(IdentityUnavailable) as caught:
        route(PUBLIC, Policy.ALWAYS, ambient=False)
    assert caught.value.exit_code == 2
    assert "id-token: write" in str(caught.value.hint)


def test_always_for_an_index_without_trusted_publishing_says_how_to_declare_it() -> None:
    with pytest.raises(IdentityUnavailable, match="does not offer trusted publishing") as caught:
        route(PLAIN, Policy.ALWAYS, ambient=True)
    assert "trusted-publishing = true" in str(caught.value.hint)


@pytest.mark.parametrize(
    ("flag", "env", "policy"),
    [(None, {}, Policy.AUTO), ("never", {TRUSTED_PUBLISHING_ENV: "always"}, Policy.NEVER),
     (None, {TRUSTED_PUBLISHING_ENV: "always"}, Policy.ALWAYS)],
)  # fmt: skip
def test_read_policy(flag: str | None, env: dict[str, str], policy: Policy) -> None:
    assert read_policy(flag, env) is policy


def test_an_unknown_policy_is_bad_input() -> None:
    with pytest.raises(ConfigError, match="'sometimes'"):
        read_policy(None, {TRUSTED_PUBLISHING_ENV: "sometimes"})


def test_endpoints_come_from_the_upload_origin() -> None:
    assert _oidc.endpoints("https://up.example.invalid:8443/legacy/") == (
        "https://up.example.invalid:8443/_/oidc/audience",
        "https://up.example.invalid:8443/_/oidc/mint-token",
    )


def test_claims_are_the_ones_an_index_matches_read_without_verifying() -> None:
    token = _jwt({"aud": "pypi", "repository": "o/r", "repository_owner": "o", "sub": "x",
                  "job_workflow_ref": "o/r/.github/workflows/release.yml@refs/tags/v1",
                  "environment": "pypi", "ref": "refs/tags/v1"})  # fmt: skip
    found = _oidc.claims(token)
    assert list(found) == list(_oidc.CLAIMS)
    assert _oidc.describe(found).startswith("repository=o/r, repository_owner=o, job_workflow_ref=")
    assert _oidc.claims("not-a-jwt") == {}
    assert _oidc.describe({}) == "no readable claims"


def test_reasons_are_one_line() -> None:
    invalid = {"code": "invalid-publisher", "description": "no\ncorresponding publisher"}
    answer = {"errors": [invalid, {"code": "other", "description": "more"}]}
    said = _oidc.reasons(answer)
    assert said == "invalid-publisher: no corresponding publisher; other: more"
    assert _oidc.reasons({}) == "no reason given"


def test_ambient_ci_is_read_from_the_environment() -> None:
    assert _oidc.ambient({"GITHUB_ACTIONS": "true"})
    assert not _oidc.ambient({"GITHUB_ACTIONS": ""})


class _Signer:
    def __init__(self, answer: int | None = None) -> None:
        self.seen: list[Path] = []
        self.answer = answer

    def sign(self, dists: Sequence[Path]) -> list[str]:
        self.seen += dists
        count = len(dists) if self.answer is None else self.answer
        return [json.dumps({"for": d.name}) for d in dists][:count]


def test_attestations_sit_next_to_copies_never_in_dist(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    files = [dist / "a-1.0-py3-none-any.whl", dist / "a-1.0.tar.gz"]
    for file in files:
        file.write_bytes(b"bytes of " + file.name.encode())
    into = tmp_path / "state" / "attestations"
    (into.parent).mkdir()
    into.mkdir()
    (into / "stale.whl.publish.attestation").write_text("{}")  # left by an earlier run
    signer = _Signer()
    sent = _attest.attest(files, into, signer)
    assert sorted(p.name for p in dist.iterdir()) == sorted(f.name for f in files)
    assert [p.parent for p in sent] == [into] * 4
    assert sorted(p.name for p in into.iterdir()) == sorted(p.name for p in sent)
    assert signer.seen == sent[:2]  # the copies were signed: what is uploaded
    attestation = into / "a-1.0.tar.gz.publish.attestation"
    assert json.loads(attestation.read_text()) == {"for": "a-1.0.tar.gz"}


def test_a_signer_that_skips_a_file_stops_the_upload(tmp_path: Path) -> None:
    (tmp_path / "a.whl").write_bytes(b"x")
    with pytest.raises(SigningFailed):
        _attest.attest([tmp_path / "a.whl"], tmp_path / "out", _Signer(answer=0))


def test_attestations_are_skipped_with_a_reason_for_tokens_and_stand_ins() -> None:
    assert _attest.skip_reason(PUBLIC, trusted=True) is None
    assert "token" in str(_attest.skip_reason(PUBLIC, trusted=False))
    assert "local stand-in" in str(_attest.skip_reason(LOCAL, trusted=False))


def test_an_index_profile_can_turn_attestations_off() -> None:
    mirror = {"simple-url": "https://m.example.invalid/simple/", "trusted-publishing": True,
              "upload-url": "https://m.example.invalid/up/", "attestations": False}  # fmt: skip
    table: dict[str, Any] = {"indexes": {"mirror": mirror}}
    settings = parse_settings(table)
    off = publishing("mirror", Mode.PUBLIC, settings)
    assert _attest.skip_reason(off, trusted=True) == "off (settings)"
    assert _attest.skip_reason(PUBLIC, trusted=True) is None  # the default: attestations on
    mirror["attestations"] = "no"
    with pytest.raises(ConfigError):
        parse_settings(table)


@pytest.mark.parametrize(
    "raised",
    [
        pytest.param(lambda: TUFError("Failed to refresh TUF metadata"), id="trust-root"),
        pytest.param(
            lambda: ConnectionError("rekor.sigstore.dev: Name or service not known"),
            id="unreachable",
        ),
        pytest.param(lambda: IdentityError("Fulcio refused the identity token"), id="refused"),
    ],
)
def test_a_sigstore_failure_is_one_line_naming_sigstore_exit_2(
    raised: Callable[[], Exception], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fails(_dists: Sequence[Path]) -> list[str]:
        raise raised()

    monkeypatch.setattr(_attest, "_sign", fails)
    (tmp_path / "a.whl").write_bytes(b"x")
    with pytest.raises(SigningFailed) as failed:
        _attest.attest([tmp_path / "a.whl"], tmp_path / "out", _attest.SigstoreSigner())
    error = failed.value
    assert error.exit_code == 2
    assert error.message.startswith("signing the attestations with sigstore failed: ")
    assert error.message.endswith("nothing was uploaded")
    assert type(raised()).__name__ in error.message
    assert "\n" not in error.message
    assert error.hint is not None
    assert "attestations = false" in error.hint
