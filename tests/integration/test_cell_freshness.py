"""A cell run again is a cell made anew: nothing of an earlier run, passed or not, is trusted.

Issue 25 made the cell faster; this is what it must still do on its second run on the same
state directory: a new environment (not the first run's, whatever was put into it), and the
wheel's sha256 proved again against what the index serves now.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from release.artifacts.manifest import sha256_of
from release.config.project import DEFAULT_PYTHONS
from release.core.errors import IntegrityError
from release.core.verdicts import CheckStatus
from release.index.devpi import local_indexes
from release.index.profiles import DEPENDENCY_INDEX_ENV, MODE_ENV, LocalEndpoints
from release.upload.stage import upload
from release.validation.validate import validate
from tests.conftest import cli
from tests.integration.conftest import build_at, make_run, processes, unique

PYTHON = DEFAULT_PYTHONS[0]
CELL = f"validate_rc-{PYTHON}"


@pytest.fixture
def own_index(tmp_path: Path) -> Iterator[tuple[LocalEndpoints, Path]]:
    """Stand-ins of this test's own, since it changes a file in the server's storage."""
    with local_indexes(tmp_path / "indexes") as endpoints:
        yield endpoints, tmp_path / "indexes" / "devpi"


def test_a_second_run_makes_its_environment_anew_and_proves_the_wheel_again(
    own_index: tuple[LocalEndpoints, Path], http: httpx.Client, tmp_path: Path
) -> None:
    endpoints, serverdir = own_index
    built = build_at(tmp_path / "p", unique("sr-again"), "1.0.0rc1")
    state = tmp_path / "state"
    run = make_run(tmp_path / "p", endpoints, http, state)
    upload(run, "testpypi")
    validate(run, "validate_rc", "testpypi", PYTHON)
    cell = state / "cells" / CELL
    planted = cell / "venv" / "planted-by-the-test"
    planted.write_text("the first run's environment")
    (cell / "wheel" / built.wheel.filename).write_bytes(b"not the wheel")

    second = validate(run, "validate_rc", "testpypi", PYTHON)

    assert [c.status for c in second.checks] == [CheckStatus.PASSED, CheckStatus.PASSED]
    assert not planted.exists()  # a new environment, not the first run's
    assert sha256_of(cell / "wheel" / built.wheel.filename) == built.wheel.sha256
    log = (state / "logs" / CELL / "environment.log").read_text()
    assert log.count(" venv ") == 1  # the log is the second run's, which made its environment

    # The index now serves other bytes under the listed name and hash: a third run refuses them,
    # although the same wheel passed twice.
    stored = [p for p in serverdir.rglob(built.wheel.filename) if p.is_file()]
    assert stored, f"devpi keeps {built.wheel.filename} under {serverdir}"
    for path in stored:
        path.write_bytes(b"other bytes")
    with pytest.raises(IntegrityError, match="served bytes whose sha256 is not"):
        validate(run, "validate_rc", "testpypi", PYTHON)
    assert not (state / "cells" / CELL / "venv").exists()  # nothing installed from them


def _servers(state: Path) -> list[int]:
    """devpi-servers serving from `state`."""
    return processes(lambda argv: any(b"devpi-server" in a for a in argv)
                     and str(state).encode() in b" ".join(argv))  # fmt: skip


def test_the_command_starts_its_index_first_and_stops_it_on_every_way_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`staged-release validate` on the local stand-ins starts their server before it loads
    the project (where an upload made the state directory): the cell passes, and neither it nor
    a pyproject.toml broken after the upload (read while the server starts) leaves the server
    running (the test's process lives on, so the server's parent-death signal would not)."""
    monkeypatch.setenv(MODE_ENV, "local")
    monkeypatch.setenv(DEPENDENCY_INDEX_ENV, "local")
    root = tmp_path / "p"
    build_at(root, unique("sr-early"), "1.0.0rc1")
    state = root / ".staged-release"
    assert cli(capsys, "upload", "--index", "testpypi", "--project", str(root))[0] == 0
    argv = ("validate", "--python", PYTHON, "--project", str(root))
    code, out, err = cli(capsys, *argv)
    assert code == 0, err
    assert "passes its checks" in out
    assert _servers(state) == []
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.staged-release]\n")  # a second one
    code, _, err = cli(capsys, *argv)
    assert code == 2
    assert f"cannot read {pyproject}" in err
    assert _servers(state) == []
