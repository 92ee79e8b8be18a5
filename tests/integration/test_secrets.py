"""Credentials: missing ones stop us before anything is built or sent; present ones never leak."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path
from typing import Any

import pytest

from release.index.profiles import LocalEndpoints
from tests.conftest import cli
from tests.integration.conftest import unique, write_project

CANARY = "canary-5e1f0c7d9a"
CREDENTIAL_VARIABLES = ("CANARY_TOKEN", "TWINE_PASSWORD", "PYPI_API_TOKEN", "TESTPYPI_API_TOKEN")


@pytest.mark.parametrize("command", ["upload", "build"])
def test_a_missing_credential_stops_before_anything_is_built_or_sent(
    command: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in (*CREDENTIAL_VARIABLES, "TWINE_USERNAME"):
        monkeypatch.delenv(name, raising=False)
    root = write_project(tmp_path / "p", unique("sr-app"), "1.0.0rc1")
    code, _, err = cli(capsys, command, "--index", "testpypi", "--project", str(root))
    assert code == 2
    assert "error: no credential for uploading to testpypi" in err
    assert "TESTPYPI_API_TOKEN" in err
    assert not (root / "dist").exists()


def test_a_canary_credential_appears_nowhere(
    stand_ins: LocalEndpoints,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    testpypi = stand_ins.index("testpypi")
    extra = (
        "\n[tool.staged-release.indexes.canary]\n"
        f'simple-url = "{testpypi.simple_url}"\nupload-url = "{testpypi.upload_url}"\n'
        'token-env = "CANARY_TOKEN"\n'
    )
    root = write_project(tmp_path / "p", unique("sr-app"), "1.0.0rc1", extra=extra)
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.setenv(name, CANARY)
    started = _record_processes(monkeypatch)
    caplog.set_level(logging.DEBUG)

    from release.cli import main

    assert main(["-v", "build", "--index", "canary", "--project", str(root)]) == 0
    assert main(["-v", "upload", "--index", "canary", "--project", str(root)]) == 0
    out, err = capfd.readouterr()

    assert "uploaded:" in out  # the credential was really used for a real upload
    assert CANARY not in out + err + caplog.text
    assert any("twine" in argv for argv in started)  # the recorder saw the upload's process
    assert not [argv for argv in started if CANARY in " ".join(argv)]
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and CANARY.encode() in p.read_bytes()]


def _record_processes(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Record the argv of every process started through subprocess."""
    started: list[list[str]] = []
    original = subprocess.Popen.__init__

    def recording(self: subprocess.Popen[Any], args: Any, *rest: Any, **kwargs: Any) -> None:
        started.append([str(a) for a in args])
        original(self, args, *rest, **kwargs)

    monkeypatch.setattr(subprocess.Popen, "__init__", recording)
    return started
