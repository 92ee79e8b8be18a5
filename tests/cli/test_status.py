"""`status` at the command line: --offline reads git tags only and judges nothing it did not
read; bad input is exit 2 before anything is read; an index that cannot be read is an error that
names --offline, never a view with a silent gap."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import cli, git_tag

Project = Callable[[str], Path]


@pytest.fixture(autouse=True)
def indexes_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every request goes to a proxy that is not there: nothing here reaches a real index."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, closed)
        monkeypatch.setenv(name.lower(), closed)
    for name in ("NO_PROXY", "no_proxy", "STAGED_RELEASE_INDEXES"):
        monkeypatch.delenv(name, raising=False)


def test_offline_shows_the_tags_and_finds_no_drift_it_cannot_see(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project("rc-agrees")
    git_tag(root, "v1.3.0", "v1.4.0rc1", "docs-2024")
    code, out, err = cli(capsys, "status", "--offline", "--json", "--project", str(root))
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert [(r["version"], r["tag"], r["state"]) for r in data["versions"]] == [
        ("1.4.0rc1", "v1.4.0rc1", "rc tagged, indexes not read"),
        ("1.3.0", "v1.3.0", "final tagged, indexes not read"),
    ]
    assert data["drift"] == []
    assert data["sources"]["staging"] is None
    assert data["next"] == {
        "rc": "1.4.0rc2",
        "final": "1.4.0",
        "post": data["next"]["post"],  # refused: 1.4.0 is not released
    }
    assert data["next"]["post"].startswith("none: 1.4.0 has not been released")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--indexes", "nowhere"), "error: unknown index mode 'nowhere'"),
        (("--offline", "--indexes", "local"), "not allowed with argument"),
        (("--dist", ""), "an empty value is not allowed"),
    ],
)
def test_bad_input_is_exit_2(
    project: Project, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    root = project("rc-agrees")
    code, out, err = cli(capsys, "status", *argv, "--project", str(root))
    assert (code, out) == (2, "")
    assert message in err


def test_an_index_that_cannot_be_read_is_an_error_naming_offline(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project("rc-agrees")
    git_tag(root, "v1.4.0rc1")
    code, out, err = cli(capsys, "status", "--project", str(root))
    assert (code, out) == (1, "")
    assert "error: cannot reach" in err
    assert "or pass --offline to read git tags and dist/ only" in err
