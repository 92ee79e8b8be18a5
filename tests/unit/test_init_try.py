"""init's try-run, its pure parts: how a tool's failure is summed up from what it printed, the
line a user reads, the run's arguments on the source tree, and the `uv run` to type by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from release.config.settings import CheckSpec
from release.init_try import Tried, by_hand, expand, line, summary


@pytest.mark.parametrize(
    ("output", "said"),
    [
        ("src/a.py:3: error: x\nFound 6 errors in 4 files (checked 12 source files)\n",
         "6 errors in 4 files"),  # mypy
        ("a.py:1:8: F401\nFound 1 error.\n[*] 1 fixable with the `--fix` option.\n",
         "1 error"),  # ruff
        ("/a.py:1:1 - error: x\n3 errors, 0 warnings, 0 informations \n", "3 errors"),  # pyright
        ("error[unresolved-import]: ...\nFound 5 diagnostics\n", "5 diagnostics"),  # ty
        ("mypy: error: no config 'x'\n", "exits 2 (mypy: error: no config 'x')"),  # last word
        ("", "exits 2"),
    ],
)  # fmt: skip
def test_summary(output: str, said: str) -> None:
    assert summary(output, 2) == said


def test_the_lines_a_user_reads() -> None:
    log = ".staged-release/logs/init/mypy.log"
    assert line(Tried("ruff", passed=True)) == "ruff: passes on your tree today"
    assert line(Tried("mypy", summary="6 errors in 4 files", log=log)) == (
        f"mypy: 6 errors in 4 files on your tree today (see {log})"
    )
    assert line(
        Tried("ty", ran=False, summary="Python 3.14, which it runs on, is not installed")
    ) == ("ty: could not run here: Python 3.14, which it runs on, is not installed")


def test_expand_gives_the_package_places_in_the_tree() -> None:
    run = ("mypy", "--cache-dir", "{tmp}/mypy", "{sources}", "{pytest-config}")
    assert expand(run, {"tmp": "/t"}, ["src/a", "b.py"], []) == [
        "mypy", "--cache-dir", "/t/mypy", "src/a", "b.py",
    ]  # fmt: skip


def test_by_hand_is_the_uv_run_that_does_the_same(tmp_path: Path) -> None:
    spec = CheckSpec("ruff", ("ruff", "check", "{sources}"), groups=("lint",), pythons=("3.12",))
    argv = [str(tmp_path / "bin" / "ruff"), "check", "src/a"]
    assert by_hand(spec, argv, tmp_path) == (
        "uv run --frozen --no-default-groups --group lint --python 3.12 ruff check src/a"
    )
    hooked = CheckSpec("ruff", ("ruff",), requires=("ruff==0.15.16",))
    assert by_hand(hooked, ["ruff"], tmp_path) == (
        "uv run --frozen --no-default-groups --with ruff==0.15.16 ruff"
    )
