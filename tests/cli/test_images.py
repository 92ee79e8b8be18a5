"""`staged-release images` says when it has nothing to do, and why: skipped, exit 1."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import cli

Project = Callable[[str], Path]


def test_a_project_without_images_is_skipped_saying_what_to_add(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, "images", "--project", str(project("final-agrees")))
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "skipped: the project declares no images ([tool.staged-release.images] is missing)",
        'hint: add the table with app = "module:attr" (see the README) to build images',
    ]
