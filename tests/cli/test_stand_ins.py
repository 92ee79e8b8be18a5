"""`--indexes stand-ins` without the variables that name the running stand-ins: one line naming
them, exit 2, before anything is built or read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from release.index.profiles import MODE_ENV, STAND_IN_URL_ENV
from tests.conftest import cli


@pytest.mark.parametrize(
    "command", [("upload", "--index", "testpypi"), ("build", "--index", "pypi")]
)
def test_missing_stand_in_addresses_are_one_line_naming_them(
    command: tuple[str, ...],
    project: Callable[[str], Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(MODE_ENV, "stand-ins")
    monkeypatch.setenv(STAND_IN_URL_ENV["testpypi"], "http://127.0.0.1:9/root/testpypi/")
    monkeypatch.delenv(STAND_IN_URL_ENV["pypi"], raising=False)
    root = project("rc-agrees")
    code, _, err = cli(capsys, *command, "--project", str(root))
    assert code == 2
    assert err.splitlines()[0] == (
        "error: STAGED_RELEASE_INDEXES=stand-ins needs STAGED_RELEASE_PYPI_URL (not set)"
    )
    assert "Traceback" not in err
    assert not (root / "dist").exists()
