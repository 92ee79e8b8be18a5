"""Where a project keeps its tests and which files its build backend writes: found as pytest and
the backends find them, for projects laid out as real ones are."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from release.config import layout
from release.config.settings import BUILTIN
from release.core.verdicts import CheckStatus
from release.validation import checks, environments


@pytest.fixture
def place(tmp_path: Path) -> checks.Place:
    """A cell whose project is tmp_path/project and whose scratch directory exists."""
    (tmp_path / "cell").mkdir()
    venv = environments.Environment(tmp_path / "venv")
    return checks.Place(venv, tmp_path / "project", tmp_path / "cell", tmp_path / "logs")


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


LAYOUTS = [  # files -> the test directories found
    ({"tests/test_a.py": ""}, ["tests"]),
    ({"testing/test_a.py": "", "tox.ini": "[tox]\n[pytest]\ntestpaths = testing\n"}, ["testing"]),
    ({"test/test_a.py": ""}, ["test"]),
    (
        {"pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["it", "unit"]\n',
         "it/test_a.py": "", "unit/test_b.py": "", "tests/test_c.py": ""},
        ["it", "unit"],
    ),
    ({"pyproject.toml": '[tool.pytest]\ntestpaths = ["checks"]\n', "checks/t.py": ""}, ["checks"]),
    ({"setup.cfg": "[tool:pytest]\ntestpaths =\n  suite/a\n  suite/b\n", "suite/a/t.py": "",
      "suite/b/t.py": ""}, ["suite/a", "suite/b"]),
    ({"pytest.ini": "[pytest]\ntestpaths = pkg/*/tests\n", "pkg/x/tests/t.py": ""},
     ["pkg/x/tests"]),
    ({"pytest.ini": "[pytest]\ntestpaths = ../elsewhere\n", "tests/t.py": ""}, ["tests"]),
    ({"tox.ini": "[pytest]\ntestpaths = gone\n", "tests/t.py": ""}, ["tests"]),
    ({"pytest.ini": "[pytest]\ntestpaths = /etc\n", "tests/t.py": ""}, ["tests"]),
    ({"pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = [""]\n', "tests/t.py": ""},
     ["tests"]),
    ({"tox.ini": "not an ini file at all [[[", "tests/t.py": ""}, ["tests"]),
    ({"pytest.ini": "[pytest]\ntestpaths = . ./docs\n", "docs/x.py": ""}, [".", "docs"]),
    ({"src/pkg/__init__.py": ""}, []),
]  # fmt: skip


@pytest.mark.parametrize(("files", "expected"), LAYOUTS)
def test_the_test_directories_are_those_pytests_configuration_names(
    files: dict[str, str], expected: list[str], tmp_path: Path
) -> None:
    write(tmp_path, files)
    (tmp_path / "elsewhere").mkdir(exist_ok=True)
    found = [p.relative_to(tmp_path).as_posix() for p in layout.test_directories(tmp_path)]
    assert found == expected


UNTESTED = [  # files -> why pytest would collect nothing there (None: it finds tests)
    ({"tests/test_a.py": ""}, None),
    ({"testing/a_test.py": ""}, None),  # iniconfig's folder, named by nothing
    ({"tests/unit/test_deep.py": ""}, None),
    ({"pytest.ini": "[pytest]\npython_files = check_*.py\n", "tests/check_a.py": ""}, None),
    ({"pyproject.toml": '[tool.pytest.ini_options]\npython_files = ["*_spec.py"]\n',
      "test/a_spec.py": ""}, None),
    ({"src/pkg/__init__.py": "", "pyproject.toml": "[tool.pytest.ini_options]\n"},
     "found no test directory (no testpaths, no tests/, test/ or testing/)"),
    ({"tests/__init__.py": "", "tests/conftest.py": "", "tests/helpers.py": ""},
     "found no test files (test_*.py or *_test.py) in tests/"),
    ({"pytest.ini": "[pytest]\ntestpaths = it unit\n", "it/README": "", "unit/x.py": ""},
     "found no test files (test_*.py or *_test.py) in it/, unit/"),
    ({"pytest.ini": "[pytest]\npython_files = check_*.py\n", "tests/test_a.py": ""},
     "found no test files (check_*.py) in tests/"),
]  # fmt: skip


@pytest.mark.parametrize(("files", "why"), UNTESTED)
def test_a_project_has_tests_where_pytest_would_collect_some(
    files: dict[str, str], why: str | None, tmp_path: Path
) -> None:
    write(tmp_path, files)
    assert layout.untested(tmp_path) == why


def test_the_tests_check_copies_the_directory_testpaths_names(place: checks.Place) -> None:
    write(place.project, {"tox.ini": "[pytest]\ntestpaths = testing\n", "testing/test_a.py": ""})
    argv = checks.expand(["pytest", "{tests}"], place, checks.Installed("1", {}))
    assert argv == ["pytest", "testing"]  # relative: the check runs from the mirror's root
    assert (place.mirror / "testing" / "test_a.py").is_file()
    assert (place.mirror / "tox.ini").is_file()


def test_a_project_without_tests_has_the_tests_check_skipped_saying_so(
    place: checks.Place,
) -> None:
    write(place.project, {"src/pkg/__init__.py": ""})
    outcome = checks.run_check(place, BUILTIN["tests"], checks.Installed("1", {}), 60.0, "3.12")
    assert outcome.status is CheckStatus.SKIPPED
    why = f"{place.project} has no tests (no testpaths, no tests/, test/, testing/)"
    assert outcome.reason == why


GENERATED = [  # pyproject.toml's tool tables -> the files the backend writes
    ({"setuptools_scm": {"version_file": "src/pluggy/_version.py"}}, ["src/pluggy/_version.py"]),
    ({"setuptools_scm": {"write_to": "pkg/version.py"}}, ["pkg/version.py"]),
    ({"hatch": {"build": {"hooks": {"vcs": {"version-file": "src/a/_v.py"}}}}}, ["src/a/_v.py"]),
    ({"pdm": {"version": {"source": "scm", "write_to": "b/__version__.py"}}},
     ["b/__version__.py"]),
    ({"versioningit": {"write": {"file": "c/_version.py"}}}, ["c/_version.py"]),
    ({"setuptools_scm": {}}, []),
    ({"hatch": {"build": "odd"}}, []),
    ({}, []),
]  # fmt: skip


@pytest.mark.parametrize(("tool", "expected"), GENERATED)
def test_the_version_file_a_backend_writes_is_known(
    tool: dict[str, object], expected: list[str]
) -> None:
    assert layout.generated_files({"tool": tool}) == [PurePosixPath(e) for e in expected]


def test_a_generated_file_is_placed_within_its_package() -> None:
    files = [PurePosixPath("src/pluggy/_version.py"), PurePosixPath("other/_v.py")]
    assert layout.within("pluggy", files) == {PurePosixPath("_version.py")}
    assert layout.within("pluggy_extra", files) == set()


def test_sources_for_linters_leave_out_the_version_file_the_build_wrote(
    place: checks.Place, tmp_path: Path
) -> None:
    tmp, site = place.tmp, tmp_path / "site"
    version_file = '[tool.setuptools_scm]\nversion_file = "src/pk/_version.py"\n'
    write(place.project, {"pyproject.toml": version_file})
    write(site, {"pk/__init__.py": "", "pk/_version.py": "", "pk/sub/_version.py": ""})
    installed = checks.Installed("1", {"pk": site / "pk" / "__init__.py"})
    argv = checks.expand(["ruff", "{sources}"], place, installed)
    copied = sorted(p.relative_to(tmp).as_posix() for p in place.mirror.rglob("*.py"))
    assert argv == ["ruff", "pk"]
    assert copied == ["project/pk/__init__.py", "project/pk/sub/_version.py"]


def test_the_tests_mirror_has_the_projects_other_directories_and_the_installed_package(
    place: checks.Place, tmp_path: Path
) -> None:
    """sqlmodel's tests import `docs_src` and `scripts` from its root, humanize's run a shell
    script in scripts/: the mirror has them. The package is there as installed, at its source's
    place; its source, the src/ tree, environments and build output are never copied."""
    write(place.project, {
        "tests/test_a.py": "", "docs_src/tutorial/app.py": "", "scripts/release.py": "",
        "docs/logo.svg": "", "pk/__init__.py": "", "src/other/__init__.py": "",
        "build/lib/pk/__init__.py": "", ".venv/lib/x.py": "", "venvish/pyvenv.cfg": "",
        "venvish/lib/y.py": "", "docs_src/.hidden/z.py": "",
    })  # fmt: skip
    write(tmp_path / "site", {"pk/__init__.py": "# installed", "pk/data.txt": ""})
    installed = checks.Installed("1", {"pk": tmp_path / "site" / "pk" / "__init__.py"})
    checks.expand(["pytest", "{tests}"], place, installed)
    copied = sorted(p.relative_to(place.mirror).as_posix() for p in place.mirror.rglob("*.py"))
    assert copied == [
        "docs_src/tutorial/app.py", "pk/__init__.py", "scripts/release.py", "tests/test_a.py"
    ]  # fmt: skip
    assert (place.mirror / "pk" / "__init__.py").read_text() == "# installed"
    assert (place.mirror / "pk" / "data.txt").is_file()
    assert (place.mirror / "docs" / "logo.svg").is_file()
