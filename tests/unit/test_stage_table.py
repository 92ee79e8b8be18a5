"""The stage table's rows hold: each names work that exists and takes what a stage is given, and a
command the CLI parses; the lanes and the sessions list exactly its stages. A row that points at
nothing, or a command that does not exist, is a bug a user would meet as a crash."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys

import pytest

from release.cli.arguments import parser
from release.core.errors import UsageError
from release.pipeline.stages import LANES, STAGES, Stage, Target, by_command
from release.versioning.consumed import consumed

ROWS = list(STAGES.values())


@pytest.mark.parametrize("stage", ROWS, ids=[s.name for s in ROWS])
def test_every_stage_names_work_that_takes_the_run_and_its_python(stage: Stage) -> None:
    work = stage.load()
    wanted = ["run", "stage", "python"] if stage.per_python else ["run", "stage"]
    assert list(inspect.signature(work).parameters) == wanted


@pytest.mark.parametrize("stage", ROWS, ids=[s.name for s in ROWS])
def test_every_stage_command_parses(stage: Stage) -> None:
    cell = ["--python", "3.12"] if stage.per_python else []
    args = parser().parse_args([*stage.command, *cell])
    assert args.command == stage.command[0]


def test_every_stage_is_in_a_lane_and_lanes_share_only_their_entry() -> None:
    rc, final = ({s.name for s in LANES[t]} for t in (Target.TESTPYPI, Target.PYPI))
    assert rc | final == set(STAGES)
    assert rc & final == {"version_check", "build"}


def test_the_e2e_command_offers_exactly_the_e2e_stages_of_the_table() -> None:
    assert by_command("e2e") == ("e2e_rc", "e2e_prepublish", "e2e_postpublish")
    with pytest.raises(UsageError, match="invalid choice: 'images'") as caught:
        parser().parse_args(["e2e", "--stage", "images"])
    assert caught.value.exit_code == 2


def test_reading_the_table_imports_no_stage() -> None:
    """`plan` and `nox -l` read the table: they must not pay for twine, httpx or Docker's SDK."""
    code = (
        "import sys, release.pipeline.stages, release.sessions as s\n"
        "heavy = {'twine', 'httpx', 'docker', 'devpi_server'} & set(sys.modules)\n"
        "print(sorted(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_sessions_are_the_stages_of_the_table_then_the_tools(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", os.environ["PATH"])  # importing sessions puts Pythons on PATH
    from release import sessions

    names = [s.name for s in sessions.SESSIONS]
    assert names[: len(STAGES)] == list(STAGES)
    assert names[len(STAGES) :] == [
        "plan",
        "github_release",
        "bump",
        "rehearse_rc",
        "rehearse_final",
        "rehearse_workflow",
        "status",
    ]
    per_python = {s.name for s in sessions.SESSIONS if s.per_python}
    assert per_python == {s.name for s in ROWS if s.per_python}


def test_consumed_counts_tags_listings_and_what_the_caller_saw() -> None:
    """A real-looking history: a deleted tag's upload, a tag never uploaded, non-version tags."""
    from packaging.version import Version

    tags = ["v1.3.0", "v1.4.0rc1", "docs-2024", "latest", "v1.4.0-rc3"]
    listed = [Version("1.4.0rc2"), Version("1.3.0")]  # rc2's tag was deleted
    seen = consumed(tags, listed, given=[Version("1.4.0rc4")])
    assert sorted(map(str, seen)) == ["1.3.0", "1.4.0rc1", "1.4.0rc2", "1.4.0rc3", "1.4.0rc4"]
    assert consumed(["docs", "nightly"]) == frozenset()
