"""Trusted publishing end to end, through the command line: a local HTTP server plays the CI's
identity-token endpoint (GitHub's ACTIONS_ID_TOKEN_REQUEST_URL) and the index's audience and
mint-token endpoints; it checks the credential of every upload it receives and hands accepted
ones on to the real devpi stand-in, whose listing the upload then waits for."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from release.index.profiles import LocalEndpoints
from release.upload import stage
from tests.conftest import cli
from tests.integration.conftest import unique, write_project

AUDIENCE = "staged-release-test"
REQUEST_TOKEN = "request-canary-77a1"  # GitHub's ACTIONS_ID_TOKEN_REQUEST_TOKEN
MINTED = "pypi-minted-canary-4c2e9b"
TOKEN = "pypi-token-canary-91d3"  # a long-lived token in the profile's token variable
CLAIMS = {
    "repository": "octo/app",
    "repository_owner": "octo",
    "job_workflow_ref": "octo/app/.github/workflows/release.yml@refs/tags/v1.0.0rc1",
    "environment": "testpypi",
    "ref": "refs/tags/v1.0.0rc1",
}
REFUSAL = {
    "code": "invalid-publisher",
    "description": "valid token, but no corresponding publisher",
}
CREDENTIAL_VARIABLES = ("PYPI_API_TOKEN", "TESTPYPI_API_TOKEN", "TWINE_USERNAME", "TWINE_PASSWORD")


def _identity_token(audience: str) -> str:
    def part(data: dict[str, str]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256'})}.{part({'aud': audience, **CLAIMS})}.c2lnbmF0dXJl"


IDENTITY = _identity_token(AUDIENCE)


@dataclass
class Index:
    """What the server was asked, and how it answers."""

    upstream: str  # devpi's upload URL: accepted uploads go on there
    refuse: bool = False  # mint-token answers invalid-publisher
    accepted: set[str] = field(default_factory=lambda: {f"__token__:{MINTED}"})
    uploads: list[tuple[str, bool]] = field(default_factory=list)  # (credential, attestations)
    minted: int = 0


def _handler(index: Index) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/_/oidc/audience":
                return self._json(200, {"audience": AUDIENCE})
            if (
                url.path == "/ci-token"
                and self.headers["Authorization"] == f"bearer {REQUEST_TOKEN}"
            ):
                audience = parse_qs(url.query)["audience"][0]
                return self._json(200, {"value": _identity_token(audience)})
            return self._json(404, {})

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if self.path == "/_/oidc/mint-token":
                return self._mint(json.loads(body))
            if self.path == "/upload/":
                return self._upload(body)
            return self._json(404, {})

        def _mint(self, request: dict[str, str]) -> None:
            if index.refuse or request.get("token") != IDENTITY:
                return self._json(422, {"errors": [REFUSAL]})
            index.minted += 1
            return self._json(200, {"success": True, "token": MINTED, "expires": 2**31})

        def _upload(self, body: bytes) -> None:
            scheme, _, encoded = self.headers.get("Authorization", "").partition(" ")
            credential = base64.b64decode(encoded).decode() if scheme == "Basic" else ""
            index.uploads.append((credential, b'name="attestations"' in body))
            if credential not in index.accepted:
                return self._json(403, {"message": "Invalid or non-existent authentication"})
            headers = {"Content-Type": self.headers["Content-Type"]}
            sent = httpx.post(
                index.upstream, content=body, headers=headers, auth=("anonymous", "-")
            )
            return self._json(sent.status_code, {})

        def _json(self, status: int, data: object) -> None:
            payload = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


@dataclass
class Setting:
    index: Index
    root: Path
    base: str  # the server's root URL


@pytest.fixture
def setting(
    stand_ins: LocalEndpoints, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Setting]:
    """A project whose index `tp` takes uploads at the server, and lists them from devpi."""
    devpi = stand_ins.index("testpypi")
    assert devpi.upload_url is not None
    index = Index(devpi.upload_url)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(index))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    extra = (
        f'\n[tool.staged-release.indexes.tp]\nsimple-url = "{devpi.simple_url}"\n'
        f'upload-url = "{base}/upload/"\ntoken-env = "TP_TOKEN"\ntrusted-publishing = true\n'
    )
    root = write_project(tmp_path / "p", unique("sr-app"), "1.0.0rc1", extra=extra)
    # as `init` writes it: the logs a refused build leaves must not ride in the next sdist
    (root / ".gitignore").write_text("/.staged-release/\n")
    for name in (*CREDENTIAL_VARIABLES, "TP_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", REQUEST_TOKEN)
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_URL", f"{base}/ci-token")
    yield Setting(index, root, base)
    server.shutdown()
    server.server_close()


class _Signer:
    def sign(self, dists: list[Path]) -> list[str]:
        return [json.dumps({"version": 1, "for": d.name}) for d in dists]


def test_the_minted_token_reaches_the_upload_and_nowhere_else(
    setting: Setting, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stage, "SIGNER", _Signer())
    project = ("--project", str(setting.root))
    built, out_b, err_b = cli(capsys, "build", "--index", "tp", *project)
    code, out, err = cli(capsys, "upload", "--index", "tp", *project)
    assert (built, code) == (0, 0), err_b + err
    # the build's preflight; the upload's, proving the publisher; the one twine uploads with,
    # minted after the signing
    assert setting.index.minted == 3
    assert setting.index.uploads == [(f"__token__:{MINTED}", True)] * 2  # wheel, sdist; signed
    assert "attestations: 2 attached" in out
    assert "credential: trusted publishing (repository=octo/app," in out
    # GitHub masks each token before anything else is printed; nothing else shows it.
    mask = f"::add-mask::{MINTED}"
    assert out.splitlines()[0] == mask
    assert out.splitlines().count(mask) == 2
    shown = out_b + err_b + "\n".join(line for line in out.splitlines() if line != mask) + err
    for secret in (MINTED, IDENTITY, REQUEST_TOKEN):
        assert secret not in shown
        assert not [
            p for p in setting.root.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()
        ]
    assert not list((setting.root / "dist").glob("*.attestation"))  # signed copies only


@pytest.mark.parametrize("command", ["build", "upload"])
def test_a_refused_publisher_stops_before_any_build_with_the_claims(
    command: str, setting: Setting, capsys: pytest.CaptureFixture[str]
) -> None:
    setting.index.refuse = True
    code, _, err = cli(capsys, command, "--index", "tp", "--project", str(setting.root))
    assert code == 2
    first = err.splitlines()[0]
    assert "tp refused trusted publishing: invalid-publisher: valid token, but no" in first
    for claim, value in CLAIMS.items():
        assert f"{claim}={value}" in first
    assert "register on tp a trusted publisher with exactly these claims" in err
    assert "Traceback" not in err
    assert not (setting.root / "dist").exists()
    assert setting.index.uploads == []


def test_always_without_the_id_token_permission_is_bad_input_with_the_hint(
    setting: Setting, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ACTIONS_ID_TOKEN_REQUEST_URL")  # a job without `id-token: write`
    monkeypatch.delenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
    monkeypatch.setenv("TP_TOKEN", TOKEN)  # `always` must not fall back to it
    argv = ("--index", "tp", "--trusted-publishing", "always", "--project", str(setting.root))
    code, _, err = cli(capsys, "build", *argv)
    assert code == 2
    assert "error: trusted publishing to tp needs this job's CI identity token" in err
    assert "permissions: id-token: write" in err
    assert not (setting.root / "dist").exists()


def test_auto_falls_back_to_the_token_variable_and_skips_attestations(
    setting: Setting, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ACTIONS_ID_TOKEN_REQUEST_URL")  # no identity token for this job
    monkeypatch.delenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
    monkeypatch.setenv("TP_TOKEN", TOKEN)
    setting.index.accepted = {f"__token__:{TOKEN}"}
    project = ("--project", str(setting.root))
    assert cli(capsys, "build", *project)[0] == 0
    code, out, err = cli(capsys, "upload", "--index", "tp", *project)
    assert code == 0, err
    assert setting.index.minted == 0
    assert setting.index.uploads == [(f"__token__:{TOKEN}", False)] * 2
    assert "credential: the token in TP_TOKEN" in out
    assert "attestations: skipped: uploading with a token" in out
    assert "::add-mask::" not in out


def test_a_refused_token_is_one_line_naming_its_variable(
    setting: Setting, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TP_TOKEN", TOKEN)  # the server accepts only the minted one
    project = ("--project", str(setting.root))
    assert cli(capsys, "build", *project)[0] == 0
    argv = ("--index", "tp", "--trusted-publishing", "never", *project)
    code, out, err = cli(capsys, "upload", *argv)
    assert code == 2
    assert err.splitlines()[0].startswith(
        "error: tp refused the upload credential (403), which came from the token in TP_TOKEN"
    )
    assert len(err.splitlines()) == 2  # the error and its hint, not twine's log
    assert TOKEN not in out + err
