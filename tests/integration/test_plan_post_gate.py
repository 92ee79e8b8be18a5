"""`plan` on GitHub for a .postN: it needs its final on PyPI (a real devpi playing PyPI, read
through the simple API), not a green rc; refused before anything is built while it is not."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from release.index.devpi import local_indexes
from release.index.profiles import STAND_IN_URL_ENV
from release.rehearsals.workflow.github_api import Api, serving
from tests.conftest import cli
from tests.integration.test_status import upload


@pytest.mark.integration
def test_a_post_needs_its_final_on_pypi(
    project: Callable[[str], Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    root = project("post-agrees")  # proxbox-api 1.4.0.post2
    summary = tmp_path / "summary.md"
    with local_indexes(tmp_path / "indexes") as devpi, serving(Api("o/r", "tok")) as api:
        variables = {
            "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_RUN_ID": "7",
            "GITHUB_REF": "refs/tags/v1.4.0.post2", "GITHUB_REPOSITORY": "o/r",
            "GITHUB_TOKEN": "tok", "GITHUB_STEP_SUMMARY": str(summary),
            "STAGED_RELEASE_INDEXES": "stand-ins", **api,
            **{name: f"{devpi.base_url}root/{role}/" for role, name in STAND_IN_URL_ENV.items()},
        }  # fmt: skip
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        code, _, err = cli(capsys, "plan", "--project", str(root))
        assert code == 2
        assert "1.4.0.post2 fixes the final 1.4.0, which stand-in pypi does not list" in err
        with httpx.Client(timeout=30) as http:
            upload(http, f"{devpi.base_url}root/pypi/", "proxbox-api", "1.4.0")
        code, out, _ = cli(capsys, "plan", "--project", str(root))
    assert (code, out.splitlines()[0]) == (0, "proxbox-api 1.4.0.post2 (post) -> pypi lane")
    assert "final 1.4.0 on stand-in pypi" in summary.read_text()
