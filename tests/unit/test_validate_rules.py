"""The pure parts of reinstall validation: which wheel, and how a check's command line is
expanded (what a wheel says about itself: test_wheel_metadata.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from packaging.tags import compatible_tags, cpython_tags

from release.artifacts.manifest import DistFile, Manifest
from release.config import placeholders
from release.config.settings import CheckSpec
from release.core.errors import IntegrityError, NotYetListed, NoWheelFits
from release.core.verdicts import CheckStatus
from release.index.simple_api import ListedFile
from release.validation import checks, environments
from release.validation.validate import Expected, choose_wheel

WHEEL = "proxbox_api-1.4.0rc1-py3-none-any.whl"
SDIST = "proxbox_api-1.4.0rc1.tar.gz"
WHEEL_SHA, SDIST_SHA, OTHER_SHA = "a" * 64, "b" * 64, "c" * 64
BUILT = Manifest(
    "proxbox-api", "1.4.0rc1", (DistFile(SDIST, SDIST_SHA, 20), DistFile(WHEEL, WHEEL_SHA, 10))
)
WITH_MANIFEST = Expected("proxbox-api", "1.4.0rc1", BUILT)
FROM_INDEX = Expected("proxbox-api", "1.4.0rc1", None)
# What CPython 3.12 on a glibc 2.17+ x86_64 machine installs, most preferred first.
CP312 = [
    *cpython_tags((3, 12), ["cp312"], ["manylinux_2_17_x86_64", "linux_x86_64"]),
    *compatible_tags((3, 12), "cp312", ["manylinux_2_17_x86_64", "linux_x86_64"]),
]


def listed(filename: str, sha256: str | None) -> ListedFile:
    return ListedFile(filename, f"https://files.example.invalid/{filename}", sha256)


def test_with_a_manifest_the_built_wheel_is_chosen() -> None:
    listing = [
        listed(SDIST, SDIST_SHA),
        listed("proxbox_api-1.4.0rc1-py2-none-any.whl", OTHER_SHA),
        listed(WHEEL, WHEEL_SHA),
    ]
    chosen = choose_wheel(listing, WITH_MANIFEST, "testpypi", CP312, "3.12")
    assert chosen == (listing[2], WHEEL_SHA)


@pytest.mark.parametrize("sha256", [OTHER_SHA, None])
def test_with_a_manifest_other_listed_bytes_are_refused(sha256: str | None) -> None:
    with pytest.raises(IntegrityError) as caught:
        choose_wheel([listed(WHEEL, sha256)], WITH_MANIFEST, "testpypi", CP312, "3.12")
    assert WHEEL in caught.value.message
    assert WHEEL_SHA in caught.value.message
    assert "testpypi" in caught.value.message


def test_with_a_manifest_an_unlisted_wheel_is_not_yet_listed() -> None:
    listing = [listed(SDIST, SDIST_SHA), listed("proxbox_api-1.4.0rc1-py2-none-any.whl", WHEEL_SHA)]
    with pytest.raises(NotYetListed) as caught:
        choose_wheel(listing, WITH_MANIFEST, "testpypi", CP312, "3.12")
    assert caught.value.message == f"testpypi does not list {WHEEL}"


def test_without_a_manifest_the_one_wheel_of_the_version_is_chosen() -> None:
    listing = [
        listed("proxbox_api-1.3.0-py3-none-any.whl", OTHER_SHA),
        listed("proxbox_api-1.4.0rc2-py3-none-any.whl", OTHER_SHA),
        listed("proxbox_api-1.4.0-py3-none-any.whl", OTHER_SHA),
        listed(SDIST, SDIST_SHA),
        listed(WHEEL, WHEEL_SHA),
    ]
    assert choose_wheel(listing, FROM_INDEX, "testpypi", CP312, "3.12") == (listing[4], WHEEL_SHA)


def test_without_a_manifest_a_wheel_without_a_sha256_is_not_trusted() -> None:
    listing = [listed("proxbox_api-1.4.0rc1-py2-none-any.whl", None), listed(WHEEL, WHEEL_SHA)]
    assert choose_wheel(listing, FROM_INDEX, "testpypi", CP312, "3.12") == (listing[1], WHEEL_SHA)


NO_WHEEL = [
    [],
    [listed(SDIST, SDIST_SHA)],
    [listed(WHEEL, None)],
    [listed("proxbox_api-1.4.0rc2-py3-none-any.whl", OTHER_SHA)],
]


@pytest.mark.parametrize("listing", NO_WHEEL)
def test_without_a_manifest_a_wheel_of_the_version_is_needed(listing: list[ListedFile]) -> None:
    with pytest.raises(NotYetListed) as caught:
        choose_wheel(listing, FROM_INDEX, "testpypi", CP312, "3.12")
    assert "lists no wheel with a sha256 for proxbox-api 1.4.0rc1" in caught.value.message


def test_without_a_manifest_the_wheel_the_interpreter_prefers_is_chosen() -> None:
    compiled = [
        listed("proxbox_api-1.4.0rc1-cp311-cp311-manylinux_2_17_x86_64.whl", OTHER_SHA),
        listed("proxbox_api-1.4.0rc1-cp312-cp312-manylinux_2_17_x86_64.whl", WHEEL_SHA),
        listed(WHEEL, SDIST_SHA),
    ]
    assert choose_wheel(compiled, FROM_INDEX, "testpypi", CP312, "3.12") == (
        compiled[1], WHEEL_SHA
    )  # fmt: skip


def test_without_a_manifest_no_fitting_wheel_says_what_exists_and_what_fits() -> None:
    only_311 = [listed("proxbox_api-1.4.0rc1-cp311-cp311-manylinux_2_17_x86_64.whl", OTHER_SHA)]
    with pytest.raises(NoWheelFits) as caught:
        choose_wheel(only_311, FROM_INDEX, "testpypi", CP312, "3.12")
    assert "cp311-cp311-manylinux_2_17_x86_64" in caught.value.message
    assert "cp312-cp312" in caught.value.message


@pytest.fixture
def place(tmp_path: Path) -> checks.Place:
    return checks.Place(
        env=environments.Environment(tmp_path / "venv"),
        project=tmp_path / "p",
        tmp=tmp_path / "t",
        logs=tmp_path / "logs",
    )


def test_expand_placeholders(place: checks.Place, tmp_path: Path) -> None:
    argv = ["{python}", "-m", "tool", "--config", "{project}/pyproject.toml", "--cache={tmp}/c"]
    assert checks.expand(argv, place, checks.Installed("1", {})) == [
        str(tmp_path / "venv" / "bin" / "python"),
        "-m",
        "tool",
        "--config",
        f"{tmp_path / 'p'}/pyproject.toml",
        f"--cache={tmp_path / 't'}/c",
    ]


def test_installed_expands_to_one_argument_per_installed_path(
    place: checks.Place, tmp_path: Path
) -> None:
    site = tmp_path / "venv" / "lib" / "python3.12" / "site-packages"
    installed = checks.Installed(
        "1", {"proxbox_api": site / "proxbox_api" / "__init__.py", "single": site / "single.py"}
    )
    argv = ["ruff", "check", "{installed}", "--quiet"]
    assert checks.expand(argv, place, installed) == [
        "ruff",
        "check",
        str(site / "proxbox_api"),
        str(site / "single.py"),
        "--quiet",
    ]


def test_installed_with_no_modules_adds_no_argument(place: checks.Place) -> None:
    assert checks.expand(["ruff", "{installed}"], place, checks.Installed("1", {})) == ["ruff"]


def test_arguments_without_placeholders_are_kept_as_they_are(place: checks.Place) -> None:
    argv = ["sh", "-c", 'echo $HOME ${HOME} {} {1} {Tmp} {"a": 1}', ""]
    assert checks.expand(argv, place, checks.Installed("1", {})) == argv


def test_doubled_braces_are_a_literal_placeholder(place: checks.Place) -> None:
    argv = ["sh", "-c", "echo {{tmp}} {{installed}} is {tmp}", "{{sources}}"]
    assert checks.expand(argv, place, checks.Installed("1", {})) == [
        "sh",
        "-c",
        f"echo {{tmp}} {{installed}} is {place.tmp}",
        "{sources}",
    ]


def test_every_known_check_placeholder_is_filled(place: checks.Place, tmp_path: Path) -> None:
    """The names settings accept (placeholders.CHECK) are the names expand fills."""
    (tmp_path / "site" / "pkg").mkdir(parents=True)
    (tmp_path / "site" / "pkg" / "__init__.py").write_text("")
    (place.project / "tests").mkdir(parents=True)
    place.tmp.mkdir()
    installed = checks.Installed("1", {"pkg": tmp_path / "site" / "pkg" / "__init__.py"})
    whole = [f"{{{name}}}" for name in placeholders.CHECK]
    inside = "--all=" + ",".join(f"{{{name}}}" for name in placeholders.CHECK_VALUES)
    expanded = checks.expand(["tool", *whole, inside], place, installed)
    assert not any("{" in arg for arg in expanded)
    assert expanded[-1].startswith(f"--all={place.env.python},{place.project},{place.tmp},")


def test_a_program_the_environment_installed_runs_from_its_bin(place: checks.Place) -> None:
    place.env.bin.mkdir(parents=True)
    (place.env.bin / "ruff").write_text("")
    installed = checks.Installed("1", {})
    assert checks.expand(["ruff", "check"], place, installed) == [
        str(place.env.bin / "ruff"),
        "check",
    ]
    assert checks.expand(["git", "status"], place, installed) == ["git", "status"]


def test_sources_are_the_installed_modules_copied_out_of_site_packages(
    place: checks.Place, tmp_path: Path
) -> None:
    site = tmp_path / "venv" / "lib" / "python3.12" / "site-packages"
    (site / "pkg").mkdir(parents=True)
    (site / "pkg" / "__init__.py").write_text("X = 1\n")
    (site / "single.py").write_text("Y = 2\n")
    place.tmp.mkdir()
    installed = checks.Installed(
        "1", {"pkg": site / "pkg" / "__init__.py", "single": site / "single.py"}
    )
    copies = checks.expand(["mypy", "{sources}"], place, installed)[1:]
    assert copies == ["pkg", "single.py"]  # relative: the check runs from the mirror's root
    assert (place.mirror / "pkg" / "__init__.py").read_text() == "X = 1\n"
    assert (place.mirror / "single.py").read_text() == "Y = 2\n"


PYTEST_CONFIGS = [
    ({}, []),
    ({"pyproject.toml": "[project]\n"}, []),  # no pytest section: pytest would not read it either
    ({"pyproject.toml": "[tool.pytest.ini_options]\naddopts = '-x'\n"}, ["-c", "pyproject.toml"]),
    (
        {"pytest.ini": "[pytest]\n", "pyproject.toml": "[tool.pytest.ini_options]\n"},
        ["-c", "pytest.ini"],
    ),
    ({"setup.cfg": "[metadata]\n[tool:pytest]\n"}, ["-c", "setup.cfg"]),
    ({"tox.ini": "[tox]\n"}, []),
]


@pytest.mark.parametrize(("files", "expected"), PYTEST_CONFIGS)
def test_the_tests_check_names_the_projects_pytest_configuration(
    files: dict[str, str], expected: list[str], tmp_path: Path
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    found = checks.pytest_config(tmp_path)
    assert found == [expected[0], str(tmp_path / expected[1])] if expected else found == []


def test_the_tests_copy_takes_a_conftest_from_beside_tests(place: checks.Place) -> None:
    (place.project / "tests").mkdir(parents=True)
    (place.project / "tests" / "test_a.py").write_text("")
    (place.project / "conftest.py").write_text("FIXTURES = 1\n")
    place.tmp.mkdir()
    argv = checks.expand(["pytest", "{tests}"], place, checks.Installed("1", {}))
    assert argv == ["pytest", "tests"]
    assert (place.mirror / "conftest.py").read_text() == "FIXTURES = 1\n"
    assert (place.mirror / "tests" / "test_a.py").exists()


def test_a_check_limited_to_some_pythons_is_skipped_in_the_other_cells(place: checks.Place) -> None:
    spec = CheckSpec("ruff", ("ruff", "check"), pythons=("3.13",))
    outcome = checks.run_check(place, spec, checks.Installed("1", {}), 60.0, "3.12")
    assert (outcome.status, outcome.reason) == (CheckStatus.SKIPPED, "runs on Python 3.13 only")


def test_sources_are_laid_out_as_the_project_keeps_them_beside_its_tool_configuration(
    place: checks.Place, tmp_path: Path
) -> None:
    """A src layout stays one, and per-file-ignores keyed by "src/pkg/**" still match: the
    configuration files sit at the copy's root, where the check runs."""
    site = tmp_path / "site-packages"
    (site / "pkg").mkdir(parents=True)
    (site / "pkg" / "__init__.py").write_text("X = 1\n")
    (place.project / "src" / "pkg").mkdir(parents=True)
    config = '[tool.ruff.lint.per-file-ignores]\n"src/pkg/**" = ["T20"]\n'
    (place.project / "pyproject.toml").write_text(config)
    (place.project / "ruff.toml").write_text("line-length = 90\n")
    place.tmp.mkdir()
    place.env.bin.mkdir(parents=True)
    installed = checks.Installed("1", {"pkg": site / "pkg" / "__init__.py"})
    spec = CheckSpec("where", ("sh", "-c", "pwd > {tmp}/cwd.txt", "{sources}"))
    outcome = checks.run_check(place, spec, installed, 60.0, "3.12")
    assert outcome.status is CheckStatus.PASSED, outcome.reason
    root = place.mirror
    assert (root / "src" / "pkg" / "__init__.py").read_text() == "X = 1\n"
    assert (root / "pyproject.toml").read_text() == config
    assert (root / "ruff.toml").read_text() == "line-length = 90\n"
    assert (place.tmp / "cwd.txt").read_text().strip() == str(root)


def test_a_cells_path_leaves_out_the_suites_own_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ours = tmp_path / "suite-venv"
    monkeypatch.setattr(sys, "prefix", str(ours))
    monkeypatch.setattr(sys, "base_prefix", "/usr")
    monkeypatch.setenv("PATH", os.pathsep.join([str(ours / "bin"), "/usr/local/bin", "/usr/bin"]))
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    cell = environments.Environment(tmp_path / "cell")
    path = cell.variables()["PATH"].split(os.pathsep)
    assert path == [str(tmp_path / "cell" / "bin"), "/usr/local/bin", "/usr/bin"]


@pytest.mark.parametrize(
    ("requirements", "pinned"),
    [
        (["pytest==9.2.0", "pluggy==1.7.0 ; python_version >= '3.9'"], True),
        (["pytest", "Pytest==9.2.0"], True),  # a check's bare name beside the lock's pin
        (["pytest", "pluggy==1.7.0"], False),  # pytest itself is not pinned
        (["pytest>=9"], False),
        (["pytest==9.*"], False),
        (["pytest==9.2.0,<10"], False),
        (["pytest @ https://example.org/pytest-9.2.0-py3-none-any.whl"], False),
        (["not a requirement ("], False),
        (["tool===1.0"], True),
    ],
)
def test_only_exact_pins_may_come_from_the_cache(requirements: list[str], pinned: bool) -> None:
    assert environments.exactly_pinned(requirements) is pinned
