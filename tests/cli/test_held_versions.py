"""check, next and bump on projects whose build backend reads the version from a file of the
package (hatch's `[tool.hatch.version] path`, flit's `__version__`): bump writes it there and a
real `uv lock` runs; a computed version is named with its file and line. Nothing here reads an
index (see test_next_and_bump)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from release.config.project import load_config
from release.pipeline.stages import Target
from release.rehearsals.lane import Rehearsal, part_at
from release.versioning.versions import parse_version
from tests.cli.test_dynamic_versions import git
from tests.cli.test_next_and_bump import OFFLINE_NOTE, indexes_unreachable  # noqa: F401
from tests.conftest import cli, git_tag

Project = Callable[[str], Path]
FILES = {"held-hatch": "src/held_app/__init__.py", "held-flit": "held_flit/__init__.py"}
NAMES = {"held-hatch": "held-app", "held-flit": "held-flit"}
COMPUTED = 'VERSION_INFO = (1, 0, 0)\n__version__ = ".".join(map(str, VERSION_INFO))\n'


def released(project: Project, scenario: str) -> Path:
    """The fixture as a repository whose HEAD is tagged v1.0.0: the version its file holds."""
    root = project(scenario)
    git_tag(root, "v1.0.0")
    return root


@pytest.mark.parametrize("scenario", sorted(FILES))
def test_bump_rc_writes_the_file_then_check_agrees_once_tagged(
    project: Project, capsys: pytest.CaptureFixture[str], scenario: str
) -> None:
    root, file, name = released(project, scenario), FILES[scenario], NAMES[scenario]
    before = (root / file).read_text()
    args = ["--base", "1.0.1", "--offline", "--project", str(root)]
    assert cli(capsys, "bump", "rc", *args) == (
        0,
        f"bumped {name} 1.0.0 -> 1.0.1rc1 ({file}, uv.lock)\n",
        OFFLINE_NOTE,
    )
    assert (root / file).read_text() == before.replace("1.0.0", "1.0.1rc1")
    assert git(root, "status", "--porcelain").split() == ["M", file]  # uv.lock: no version to move
    git(root, "commit", "-qam", "rc1")
    git(root, "tag", "v1.0.1rc1")
    assert cli(capsys, "check", "--project", str(root)) == (
        0,
        f"ok: {name} 1.0.1rc1: {file}, uv.lock, tag v1.0.1rc1 agree\n",
        "",
    )


def test_next_reads_the_file_and_bump_without_tags_takes_its_base(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(project("held-flit"))  # not a repository: no tag consumed 1.0.0 yet
    assert cli(capsys, "next", "rc", "--offline", "--project", root)[:2] == (0, "1.0.0rc1\n")
    assert cli(capsys, "bump", "rc", "--offline", "--project", root)[0] == 0
    assert "__version__ = '1.0.0rc1'\n" in Path(root, FILES["held-flit"]).read_text()


def test_check_names_the_file_when_the_tag_disagrees(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(project("held-hatch"))
    code, out, err = cli(capsys, "check", "--project", root, "--tag", "v1.0.1rc1")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        (
            "error: held-app: version sources disagree: src/held_app/__init__.py 1.0.0, "
            "uv.lock (no version), tag v1.0.1rc1"
        ),
        (
            "hint: the tag is v1.0.1rc1 but src/held_app/__init__.py says 1.0.0 — tag v1.0.0 "
            "instead, or run `staged-release bump 1.0.1rc1` and tag that commit"
        ),
    ]


@pytest.mark.parametrize("command", [["bump", "rc", "--offline"], ["check"]])
@pytest.mark.parametrize("scenario", sorted(FILES))
def test_a_computed_version_is_one_error_naming_the_file_and_line(
    project: Project, capsys: pytest.CaptureFixture[str], scenario: str, command: list[str]
) -> None:
    root, file = released(project, scenario), FILES[scenario]
    (root / file).write_text(COMPUTED)
    backend = {"held-hatch": "hatch's [tool.hatch.version] path",
               "held-flit": "flit_core (the module's __version__)"}[scenario]  # fmt: skip
    code, out, err = cli(capsys, *command, "--project", str(root))
    assert (code, out) == (2, "")
    assert err.splitlines()[-2:] == [
        (
            f"error: {backend} reads the version from {file}:2, which computes it "
            '(`__version__ = ".".join(map(str, VERSION_INFO))`)'
        ),
        (
            'hint: write a plain string there (`__version__ = "X.Y.Z"`), the one form bump and '
            "check read and write; until then, edit it by hand for each release"
        ),
    ]
    assert (root / file).read_text() == COMPUTED


def test_bump_tag_is_refused_for_a_version_held_in_a_file(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = released(project, "held-hatch")
    code, out, err = cli(capsys, "bump", "rc", "--tag", "--offline", "--project", str(root))
    assert (code, out) == (2, "")
    assert "hint: bump without --tag, commit src/held_app/__init__.py and uv.lock, then" in err
    assert git(root, "tag", "--list").split() == ["v1.0.0"]


def test_a_rehearsal_copy_is_set_in_the_file(project: Project, tmp_path: Path) -> None:
    root = project("held-flit")
    plan = Rehearsal(root, tmp_path / "report.json")
    part = part_at(plan, tmp_path / "copy", Target.TESTPYPI, parse_version("1.0.0rc1"), "rc")
    assert load_config(part.source).version == "1.0.0rc1"
    assert load_config(root).version == "1.0.0"  # the project itself is not touched
    assert (part.source / "uv.lock").read_text() == (root / "uv.lock").read_text()
