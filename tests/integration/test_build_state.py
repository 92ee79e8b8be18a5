"""The suite's state directory never reaches an sdist: hatchling reads no .gitignore but the
root's, so a build in the working tree after a validation packed .staged-release/ (logs, cells,
environments with absolute symlinks) until `build` refused it."""

from __future__ import annotations

from pathlib import Path

import pytest

from release.artifacts.build import build
from release.core.errors import ConfigError
from release.init import init
from release.versioning.versions import parse_version
from tests.integration.conftest import unique, write_project


def test_an_sdist_holding_the_state_directory_is_refused_until_init_ignores_it(
    tmp_path: Path,
) -> None:
    name = unique("sr-state")
    root = write_project(tmp_path / "p", name, "1.0.0rc1")
    (root / ".staged-release" / "logs").mkdir(parents=True)
    (root / ".staged-release" / "logs" / "build.log").write_text("a log\n")
    with pytest.raises(ConfigError) as refused:
        build(root, root / "dist", name, parse_version("1.0.0rc1"))
    assert refused.value.message.endswith("holds the suite's state directory .staged-release/")
    assert not list((root / "dist").glob("*.tar.gz"))  # nothing left to upload by mistake
    assert ".gitignore already ignores" not in init(root)[-1]
    built = build(root, root / "dist", name, parse_version("1.0.0rc1"))
    assert [f.filename.endswith((".whl", ".tar.gz")) for f in built.files] == [True, True]
