"""Versions that come from the git tag (`dynamic = ["version"]`): the tag is the version, uv.lock
may record none, the build backend is told the version, and the built files must say it."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from release.artifacts.build import check_built_versions, version_env
from release.artifacts.metadata import built_version
from release.config.project import load_config
from release.core.errors import ConfigError, LaneError, VersionMismatch, VersionRuleError
from release.pipeline.plan import Event, Trigger, make_plan
from release.pipeline.stages import Target
from release.versioning.check import VersionSources, tagged_version, verify
from release.versioning.versions import parse_version

PYTHONS = ("3.12",)


def dynamic(
    tag: str | None, lock: str | None = None, expected: str | None = None
) -> VersionSources:
    return VersionSources("tagged-app", None, lock, tag, expected)


# --- the version check ------------------------------------------------------------------------


def test_the_tag_gives_a_dynamic_version() -> None:
    assert str(verify(dynamic("v1.4.0rc1"))) == "1.4.0rc1"


def test_a_lock_version_of_a_dynamic_project_is_not_compared() -> None:
    # uv recorded what the backend computed when it locked: no release's version
    assert str(verify(dynamic("v1.4.0rc1", lock="0.1.dev3+g1234"))) == "1.4.0rc1"


def test_a_static_lock_entry_without_a_version_is_accepted() -> None:
    assert str(verify(VersionSources("p", "1.4.0", None, "v1.4.0"))) == "1.4.0"


def test_a_static_lock_version_is_still_compared() -> None:
    with pytest.raises(VersionMismatch) as caught:
        verify(VersionSources("p", "1.4.0", "1.3.9"))
    assert "uv.lock still says 1.3.9" in str(caught.value.hint)


def test_a_dynamic_version_without_a_tag_is_a_config_error_with_the_tagging_hint() -> None:
    with pytest.raises(ConfigError) as caught:
        verify(dynamic(None))
    assert caught.value.message == (
        "tagged-app's version is dynamic (the git tag's), and no tag was given, none from CI "
        "and none at HEAD"
    )
    assert "`git tag vX.Y.ZrcN`" in str(caught.value.hint)
    assert "--tag" in str(caught.value.hint)


def test_the_tag_rules_still_apply() -> None:
    with pytest.raises(VersionRuleError, match="not spelt canonically"):
        verify(dynamic("v1.4.0-rc1"))
    with pytest.raises(VersionRuleError, match="a dev release"):
        verify(dynamic("v1.4.0.dev1"))


def test_the_expected_version_is_compared_with_the_tag() -> None:
    with pytest.raises(VersionMismatch) as caught:
        verify(dynamic("v1.4.0rc1", expected="1.4.0rc2"))
    assert caught.value.message == (
        "tagged-app: version sources disagree: pyproject.toml (dynamic), uv.lock (no version), "
        "tag v1.4.0rc1, expected 1.4.0rc2"
    )


TAGGED = [
    # (tags at HEAD, all tags, the current version)
    (["v1.4.0rc2", "docs"], ["v1.4.0rc2", "v1.5.0rc1", "docs"], "1.4.0rc2"),
    ([], ["v1.4.0rc2", "v1.4.0", "v1.3.0.post4", "docs"], "1.4.0"),
    ([], ["v1.4.0rc2", "v1.10.0rc1"], "1.10.0rc1"),
    ([], ["v2.0.0-rc1", "v2.0.0.dev1", "1.9.9", "v1.4.0"], "1.4.0"),  # rule breakers pass over
    ([], ["latest"], None),
    ([], [], None),
]


@pytest.mark.parametrize(("head", "tags", "current"), TAGGED)
def test_a_dynamic_version_stands_at_the_head_tag_else_the_highest(
    head: list[str], tags: list[str], current: str | None
) -> None:
    found = tagged_version(head, tags)
    assert (None if found is None else str(found)) == current


# --- planning ---------------------------------------------------------------------------------


def test_a_local_plan_takes_the_tag_at_head() -> None:
    plan = make_plan(Trigger(Event.LOCAL), dynamic(None), PYTHONS, "v1.4.0rc1")
    assert (plan.target, str(plan.version), plan.tag_checked) == (Target.TESTPYPI, "1.4.0rc1", True)


def test_a_tag_push_plans_the_pushed_version() -> None:
    plan = make_plan(Trigger(Event.PUSH, "refs/tags/v1.4.0"), dynamic(None), PYTHONS, None)
    assert (plan.target, str(plan.version)) == (Target.PYPI, "1.4.0")


@pytest.mark.parametrize(
    ("trigger", "hint"),
    [
        (Trigger(Event.LOCAL), "tag HEAD (`git tag vX.Y.ZrcN`) or pass --ref"),
        (
            Trigger(Event.DISPATCH, "refs/heads/main", None, None, "1.4.0rc1"),
            "dispatch with source_ref=<tag>",
        ),
    ],
)
def test_a_plan_without_a_tag_is_refused_with_the_tagging_hint(trigger: Trigger, hint: str) -> None:
    with pytest.raises(LaneError) as caught:
        make_plan(trigger, dynamic(None), PYTHONS, None)
    assert caught.value.message.startswith("tagged-app's version is dynamic (the git tag's)")
    assert hint in str(caught.value.hint)


# --- the build: the version handed to the backend, and the version the files say ---------------


def test_the_backend_is_told_the_version_by_every_name_it_reads() -> None:
    assert version_env("My.Pkg__name", parse_version("1.2.0rc1")) == {
        "SETUPTOOLS_SCM_PRETEND_VERSION": "1.2.0rc1",
        "SETUPTOOLS_SCM_PRETEND_VERSION_FOR_MY_PKG_NAME": "1.2.0rc1",
        "PDM_BUILD_SCM_VERSION": "1.2.0rc1",
    }


def wheel(folder: Path, version: str | None, name: str = "app-1.2.0rc1-py3-none-any.whl") -> Path:
    path = folder / name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("app/__init__.py", "")
        field = "" if version is None else f"Version: {version}\n"
        archive.writestr(
            "app-1.2.0rc1.dist-info/METADATA", f"Metadata-Version: 2.4\nName: app\n{field}"
        )
    return path


def sdist(folder: Path, files: dict[str, str], name: str = "app-1.2.0rc1.tar.gz") -> Path:
    path = folder / name
    with tarfile.open(path, "w:gz") as archive:
        for member, text in files.items():
            info = tarfile.TarInfo(member)
            info.size = len(text.encode())
            archive.addfile(info, io.BytesIO(text.encode()))
    return path


def test_the_version_inside_a_wheel_and_an_sdist(tmp_path: Path) -> None:
    assert built_version(wheel(tmp_path, "1.2.0rc1")) == "1.2.0rc1"
    top = {
        "app-1.2.0rc1/src/app.egg-info/PKG-INFO": "Name: app\nVersion: 0.0.0\n",
        "app-1.2.0rc1/PKG-INFO": "Metadata-Version: 2.4\nName: app\nVersion: 1.2.0rc1\n\nbody\n",
    }
    assert built_version(sdist(tmp_path, top)) == "1.2.0rc1"


def test_no_metadata_reads_as_no_version(tmp_path: Path) -> None:
    assert built_version(sdist(tmp_path, {"app-1.2.0rc1/src/app.egg-info/PKG-INFO": ""})) is None
    assert built_version(wheel(tmp_path, None)) is None
    (tmp_path / "broken.whl").write_bytes(b"not a zip")
    assert built_version(tmp_path / "broken.whl") is None


def test_built_files_of_the_release_version_pass(tmp_path: Path) -> None:
    files = [wheel(tmp_path, "1.2.0rc1"), sdist(tmp_path, {"a/PKG-INFO": "Version: 1.2.0rc1\n"})]
    assert [built_version(f) for f in files] == ["1.2.0rc1", "1.2.0rc1"]  # what is compared
    check_built_versions(files, parse_version("1.2.0rc1"))  # raises nothing
    late = sdist(tmp_path, {"a/PKG-INFO": "Version: 1.2.0rc2\n"}, "app-1.2.0rc2.tar.gz")
    with pytest.raises(VersionMismatch, match=r"says 1\.2\.0rc2, .* \(app-1\.2\.0rc2\.tar\.gz\)"):
        check_built_versions([*files, late], parse_version("1.2.0rc1"))  # every file is read


def test_a_built_file_of_another_version_names_both(tmp_path: Path) -> None:
    files = [wheel(tmp_path, "0.1.dev3+g1234")]
    with pytest.raises(VersionMismatch) as caught:
        check_built_versions(files, parse_version("1.2.0rc1"), dynamic=True)
    assert caught.value.message.startswith(
        "the built wheel says 0.1.dev3+g1234, but the release is 1.2.0rc1"
    )
    assert "tag the commit v1.2.0rc1" in str(caught.value.hint)


def test_a_static_mismatch_points_at_where_the_backend_reads_the_version(tmp_path: Path) -> None:
    files = [sdist(tmp_path, {"a/PKG-INFO": "Name: app\n"})]
    with pytest.raises(VersionMismatch) as caught:
        check_built_versions(files, parse_version("1.2.0"))
    assert caught.value.message.startswith("the built sdist says no version, but the release is")
    assert "reads the version from elsewhere than [project].version" in str(caught.value.hint)


# --- pyproject.toml ---------------------------------------------------------------------------


def test_a_dynamic_version_loads_as_none(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\ndynamic = ["version"]\n')
    assert load_config(tmp_path).version is None


def test_a_version_both_written_and_dynamic_is_refused(tmp_path: Path) -> None:
    text = '[project]\nname = "p"\nversion = "1.0.0"\ndynamic = ["version"]\n'
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(ConfigError, match="is set and also listed in"):
        load_config(tmp_path)


def test_a_leftover_pkg_info_at_the_root_is_named_as_the_cause(tmp_path: Path) -> None:
    """starlette's sdist made into a repository: hatchling built 1.10.0 from its PKG-INFO."""
    files = [wheel(tmp_path, "1.10.0")]
    leftover = tmp_path / "PKG-INFO"
    with pytest.raises(VersionMismatch) as caught:
        check_built_versions(files, parse_version("1.10.1rc1"), dynamic=True, leftover=leftover)
    assert (
        caught.value.hint
        == f"delete {leftover} (an unpacked sdist's, saying 1.10.0): backends read it"
    )
