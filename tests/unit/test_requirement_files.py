"""Test requirements kept outside anything uv.lock pins (pip-tools files, tox.ini), and init's
note on them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from release.config.requirement_files import (
    Unpinned,
    find_test_requirements,
    requirement_names,
    tox_deps,
    unpinned,
)
from release.init import Findings, settings_table

PIP_TOOLS = """\
# tests.in, pip-tools style
-r base.in
-c constraints.txt
-e .
--index-url https://example.invalid/simple
pytest>=8  # the runner
freezegun==1.4.0 \\
    --hash=sha256:0123
Flask[async]; python_version >= "3.9"
mine @ https://example.invalid/mine.tar.gz
./local/path
not a requirement!
"""


def test_requirement_names_skip_options_comments_urls_and_paths() -> None:
    assert requirement_names(PIP_TOOLS) == ["pytest", "freezegun", "Flask"]


TOX = """\
[tox]
envlist = py3{12,11}

[testenv]
deps =
    -r requirements/tests.txt
    pytest-cov
    py38: backports.zoneinfo
    {[base]deps}
    hypothesis>=6
commands = pytest {posargs}

[testenv:docs]
deps = sphinx
"""


def test_tox_deps_are_the_testenv_ones() -> None:
    assert tox_deps(TOX) == ["pytest-cov", "hypothesis"]
    assert tox_deps("[tox]\nenvlist = py3\n") == []
    assert tox_deps("not [ an ini") == []


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


FILES = {  # the project's files -> the file found and its names
    "pallets": (
        {"requirements/tests.in": "pytest\nfreezegun\n", "requirements/tests.txt": "six==1\n",
         "requirements/dev.in": "-r tests.in\ntox\n", "tox.ini": TOX},
        ("requirements/tests.in", ["pytest", "freezegun"]),
    ),
    "dev only when no test file": (
        {"requirements/dev.in": "-r docs.in\ntox\n", "requirements-docs.txt": "sphinx\n"},
        ("requirements/dev.in", ["tox"]),
    ),
    "flat": (
        {"requirements-tests.txt": "pytest\nresponses\n", "test-requirements.txt": "mock\n"},
        ("requirements-tests.txt", ["pytest", "responses"]),
    ),
    "openstack": ({"test-requirements.txt": "mock\n"}, ("test-requirements.txt", ["mock"])),
    "a test file of includes only, then tox": (
        {"requirements/test.txt": "-r base.txt\n", "tox.ini": TOX},
        ("tox.ini", ["pytest-cov", "hypothesis"]),
    ),
    "none": ({"requirements.txt": "requests\n"}, None),
}  # fmt: skip


@pytest.mark.parametrize("case", list(FILES))
def test_where_test_requirements_are_found(case: str, tmp_path: Path) -> None:
    files, found = FILES[case]
    assert find_test_requirements(write(tmp_path, files)) == found


TESTS_IN = {"requirements/tests.in": "pytest\nfreezegun\nMy-App\nrequests\n"}
PROJECT = {"name": "my_app", "dependencies": ["requests>=2"]}
UNPINNED = [  # pyproject -> what the tests check would miss
    ({"project": PROJECT}, Unpinned("requirements/tests.in", ("pytest", "freezegun"), "")),
    (  # a group of the wrong name is not what the tests check installs
        {"project": PROJECT, "dependency-groups": {"dev": ["freezegun"]}},
        Unpinned("requirements/tests.in", ("pytest", "freezegun"), ""),
    ),
    (
        {"project": PROJECT, "dependency-groups": {"test": ["pytest"]}},
        Unpinned("requirements/tests.in", ("freezegun",), "group test"),
    ),
    (  # what the test group includes is installed with it
        {"project": PROJECT,
         "dependency-groups": {"tests": [{"include-group": "time"}], "time": ["freezegun"]}},
        None,
    ),
    (
        {"project": {**PROJECT, "optional-dependencies": {"testing": ["freezegun"]}}},
        None,
    ),
    (
        {"project": {**PROJECT, "optional-dependencies": {"test": ["coverage"]}}},
        Unpinned("requirements/tests.in", ("pytest", "freezegun"), "extra test"),
    ),
]  # fmt: skip


@pytest.mark.parametrize(("pyproject", "missing"), UNPINNED)
def test_unpinned_test_requirements(
    pyproject: dict[str, Any], missing: Unpinned | None, tmp_path: Path
) -> None:
    assert unpinned(write(tmp_path, TESTS_IN), pyproject) == missing


def test_pytest_alone_missing_is_no_news(tmp_path: Path) -> None:
    """The tests check installs pytest itself, so a file naming only it needs nothing."""
    assert unpinned(write(tmp_path, {"requirements-test.txt": "pytest>=8\n"}), {}) is None
    assert unpinned(tmp_path / "absent", {}) is None


NOTES = {  # where the tests check's dependencies are -> init's note
    "": "note: requirements/tests.in lists pytest, freezegun, which no dependency group pins, "
        "and the tests check installs only what uv.lock pins: "
        "`uv add --group tests pytest freezegun` (the check then installs that group)",
    "group test": "note: requirements/tests.in lists freezegun, which its dependency group "
        "test does not pin, and the tests check installs only what uv.lock pins: "
        "`uv add --group test freezegun` (the check then installs that group)",
    "extra testing": "note: requirements/tests.in lists freezegun, which its extra testing "
        "does not list, and the tests check installs only what uv.lock pins: "
        "`uv add --optional testing freezegun` (the check then installs that extra)",
}  # fmt: skip


@pytest.mark.parametrize("where", list(NOTES))
def test_init_says_how_to_pin_them(where: str) -> None:
    names = ("freezegun",) if where else ("pytest", "freezegun")
    outside = Unpinned("requirements/tests.in", names, where)
    found = Findings({}, frozenset({"uv.lock"}), ["m"], ("3.12",), outside=outside)
    table, notes = settings_table(found)
    assert (table["checks"], notes) == (["compile", "import", "tests"], [NOTES[where]])


def test_no_note_without_a_tests_check() -> None:
    outside = Unpinned("requirements/tests.in", ("freezegun",), "")
    found = Findings(
        {}, frozenset({"uv.lock"}), ["m"], ("3.12",), untested="no tests", outside=outside
    )
    assert not [note for note in settings_table(found)[1] if "tests.in" in note]
