"""The built-in import check fails what is broken and only that: a module that refuses this
platform is skipped with its guard, an optional dependency is listed, a real defect fails and is
named. The guard is read from the evidence (exception, frame, syntax tree), never from names."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from release.config.settings import CheckSpec, parse_settings
from release.core import interpreters
from release.core.verdicts import CheckStatus
from release.validation import _imports, checks, environments
from release.validation._guards import Frame, Raised, guarding_frame, refusal

ASSERTED = Raised("AssertionError")
IMPORT_ERROR = Raised("ImportError")
NO_MSVCRT = Raised("ModuleNotFoundError", "msvcrt")

GUARDS = [  # (module source, the raising line, the exception chain) -> the guard it shows
    ('import sys\nimport io\nassert sys.platform == "win32"\n', 3, [ASSERTED], "assert sys"),
    ('import sys as _s\nassert _s.platform.startswith("win")\n', 2, [ASSERTED], "assert _s"),
    ('from sys import platform\nassert platform == "win32"\n', 2, [ASSERTED], "assert platform"),
    (
        'import os\nIS_WIN = os.name == "nt"\nif not IS_WIN:\n    raise ImportError("win")\n',
        4, [IMPORT_ERROR], "if not IS_WIN: raise",
    ),
    (
        'import platform\nif platform.system() != "Windows":\n    x = 1\n    raise OSError\n',
        4, [Raised("OSError")], "if platform.system()",
    ),
    ("import io\nimport msvcrt\n", 2, [NO_MSVCRT], "import msvcrt`, which exists on Windows"),
    (
        "try:\n    import msvcrt\nexcept ImportError:\n    raise RuntimeError('Windows only')\n",
        4, [Raised("RuntimeError"), NO_MSVCRT], "import msvcrt",
    ),
]  # fmt: skip
NOT_GUARDS = [  # the same shapes without the evidence: real defects
    ("import sys\nassert sys.maxsize > 0\n", 2, [ASSERTED]),  # an assert, not on the platform
    ("x = undefined\n", 1, [Raised("NameError")]),
    ("import sys\nif sys.argv:\n    raise ImportError('no')\n", 3, [IMPORT_ERROR]),
    ("import readline\n", 1, [Raised("ModuleNotFoundError", "readline")]),  # Linux has it
    ('import sys\nassert sys.platform == "win32"\n', 2, [Raised("NameError")]),  # other type
    ("import sys\nsys.platform.no_such_attribute\n", 2, [Raised("AttributeError")]),
]


@pytest.mark.parametrize(("source", "line", "chain", "shown"), GUARDS)
def test_a_platform_guard_at_the_top_level_is_evidence(
    source: str, line: int, chain: list[Raised], shown: str
) -> None:
    guard = refusal(Frame("m.py", line, "<module>"), source.encode(), chain, "linux")
    assert guard is not None
    assert shown in guard


@pytest.mark.parametrize(("source", "line", "chain"), NOT_GUARDS)
def test_a_failure_without_a_platform_guard_is_no_refusal(
    source: str, line: int, chain: list[Raised]
) -> None:
    assert refusal(Frame("m.py", line, "<module>"), source.encode(), chain, "linux") is None


def test_a_guard_inside_a_function_or_a_module_this_platform_has_is_no_refusal() -> None:
    source = b'import sys\ndef check():\n    assert sys.platform == "win32"\ncheck()\n'
    assert refusal(Frame("m.py", 3, "check"), source, [ASSERTED], "linux") is None
    posix = [Raised("ModuleNotFoundError", "fcntl")]
    assert refusal(Frame("m.py", 1, "<module>"), b"import fcntl\n", posix, "linux") is None
    assert refusal(Frame("m.py", 1, "<module>"), b"import fcntl\n", posix, "win32")


def test_the_guarding_frame_is_the_innermost_outside_the_import_system() -> None:
    frames = [
        Frame("<string>", 40, "<module>"),
        Frame("/py/lib/python3.9/importlib/__init__.py", 127, "import_module"),
        Frame("<frozen importlib._bootstrap>", 1030, "_gcd_import"),
        Frame("/site/pkg/_win.py", 5, "<module>"),
        Frame("<frozen importlib._bootstrap>", 984, "_find_and_load_unlocked"),
    ]
    assert guarding_frame(frames) == Frame("/site/pkg/_win.py", 5, "<module>")


def walked(*failures: _imports.Failure, requires: tuple[str, ...] = ()) -> _imports.Walked:
    return _imports.Walked(("pkg",), failures, (), requires, {"sys_platform": "linux"})


def missing(
    module: str, name: str, *, top: bool = False, present: bool = False
) -> _imports.Failure:
    raised = Raised("ModuleNotFoundError", name, present)
    return _imports.Failure(module, top, f"ModuleNotFoundError({name!r})", (raised,), (), "tb")


@pytest.mark.parametrize(
    ("failure", "requires", "kind", "says"),
    [
        (missing("pkg", "greenlet", top=True), (), "failed", "a top-level module must import"),
        (missing("pkg.a", "pkg._gone"), (), "failed", "its own module pkg._gone is missing"),
        (missing("pkg.a", "yaml.cyaml", present=True), (), "failed", "installed yaml does not"),
        (missing("pkg.a", "tomli"), ("tomli>=1",), "failed", "the package requires tomli>=1"),
        (missing("pkg.a", "greenlet"), (), "not imported", "an optional dependency"),
        (
            missing("pkg.a", "tomli"), ('tomli ; python_version < "3.0"',), "not imported",
            'required only where python_version < "3.0"',
        ),
    ],
)  # fmt: skip
def test_a_missing_module_fails_unless_nothing_requires_it_here(
    failure: _imports.Failure, requires: tuple[str, ...], kind: str, says: str
) -> None:
    (verdict,) = _imports.judge(walked(failure, requires=requires), ["pkg"], lambda _: None)
    assert (verdict.kind.value, verdict.module) == (kind, failure.module)
    assert says in verdict.reason


def test_an_import_error_raised_for_a_missing_optional_module_is_judged_by_that_module() -> None:
    raised = (Raised("ImportError"), Raised("ModuleNotFoundError", "numpy"))
    told = _imports.Failure(
        "pkg.arrays", False, "ImportError('pip install pkg[numpy]')", raised, (), ""
    )
    (verdict,) = _imports.judge(walked(told), ["pkg"], lambda _: None)
    assert verdict.kind is _imports.Kind.OPTIONAL
    assert verdict.reason.startswith("needs numpy, which is not installed")
    other = _imports.Failure(
        "pkg.x", False, "RuntimeError()", (Raised("RuntimeError"), raised[1]), (), ""
    )
    assert _imports.judge(walked(other), ["pkg"], lambda _: None)[0].kind is _imports.Kind.FAILED


def test_import_skip_is_a_list_of_module_names() -> None:
    assert parse_settings({"import-skip": ["pkg._win"]}).import_skip == ("pkg._win",)


PACKAGE = {  # a package as a real one lays out its platform modules, and one real defect
    "pk/__init__.py": "from pk import core\n",
    "pk/core.py": "VALUE = 1\n",
    "pk/_winconsole.py": 'import io\nimport sys\n\nassert sys.platform == "win32"\nimport msvcrt\n',
    "pk/_plugins/__init__.py": "",
    "pk/_plugins/yaml_support.py": "import yaml_is_not_installed\n",
    "pk/cli/__init__.py": "",
    "pk/cli/broken.py": "def main():\n    pass\n\nHELP = undefined_name\n",
    "pk/cli/windows.py": "import winreg\n",
    "pk/legacy.py": "raise SystemExit('never imported')\n",
}


def cell(tmp_path: Path, python: Path, files: dict[str, str]) -> checks.Place:
    """A cell whose interpreter is `python` and whose working directory holds `files`."""
    env = environments.Environment(tmp_path / "venv")
    env.bin.mkdir(parents=True)
    env.python.symlink_to(python)
    for name, text in files.items():
        (tmp_path / "cell" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "cell" / name).write_text(text)
    return checks.Place(env, tmp_path / "project", tmp_path / "cell", tmp_path / "logs")


OLDEST = interpreters.installed(["3.9"], os.environ).get("3.9")


@pytest.mark.skipif(OLDEST is None, reason="Python 3.9 is not installed here")
def test_the_walk_runs_on_python_3_9_and_fails_only_the_defect(tmp_path: Path) -> None:
    assert OLDEST is not None
    place = cell(tmp_path, OLDEST, PACKAGE)
    installed = checks.Installed("1", {"pk": place.tmp / "pk" / "__init__.py"}, "pk")
    outcome = checks.run_check(place, CheckSpec("import"), installed, 60, "3.9", ["pk.legacy"])
    log = place.log("import").read_text()
    assert outcome.status is CheckStatus.FAILED, log
    assert outcome.reason.startswith("check 'import' failed: 1 of the package's modules did not")
    assert "pk.cli.broken (NameError(\"name 'undefined_name' is not defined\"))" in outcome.reason
    assert "imported 4 modules" in log  # pk, pk._plugins, pk.cli, pk.core
    lines = [line for line in log.splitlines() if line.startswith("# ")]
    assert lines[0] == "# the import walk: 4 imported, 1 failed, 3 skipped, 1 not imported"
    optional = "needs yaml_is_not_installed, which is not installed (an optional dependency)"
    guard = "refuses this platform: `assert sys.platform == 'win32'`"
    windows = "refuses this platform: `import winreg`, which exists on Windows only"
    assert lines[1:6] == [
        "# skipped: pk.legacy: listed in import-skip",
        f"# not imported: pk._plugins.yaml_support: {optional}",
        f"# skipped: pk._winconsole: {guard} ({place.tmp}/pk/_winconsole.py:4)",
        "# failed: pk.cli.broken: NameError(\"name 'undefined_name' is not defined\")",
        f"# skipped: pk.cli.windows: {windows} ({place.tmp}/pk/cli/windows.py:1)",
    ]
    assert "line 4, in <module>" in log  # the defect's traceback, whole


def test_a_package_whose_only_failures_are_refusals_passes(tmp_path: Path) -> None:
    clean = {k: v for k, v in PACKAGE.items() if k != "pk/cli/broken.py"}
    place = cell(tmp_path, Path(sys.executable), clean)
    installed = checks.Installed("1", {"pk": place.tmp / "pk" / "__init__.py"}, "pk")
    outcome = checks.run_check(place, CheckSpec("import"), installed, 60, "3.11", ["pk.legacy"])
    assert outcome.status is CheckStatus.PASSED, place.log("import").read_text()


def test_a_top_level_module_that_fails_fails_the_check_by_name(tmp_path: Path) -> None:
    place = cell(
        tmp_path,
        Path(sys.executable),
        {"pk/__init__.py": "import sys\nassert sys.platform == 'x'\n"},
    )
    installed = checks.Installed("1", {"pk": place.tmp / "pk" / "__init__.py"}, "pk")
    outcome = checks.run_check(place, CheckSpec("import"), installed, 60, "3.11")
    assert outcome.status is CheckStatus.FAILED
    assert "pk (a top-level module must import: AssertionError())" in outcome.reason
