"""Versions from the git tag, with real build backends (from PyPI through uv's cache): hatch-vcs
builds at the tag from a copy without .git, a backend that reads its version from a file is
caught, and the rehearsal takes --tag (or says to tag). A version held in a file (hatch's path,
flit's module) is built as bump wrote it there."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from release.artifacts.build import build
from release.artifacts.metadata import built_version
from release.core.errors import VersionMismatch
from release.versioning.versions import parse_version
from tests.cli.test_dynamic_versions import git
from tests.conftest import PROJECTS, cli, git_tag


def copy_without_git(tmp_path: Path) -> Path:
    return Path(shutil.copytree(PROJECTS / "dynamic-tagged", tmp_path / "tagged-app"))


def test_hatch_vcs_builds_at_the_given_version_from_a_copy_without_git(tmp_path: Path) -> None:
    root = copy_without_git(tmp_path)
    built = build(root, tmp_path / "dist", "tagged-app", parse_version("1.2.0rc1"), dynamic=True)
    names = sorted(f.filename for f in built.files)
    assert names == ["tagged_app-1.2.0rc1-py3-none-any.whl", "tagged_app-1.2.0rc1.tar.gz"]
    assert {built_version(tmp_path / "dist" / n) for n in names} == {"1.2.0rc1"}
    assert built.version == "1.2.0rc1"


def test_a_backend_reading_the_version_from_a_file_fails_the_build(tmp_path: Path) -> None:
    root = copy_without_git(tmp_path)
    (root / "src" / "tagged_app" / "__init__.py").write_text('__version__ = "0.9.0"\n')
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('source = "vcs"', 'path = "src/tagged_app/__init__.py"')
    )
    dist = tmp_path / "dist"
    with pytest.raises(VersionMismatch) as caught:
        build(root, dist, "tagged-app", parse_version("1.0.0rc1"), dynamic=True)
    assert caught.value.message.startswith(
        "the built wheel says 0.9.0, but the release is 1.0.0rc1 (tagged_app-0.9.0-"
    )
    assert "tag the commit v1.0.0rc1" in str(caught.value.hint)
    assert sorted(p.name for p in dist.iterdir()) == []  # a retry is not refused for them


def rehearse(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, list[str]]:
    report = root.parent / "report.json"
    code, _, _ = cli(
        capsys, "rehearse", "rc", "--project", str(root), "--report", str(report), *args
    )
    outcomes = json.loads(report.read_text())["outcomes"]
    return code, [f"{o['stage']} {o['cell']} {o['status']} {o['reason']}".strip() for o in outcomes]


def test_the_rehearsal_without_a_tag_fails_its_version_check_with_the_hint(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, rows = rehearse(capsys, copy_without_git(tmp_path))
    assert code == 2  # bad input: nothing was built or sent
    assert rows[0].startswith("version_check - failed tagged-app's version is dynamic")
    assert "`git tag vX.Y.ZrcN`" in rows[0]
    assert rows[1] == "build - skipped an earlier stage failed"


def test_the_rehearsal_takes_the_version_from_tag(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = copy_without_git(tmp_path)
    code, rows = rehearse(capsys, root, "--tag", "v3.1.0rc2", "--dependency-index", "local")
    assert code == 0, rows
    assert [r.split()[:3] for r in rows[:4]] == [
        ["version_check", "-", "passed"],
        ["build", "-", "passed"],
        ["upload_testpypi", "-", "passed"],
        ["validate_rc", "3.12", "passed"],
    ]
    dist = root / ".staged-release" / "rehearsal" / "dist-testpypi"  # the rc lane's build
    assert (dist / "tagged_app-3.1.0rc2-py3-none-any.whl").is_file()


@pytest.mark.parametrize(
    ("scenario", "wheel"),
    [("held-hatch", "held_app-1.0.1rc1-py3-none-any.whl"),
     ("held-flit", "held_flit-1.0.1rc1-py3-none-any.whl")],
)  # fmt: skip
def test_a_version_bump_wrote_into_the_file_is_what_the_backend_builds(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, scenario: str, wheel: str
) -> None:
    root = Path(shutil.copytree(PROJECTS / scenario, tmp_path / scenario))
    git_tag(root, "v1.0.0")
    project = ["--project", str(root)]
    assert cli(capsys, "bump", "rc", "--base", "1.0.1", "--offline", *project)[0] == 0
    git(root, "commit", "-qam", "rc1")
    git(root, "tag", "v1.0.1rc1")
    assert cli(capsys, "check", *project)[0] == 0
    code, out, _ = cli(capsys, "build", *project, "--dist", str(tmp_path / "dist"))
    assert code == 0, out
    assert {built_version(p) for p in (tmp_path / "dist").glob("held*")} == {"1.0.1rc1"}
    assert (tmp_path / "dist" / wheel).is_file()
