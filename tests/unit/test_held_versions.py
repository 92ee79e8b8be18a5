"""Where each build backend reads a version held in a file, by its own rule, and how bump writes
it there: only the version's characters change."""

from __future__ import annotations

import textwrap
import tomllib
from pathlib import Path

import pytest

from release.config._held import held_version
from release.core.errors import ComputedVersion, ConfigError
from release.versioning import held as rules
from release.versioning.held import HeldVersion

HATCH = """
[project]
name = "held-app"
dynamic = ["version"]

[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[tool.hatch.version]
path = "src/held_app/__about__.py"
"""
COMPUTED = 'VERSION_INFO = (1, 2, 0)\n__version__ = ".".join(map(str, VERSION_INFO))\n'


def project(root: Path, pyproject: str, files: dict[str, str]) -> HeldVersion | None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(textwrap.dedent(text).encode())
    return held_version(root, tomllib.loads(pyproject))


def file_and_value(found: HeldVersion | None) -> tuple[str, str | None]:
    assert found is not None
    return found.file, found.value


def pep621(backend: str, extra: str = "") -> str:
    requires = backend.split(".", maxsplit=1)[0]
    return (
        f'[project]\nname = "held-app"\ndynamic = ["version"]\n\n'
        f'[build-system]\nrequires = ["{requires}"]\nbuild-backend = "{backend}"\n{extra}'
    )


# --- the rules, on text -----------------------------------------------------------------------


def test_hatch_reads_and_writes_the_span_of_its_pattern_keeping_the_v_and_the_comment() -> None:
    text = "'''About.'''\nVERSION = 'v1.4.0'  # keep\n"
    found = rules.by_pattern("a.py", text, "hatch", rules.HATCH_PATTERN, "version")
    assert (found.value, found.line) == ("1.4.0", 2)
    assert rules.written(text, found, "1.4.1rc1") == "'''About.'''\nVERSION = 'v1.4.1rc1'  # keep\n"


def test_pdm_reads_the_first_group_of_a_custom_pattern() -> None:
    text = 'name = "x"\nrelease = "2.0.0"\n'
    found = rules.by_pattern("v.py", text, "pdm", r'^release = "(.+)"$', 1)
    assert (found.value, found.line) == ("2.0.0", 2)


def test_a_pattern_without_its_group_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="no group 'version'"):
        rules.by_pattern("a.py", 'v = "1"', "hatch", r'v = "1"', "version")


def test_a_joined_tuple_is_named_with_its_file_and_line_for_every_rule() -> None:
    by_regex = rules.by_pattern("a.py", COMPUTED, "hatch", rules.HATCH_PATTERN, "version")
    by_ast = rules.by_assignment("a.py", COMPUTED, "flit", "__version__", first=False)
    assert rules.by_pattern("a.py", "", "pdm", rules.PDM_PATTERN, 1).problem == (
        'which has no `__version__ = "X.Y.Z"` line'
    )
    for found in (by_regex, by_ast):  # hatch's pattern matches `"."`, which is no version
        assert (found.value, found.where) == (None, "a.py:2")
        with pytest.raises(ComputedVersion) as caught:
            rules.plain(found)
        assert caught.value.message == (
            f"{found.backend} reads the version from a.py:2, which computes it "
            '(`__version__ = ".".join(map(str, VERSION_INFO))`)'
        )
        assert caught.value.exit_code == 2


def test_flit_takes_the_first_plain_string_and_setuptools_the_first_assignment() -> None:
    text = '__version__ = compute()\n__version__: str = "3.0.0"\n'
    flit = rules.by_assignment("m.py", text, "flit", "__version__", first=False)
    setuptools = rules.by_assignment("m.py", text, "setuptools", "__version__", first=True)
    assert (flit.value, flit.line) == ("3.0.0", 2)
    assert (setuptools.value, setuptools.line) == (None, 1)  # setuptools would import it


def test_an_assignment_inside_a_block_or_a_fancy_literal_is_not_written() -> None:
    nested = "if True:\n    __version__ = '1.0.0'\n"
    assert rules.by_assignment("m.py", nested, "flit", "__version__", first=False).value is None
    for fancy in ("r'1.0.0'", "'1.0' '.0'", '"""1.0.0"""'):
        found = rules.by_assignment("m.py", f"__version__ = {fancy}\n", "f", "__version__",
                                    first=True)  # fmt: skip
        assert (found.value, found.line) == (None, 1), fancy


def test_written_keeps_crlf_and_non_ascii_text_before_the_literal_on_its_line() -> None:
    text = '"""Doc."""\r\nünï = 1; __version__ = "0.9.0"\r\n'
    found = rules.by_assignment("m.py", text, "flit", "__version__", first=False)
    assert rules.written(text, found, "1.0.0rc1") == text.replace("0.9.0", "1.0.0rc1")


def test_written_refuses_a_file_that_changed_since_it_was_read() -> None:
    found = rules.by_assignment("m.py", "__version__ = '1.0.0'\n", "f", "__version__", first=True)
    with pytest.raises(ConfigError, match="changed while"):
        rules.written("__version__ = '1.0.1'\n", found, "2.0.0")


def test_a_version_file_holds_the_version_alone() -> None:
    found = rules.whole_file("VERSION", "\n 1.2.3 \n", "setuptools")
    assert rules.written("\n 1.2.3 \n", found, "1.2.4rc1") == "\n 1.2.4rc1 \n"
    assert rules.whole_file("VERSION", "1.2.3\nmore\n", "setuptools").value is None


# --- which file each backend reads ------------------------------------------------------------


def test_hatch_path(tmp_path: Path) -> None:
    found = project(tmp_path, HATCH, {"src/held_app/__about__.py": '__version__ = "1.0.0"\n'})
    assert found is not None
    assert (found.file, found.value, found.backend) == (
        "src/held_app/__about__.py", "1.0.0", "hatch's [tool.hatch.version] path",
    )  # fmt: skip


def test_hatch_vcs_and_a_missing_file(tmp_path: Path) -> None:
    assert project(tmp_path, HATCH.replace('path = "src/', 'source = "vcs"\n#'), {}) is None
    missing = project(tmp_path, HATCH, {})
    assert missing is not None
    assert missing.problem == "which does not exist"


def test_pdm_file_source_and_its_implicit_form(tmp_path: Path) -> None:
    files = {"held_app/__init__.py": "__version__ = '4.1.0'  # comment\n"}
    explicit = '[tool.pdm.version]\nsource = "file"\npath = "held_app/__init__.py"\n'
    implicit = '[tool.pdm.version]\npath = "held_app/__init__.py"\n'
    for table in (explicit, implicit):
        found = project(tmp_path, pep621("pdm.backend", table), files)
        assert file_and_value(found) == ("held_app/__init__.py", "4.1.0")
    scm = '[tool.pdm.version]\nsource = "scm"\n'
    assert project(tmp_path, pep621("pdm.backend", scm), {}) is None


def test_flit_reads_the_module_and_its_version_files_in_flit_order(tmp_path: Path) -> None:
    files = {
        "src/held_app/__init__.py": "from ._version import __version__\n",
        "src/held_app/_version.py": "__version__ = '5.0.0'\n",
    }
    found = project(tmp_path, pep621("flit_core.buildapi"), files)
    assert found is not None
    assert (found.file, found.value) == ("src/held_app/_version.py", "5.0.0")
    (tmp_path / "src/held_app/__init__.py").write_text("__version__ = '5.0.1'\n")  # it wins
    again = held_version(tmp_path, tomllib.loads(pep621("flit_core.buildapi")))
    assert file_and_value(again) == ("src/held_app/__init__.py", "5.0.1")


def test_flit_module_name_from_its_table_and_a_single_file_module(tmp_path: Path) -> None:
    table = '[tool.flit.module]\nname = "other"\n'
    found = project(
        tmp_path, pep621("flit_core.buildapi", table), {"other.py": "__version__ = '1.0'\n"}
    )
    assert file_and_value(found) == ("other.py", "1.0")


def test_setuptools_attr_through_package_dir_and_src_layout(tmp_path: Path) -> None:
    dynamic = '[tool.setuptools.dynamic]\nversion = {attr = "held_app.about.VERSION"}\n'
    files = {"src/held_app/about.py": "VERSION = '6.0.0'\n"}
    found = project(tmp_path, pep621("setuptools.build_meta", dynamic), files)
    assert file_and_value(found) == ("src/held_app/about.py", "6.0.0")
    mapped = dynamic + '\n[tool.setuptools]\npackage-dir = {"held_app" = "lib/app"}\n'
    files = {"lib/app/about.py": "VERSION = '6.0.1'\n"}
    found = project(tmp_path, pep621("setuptools.build_meta", mapped), files)
    assert file_and_value(found) == ("lib/app/about.py", "6.0.1")


def test_setuptools_setup_cfg_attr_and_file(tmp_path: Path) -> None:
    backend = pep621("setuptools.build_meta")
    files = {"setup.cfg": "[metadata]\nversion = attr: held_app.__version__\n",
             "held_app/__init__.py": "__version__ = '7.0.0'\n"}  # fmt: skip
    found = project(tmp_path, backend, files)
    assert file_and_value(found) == ("held_app/__init__.py", "7.0.0")
    files = {"setup.cfg": "[metadata]\nversion = file: VERSION.txt\n", "VERSION.txt": "7.1.0\n"}
    found = project(tmp_path, backend, files)
    assert file_and_value(found) == ("VERSION.txt", "7.1.0")


def test_setuptools_scm_and_other_backends_hold_no_file(tmp_path: Path) -> None:
    assert project(tmp_path, pep621("setuptools.build_meta"), {}) is None
    assert project(tmp_path, pep621("poetry.core.masonry.api"), {}) is None
    assert project(tmp_path, '[project]\nname = "x"\n', {}) is None
