"""Trusted publishing as the workflow rehearsal stands it in, its pure parts: the identity token
(signed, verified, expiring), the claims GitHub would put in, PyPI's publisher match, the
upload credential check, the asking job found through a fake /proc, and the `stand-ins` mode
that points the publishing profiles at the running stand-ins."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx
import pytest

from release.config.settings import Settings
from release.core.errors import ConfigError
from release.index.profiles import (
    MODE_ENV,
    STAND_IN_URL_ENV,
    Mode,
    Policy,
    publishing,
    read_mode,
    read_stand_ins,
)
from release.rehearsals.workflow.trusted import _jwt, _peer
from release.rehearsals.workflow.trusted._front import (
    EXPIRED,
    NO_AUTH,
    PASSWORDS,
    Front,
    Minted,
    fingerprint,
)
from release.rehearsals.workflow.trusted._front import upload_credential as credential
from release.rehearsals.workflow.trusted._http import Request
from release.rehearsals.workflow.trusted._identity import (
    ISSUER,
    Publisher,
    Workflow,
    job_claims,
    match,
)
from release.rehearsals.workflow.trusted._record import Record
from release.upload import _attest
from release.upload.credential import Route, route

KEY = b"k" * 32
NOW = 1_800_000_000
WORKFLOW = Workflow("release.yml", {"upload_testpypi": "testpypi"}, frozenset({"upload_testpypi"}))
JOB = {
    "GITHUB_JOB": "upload_testpypi",
    "GITHUB_REPOSITORY": "octo/app",
    "GITHUB_REF": "refs/tags/v1.0.0rc1",
    "GITHUB_SHA": "a1b2c3",
    "GITHUB_EVENT_NAME": "push",
    "GITHUB_RUN_ID": "7",
}
PUBLISHER = Publisher("octo/app", "release.yml", "testpypi")


def _claims(env: dict[str, str] = JOB, workflow: Workflow = WORKFLOW) -> dict[str, object]:
    found = job_claims(env, workflow, "testpypi", NOW, "jti-1")
    assert isinstance(found, dict), found
    return found


def _verify(token: str, now: float = NOW, audience: str = "testpypi") -> object:
    return _jwt.verify(token, KEY, audience=audience, issuer=ISSUER, now=now)


def test_an_identity_token_verifies_with_its_claims_until_it_expires() -> None:
    token = _jwt.encode(_claims(), KEY)
    assert _verify(token) == _claims()
    expires = _claims()["exp"]
    assert isinstance(expires, int)
    assert _verify(token, now=expires + _jwt.LEEWAY) == _claims()  # PyPI's leeway
    assert _verify(token, now=expires + _jwt.LEEWAY + 1) == f"expired {_jwt.LEEWAY + 1:.0f} s ago"
    assert _verify(token, now=NOW - 3600) == "not yet valid"
    assert _verify(token, audience="pypi") == "audience 'testpypi' is not 'pypi'"


def test_a_forged_or_unsigned_identity_token_is_refused() -> None:
    header, payload, _ = _jwt.encode(_claims(), KEY).split(".")
    assert _verify(f"{header}.{payload}.eHh4") == "signature does not match"
    other = _jwt.encode(_claims(), b"another key")
    assert _verify(other) == "signature does not match"
    none = base64.urlsafe_b64encode(json.dumps({"alg": "none"}).encode()).decode().rstrip("=")
    assert _verify(f"{none}.{payload}.") == "unsupported algorithm 'none'"
    assert str(_verify("not-a-jwt")).startswith("malformed")


def test_the_claims_are_githubs_for_a_job_in_an_environment_or_not() -> None:
    claims = _claims()
    assert claims["sub"] == "repo:octo/app:environment:testpypi"
    assert claims["environment"] == "testpypi"
    assert (
        claims["job_workflow_ref"] == "octo/app/.github/workflows/release.yml@refs/tags/v1.0.0rc1"
    )
    assert (claims["repository_owner"], claims["ref_type"], claims["aud"]) == (
        "octo", "tag", "testpypi")  # fmt: skip
    plain = _claims(workflow=Workflow("release.yml", {}, WORKFLOW.id_token))
    assert plain["sub"] == "repo:octo/app:ref:refs/tags/v1.0.0rc1"
    assert "environment" not in plain


def test_a_job_without_the_permission_or_a_process_of_no_job_gets_no_token() -> None:
    refused = job_claims(JOB, Workflow("release.yml", {}, frozenset()), "testpypi", NOW, "j")
    assert refused == (
        "job upload_testpypi lacks `permissions: id-token: write`: "
        "GitHub gives it no identity token"
    )
    stranger = {k: v for k, v in JOB.items() if k != "GITHUB_JOB"}
    assert "no job of this run (GITHUB_JOB not set)" in str(
        job_claims(stranger, WORKFLOW, "testpypi", NOW, "j")
    )


@pytest.mark.parametrize(
    "publisher",
    [
        PUBLISHER,
        Publisher("Octo/App", "release.yml", "TestPyPI"),
        Publisher("octo/app", "release.yml"),
    ],
)
def test_the_registered_publisher_takes_the_job(publisher: Publisher) -> None:
    assert match(publisher, _claims()) is None


MISMATCHES = [
    # (publisher, the detail the record keeps)
    (Publisher("octo/app", "release.yml", "pypi"),
     "environment: the publisher names 'pypi', the token 'testpypi'"),
    (Publisher("octo/app", "publish.yml", "testpypi"),
     "workflow: the publisher names 'publish.yml', the token 'release.yml'"),
    (Publisher("octo/other", "release.yml", "testpypi"),
     "repository: the publisher names 'octo/other', the token 'octo/app'"),
    (None, "no trusted publisher is registered on this index"),
]  # fmt: skip


@pytest.mark.parametrize(("publisher", "why"), MISMATCHES)
def test_any_other_publisher_refuses_as_pypi_does(publisher: Publisher | None, why: str) -> None:
    refusal = match(publisher, _claims())
    assert refusal is not None
    assert (refusal.code, refusal.why) == ("invalid-publisher", why)
    assert refusal.description == (
        "valid token, but no corresponding publisher (Publisher with matching claims was not found)"
    )


def test_a_workflow_ref_of_another_ref_is_refused() -> None:
    claims = {
        **_claims(),
        "job_workflow_ref": "octo/app/.github/workflows/release.yml@refs/heads/x",
    }
    refusal = match(PUBLISHER, claims)
    assert refusal is not None
    assert refusal.why.startswith("job_workflow_ref 'octo/app/.github/workflows/release.yml@refs/")


def test_the_exchange_answers_in_pypis_shapes_and_takes_each_identity_token_once(
    tmp_path: Path,
) -> None:
    record = Record()
    with httpx.Client() as http:  # unused: minting reaches no upstream
        front = Front("testpypi", "http://127.0.0.1:9/", PUBLISHER, key=KEY, lifetime=900.0,
                      record=record, http=http, proc=tmp_path, clock=lambda: NOW)  # fmt: skip

        def mint(body: bytes) -> tuple[int, dict[str, object]]:
            answer = front(Request("POST", "/_/oidc/mint-token", (), body, 50000, 8080))
            return answer.status, json.loads(answer.body)

        token = json.dumps({"token": _jwt.encode(_claims(), KEY)}).encode()
        status, first = mint(token)
        again, wrong_key, payload = mint(token), mint(b'{"token": "x.y.z"}'), mint(b"[]")
    assert (status, first["success"], str(first["token"])[:5]) == (200, True, "pypi-")
    assert first["expires"] == NOW + 900
    refused = [(status, answer["errors"]) for status, answer in (again, wrong_key, payload)]
    assert refused == [
        (422, [{"code": "invalid-reuse-token", "description": "invalid token: already used"}]),
        (422, [{"code": "invalid-token", "description": "malformed or invalid token"}]),
        (422, [{"code": "invalid-payload",
                "description": "the body is no JSON object with a token string"}]),
    ]  # fmt: skip
    assert [e.outcome for e in record.entries()] == ["ok", "refused", "refused", "refused"]
    assert str(first["token"]) not in json.dumps(record.as_json())


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


MINTED = {fingerprint("pypi-minted"): Minted(NOW + 900, "upload_testpypi")}


@pytest.mark.parametrize(
    ("authorization", "now", "verdict"),
    [
        ("", NOW, NO_AUTH),
        (_basic("__token__", "pypi-forged"), NOW, NO_AUTH),
        (_basic("maintainer", "hunter22"), NOW, PASSWORDS),
        (_basic("__token__", "pypi-minted"), NOW + 900, EXPIRED),  # the first second past it
        (_basic("__token__", "pypi-minted"), NOW + 899, MINTED[fingerprint("pypi-minted")]),
    ],
)
def test_an_upload_takes_only_an_unexpired_minted_token(
    authorization: str, now: float, verdict: object
) -> None:
    assert credential(authorization, MINTED, None, now) == verdict


def test_an_upload_takes_the_configured_api_token_too() -> None:
    assert credential(_basic("__token__", "pypi-long"), {}, None, NOW) == NO_AUTH
    accepted = credential(_basic("__token__", "pypi-long"), {}, "pypi-long", NOW)
    assert isinstance(accepted, Minted)


# /proc/net/tcp as the kernel writes it: the client 127.0.0.1:46000 connected to :8080 (and the
# server's own end of it), a connection from elsewhere to the same port, a listening socket.
TCP = """\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 111 1
   1: 0100007F:B3B0 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 222 1
   2: 0100007F:1F90 0100007F:B3B0 01 00000000:00000000 00:00000000 00000000  1000        0 333 1
   3: 0A00000A:B3B1 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 444 1
"""
# tcp6: a v4-mapped loopback client 127.0.0.1:46002 to :8080.
TCP6 = """\
  sl  local_address                         remote_address                        st ...
   0: 0000000000000000FFFF00000100007F:B3B2 0000000000000000FFFF00000100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 555 1
"""  # noqa: E501 - the kernel's line


def test_the_socket_of_a_loopback_client_is_found_in_the_tables() -> None:
    assert _peer.socket_inode(TCP, 46000, 8080) == 222
    assert _peer.socket_inode(TCP, 8080, 46000) == 333  # the other end: the server's
    assert _peer.socket_inode(TCP, 46001, 8080) is None  # not from loopback
    assert _peer.socket_inode(TCP6, 46002, 8080) == 555


def test_the_asking_process_and_its_environment_are_read_from_proc(tmp_path: Path) -> None:
    proc = tmp_path / "proc"
    (proc / "net").mkdir(parents=True)
    (proc / "net" / "tcp").write_text(TCP)
    (proc / "net" / "tcp6").write_text(TCP6)
    for pid, inode, env in ((41, 222, JOB), (42, 999, {"GITHUB_JOB": "build"})):
        (proc / str(pid) / "fd").mkdir(parents=True)
        (proc / str(pid) / "fd" / "3").symlink_to(f"socket:[{inode}]")
        (proc / str(pid) / "fd" / "0").symlink_to("/dev/null")
        environ = b"".join(f"{k}={v}".encode() + b"\0" for k, v in env.items())
        (proc / str(pid) / "environ").write_bytes(environ)
    (proc / "self").mkdir()
    assert _peer.peer_environments(proc, 46000, 8080) == [JOB]
    assert _peer.peer_environments(proc, 46002, 8080) == []  # listed, but no process holds it
    assert _peer.peer_environments(proc, 47000, 8080) == []


@pytest.mark.parametrize(("flag", "env"), [("stand-ins", {}), (None, {MODE_ENV: "stand-ins"})])
def test_the_stand_ins_mode_is_read_from_flag_or_variable(
    flag: str | None, env: dict[str, str]
) -> None:
    assert read_mode(flag, env) is Mode.STAND_INS


URLS = {
    STAND_IN_URL_ENV["testpypi"]: "http://127.0.0.1:4001/root/testpypi/",
    STAND_IN_URL_ENV["pypi"]: "http://127.0.0.1:4002/root/pypi",
}


def test_the_publishing_profiles_become_the_running_stand_ins_with_the_whole_credential_path() -> (
    None
):
    stand_ins = read_stand_ins(URLS)
    staging = publishing("testpypi", Mode.STAND_INS, Settings(), stand_ins=stand_ins)
    release = publishing("pypi", Mode.STAND_INS, Settings(), stand_ins=stand_ins)
    assert staging.upload_url == "http://127.0.0.1:4001/root/testpypi/"
    assert staging.simple_url == "http://127.0.0.1:4001/root/testpypi/+simple/"
    assert release.simple_url == "http://127.0.0.1:4002/root/pypi/+simple/"
    assert (staging.token_env, release.token_env) == ("TESTPYPI_API_TOKEN", "PYPI_API_TOKEN")
    assert staging.trusted_publishing
    assert not staging.local
    assert route(staging, Policy.AUTO, ambient=True) is Route.EXCHANGE
    assert route(staging, Policy.AUTO, ambient=False) is Route.TOKEN
    assert _attest.skip_reason(staging, trusted=True) == f"skipped: {_attest.STAND_IN}"


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({}, "stand-ins needs STAGED_RELEASE_TESTPYPI_URL and STAGED_RELEASE_PYPI_URL (not set)"),
        ({STAND_IN_URL_ENV["testpypi"]: "http://h/"}, "needs STAGED_RELEASE_PYPI_URL (not set)"),
        ({**URLS, STAND_IN_URL_ENV["pypi"]: "127.0.0.1:4002"}, "is no http(s) URL"),
    ],
)
def test_missing_stand_in_variables_are_bad_input_naming_them(
    env: dict[str, str], said: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        read_stand_ins(env)
    assert said in caught.value.message
    assert caught.value.exit_code == 2
