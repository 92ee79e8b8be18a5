"""Which test directories the tests check collects (release.validation.mirror.tests): a test
directory holding only the package's source is collected where the package is installed."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from release.validation import mirror


def project(tmp_path: Path, testpaths: str, files: list[str]) -> Path:
    root = tmp_path / "project"
    for name in ["src/pkg/__init__.py", "src/pkg/mod.py", "tests/test_a.py", *files]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("")
    (root / "pyproject.toml").write_text(f"[tool.pytest.ini_options]\ntestpaths = {testpaths}\n")
    return root


def installed(tmp_path: Path) -> Path:
    package = tmp_path / "site-packages" / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("# installed")
    return package


def test_a_source_directory_in_testpaths_is_collected_where_the_package_is_installed(
    tmp_path: Path,
) -> None:
    root, site = project(tmp_path, '["src", "tests"]', []), installed(tmp_path)
    found = mirror.tests(tmp_path / "mirror", root, [site])
    assert found == [site, PurePosixPath("tests")]
    # beside the tests, the package as installed (for tests that read its files), not its source
    laid_out = tmp_path / "mirror" / "src" / "pkg"
    assert sorted(p.name for p in laid_out.iterdir()) == ["__init__.py"]
    assert (laid_out / "__init__.py").read_text() == "# installed"


def test_the_package_directory_itself_is_collected_installed_too(tmp_path: Path) -> None:
    root, site = project(tmp_path, '["src/pkg"]', []), installed(tmp_path)
    assert mirror.tests(tmp_path / "mirror", root, [site]) == [site]


def test_a_directory_with_other_python_files_is_copied_as_before(tmp_path: Path) -> None:
    root, site = project(tmp_path, '["src", "."]', ["src/tool.py"]), installed(tmp_path)
    found = mirror.tests(tmp_path / "mirror", root, [site])
    assert found == [PurePosixPath("src"), PurePosixPath(".")]
    assert (tmp_path / "mirror" / "src" / "tool.py").is_file()
