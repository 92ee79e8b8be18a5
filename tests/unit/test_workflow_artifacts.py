"""upload-artifact's `path` patterns and the layout of what it stores; download-artifact's choice
of artifacts and where they land. On made-up workspaces, through the steps' own entry points."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest

from release.core.errors import ActionFailed, StandInRefused
from release.rehearsals.workflow.actions import _artifacts, _globs
from release.rehearsals.workflow.actions._job import Job


def tree(root: Path, *files: str) -> Path:
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)
    return root


def layout(text: str, workspace: Path, hidden: bool = False) -> dict[str, str]:
    """What the artifact would hold: its path inside → the file's path in the workspace."""
    found = _artifacts.find_files(text, PurePosixPath(workspace), PurePosixPath("/home/u"), hidden)
    placed = _artifacts.placement(found)
    return {
        inside: str(PurePosixPath(file).relative_to(workspace)) for file, inside in placed.items()
    }


def test_a_directory_is_stored_from_its_inside(tmp_path: Path) -> None:
    ws = tree(tmp_path, "dist/a.whl", "dist/sub/b.tar.gz", "other.txt")
    assert layout("dist/", ws) == {"a.whl": "dist/a.whl", "sub/b.tar.gz": "dist/sub/b.tar.gz"}


def test_one_file_named_literally_lands_at_the_top(tmp_path: Path) -> None:
    ws = tree(tmp_path, "out/deep/report.json")
    assert layout("out/deep/report.json", ws) == {"report.json": "out/deep/report.json"}


def test_several_paths_keep_the_layout_below_their_common_ancestor(tmp_path: Path) -> None:
    ws = tree(tmp_path, "a/x/1.txt", "a/x/2.log", "a/y/z/3.txt", "b/4.txt")
    assert layout("a/x/*.txt\na/y/", ws) == {"x/1.txt": "a/x/1.txt", "y/z/3.txt": "a/y/z/3.txt"}
    assert layout("a/x/1.txt\nb/", ws) == {"a/x/1.txt": "a/x/1.txt", "b/4.txt": "b/4.txt"}


def test_a_glob_searches_from_its_literal_prefix(tmp_path: Path) -> None:
    ws = tree(tmp_path, "pkg/dist/a.whl", "pkg/b/c.whl", "pkg/c.txt")
    assert layout("pkg/**/*.whl", ws) == {"dist/a.whl": "pkg/dist/a.whl", "b/c.whl": "pkg/b/c.whl"}


def test_exclusions_and_re_inclusions_apply_in_order(tmp_path: Path) -> None:
    ws = tree(tmp_path, "d/a.whl", "d/b.tmp", "d/keep.tmp", "d/sub/c.whl")
    text = "d/\n!d/*.tmp\n# a comment\n!d/sub/\nd/keep.tmp\n"
    assert set(layout(text, ws)) == {"a.whl", "keep.tmp"}


def test_hidden_files_and_directories_are_left_out_unless_asked_for(tmp_path: Path) -> None:
    ws = tree(tmp_path, "d/a.txt", "d/.env", "d/.cache/x", "d/sub/.hidden")
    assert set(layout("d/", ws)) == {"a.txt"}
    assert set(layout("d/", ws, hidden=True)) == {"a.txt", ".env", ".cache/x", "sub/.hidden"}
    assert layout(".cache-dir-of-its-own/", tree(tmp_path, ".cache-dir-of-its-own/x")) == {}


def test_symlinked_files_are_stored_as_their_content_and_cycles_end(tmp_path: Path) -> None:
    ws = tree(tmp_path, "real/a.txt")
    (ws / "d").mkdir()
    (ws / "d/link.txt").symlink_to(ws / "real/a.txt")
    (ws / "d/loop").symlink_to(ws / "d")
    (ws / "d/broken").symlink_to(ws / "nowhere")
    assert layout("d/", ws) == {"link.txt": "d/link.txt"}


def test_home_and_absolute_paths() -> None:
    patterns = _globs.parse(
        "~/x/*.txt\n/abs/y\n./rel", PurePosixPath("/ws"), PurePosixPath("/home/u")
    )
    assert [str(p.search_path) for p in patterns] == ["/home/u/x", "/abs/y", "/ws/rel"]


@pytest.mark.parametrize("text", ["dist/../etc", "a/./b"])
def test_relative_segments_are_refused_as_the_action_does(text: str) -> None:
    with pytest.raises(ActionFailed, match="Relative pathing"):
        _globs.parse(text, PurePosixPath("/ws"), PurePosixPath("/h"))


def test_the_workspaces_own_glob_characters_are_literal(tmp_path: Path) -> None:
    ws = tree(tmp_path / "w[1]", "dist/a.whl")
    assert layout("dist/", ws) == {"a.whl": "dist/a.whl"}


def test_artifact_names_and_inner_paths_are_checked() -> None:
    with pytest.raises(ActionFailed, match="artifact name is not valid"):
        _artifacts.check_name("dist/x")
    with pytest.raises(StandInRefused):
        _artifacts.check_name(_artifacts.STAGING + "x")
    found = _artifacts.Found((PurePosixPath("/w/a:b"),), PurePosixPath("/w"))
    with pytest.raises(ActionFailed, match="a:b"):
        _artifacts.placement(found)


@pytest.mark.parametrize(
    ("pattern", "names"),
    [
        ("results-*", ["results-validate_final-3.12", "results-x"]),
        ("*", ["dist", "results-validate_final-3.12", "results-x"]),  # no leading-dot names
        (".*", [".hidden"]),
        ("{dist,results-x}", ["dist", "results-x"]),
        ("results-?", ["results-x"]),
        ("results-[!x]*", ["results-validate_final-3.12"]),
    ],
)
def test_download_patterns_are_minimatch(pattern: str, names: list[str]) -> None:
    available = [".hidden", "dist", "results-validate_final-3.12", "results-x"]
    assert _artifacts.choose(available, "", pattern) == names


def test_a_missing_name_fails_naming_it_and_what_the_run_has() -> None:
    with pytest.raises(ActionFailed) as failed:
        _artifacts.choose(["results-a"], "dist", "")
    assert (
        failed.value.message == "Unable to download artifact(s): Artifact not found for name: dist"
    )
    assert failed.value.hint is not None
    assert "results-a" in failed.value.hint
    assert _artifacts.choose(["a", "b"], "", "") == ["a", "b"]
    assert _artifacts.choose(["a", "b"], "b", "a*") == ["b"]  # name wins over pattern


# -- the steps themselves, on a made-up job


def job(tmp_path: Path, workspace: Path, **inputs: str) -> Job:
    runner = tmp_path / "runner"
    runner.mkdir(exist_ok=True)
    environ = {
        "GITHUB_WORKSPACE": str(workspace),
        "RUNNER_TEMP": str(runner),
        "GITHUB_OUTPUT": str(runner / "output"),
        "HOME": str(tmp_path / "home"),
        _artifacts.ARTIFACTS_ENV: str(tmp_path / "artifacts"),
    }
    environ |= {"INPUT_" + k.upper(): v for k, v in inputs.items()}
    return Job(environ)


def files(root: Path) -> dict[str, str]:
    return {
        str(Path(d, f).relative_to(root)): Path(d, f).read_text()
        for d, _, names in os.walk(root)
        for f in names
    }


def test_an_artifact_is_immutable_unless_overwritten(tmp_path: Path) -> None:
    ws = tree(tmp_path / "ws", "dist/a.whl")
    _artifacts.upload(job(tmp_path, ws, name="dist", path="dist/"))
    (ws / "dist/a.whl").write_text("changed")
    with pytest.raises(ActionFailed, match=r"\(409\) Conflict"):
        _artifacts.upload(job(tmp_path, ws, name="dist", path="dist/"))
    assert files(tmp_path / "artifacts") == {"dist/a.whl": "dist/a.whl"}
    _artifacts.upload(job(tmp_path, ws, name="dist", path="dist/", overwrite="true"))
    assert files(tmp_path / "artifacts") == {"dist/a.whl": "changed"}


@pytest.mark.parametrize(("mode", "fails"), [("warn", False), ("ignore", False), ("error", True)])
def test_no_files_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str, fails: bool
) -> None:
    ws = tree(tmp_path / "ws", "other.txt")
    step = job(tmp_path, ws, path="dist/", if_no_files_found=mode)
    if fails:
        with pytest.raises(ActionFailed, match="No files were found with the provided path: dist/"):
            _artifacts.upload(step)
    else:
        _artifacts.upload(step)
        assert ("::warning::" in capsys.readouterr().out) is (mode == "warn")
    assert _artifacts.stored(tmp_path / "artifacts") == []


def test_an_unknown_if_no_files_found_fails(tmp_path: Path) -> None:
    with pytest.raises(ActionFailed, match="Unrecognized if-no-files-found input"):
        _artifacts.upload(job(tmp_path, tmp_path, path="x", if_no_files_found="maybe"))


def test_downloads_land_where_v6_puts_them(tmp_path: Path) -> None:
    ws = tree(tmp_path / "ws", "dist/a.whl", "r1/x.json", "r2/y.json")
    for name, path in [("dist", "dist/"), ("results-1", "r1/"), ("results-2", "r2/")]:
        _artifacts.upload(job(tmp_path, ws, name=name, path=path))
    out = tmp_path / "out"
    _artifacts.download(job(tmp_path, out, name="dist", path="named"))
    _artifacts.download(
        job(tmp_path, out, pattern="results-*", path="merged", merge_multiple="true")
    )
    _artifacts.download(job(tmp_path, out, pattern="results-*", path="apart"))
    _artifacts.download(job(tmp_path, out, pattern="results-1", path="one"))
    _artifacts.download(job(tmp_path, out, path="all"))
    assert set(files(out)) == {
        "named/a.whl",
        "merged/x.json", "merged/y.json",
        "apart/results-1/x.json", "apart/results-2/y.json",
        "one/x.json",  # a single match lands in path itself (v6)
        "all/dist/a.whl", "all/results-1/x.json", "all/results-2/y.json",
    }  # fmt: skip
    assert (tmp_path / "runner/output").read_text().splitlines()[
        -1
    ] == f"download-path={out / 'all'}"


def test_downloads_refuse_other_runs(tmp_path: Path) -> None:
    with pytest.raises(StandInRefused, match="github-token"):
        _artifacts.download(job(tmp_path, tmp_path, github_token="t", run_id="9"))
    with pytest.raises(StandInRefused, match="artifact-ids"):
        _artifacts.download(job(tmp_path, tmp_path, artifact_ids="1,2"))


def test_without_the_artifact_store_the_step_says_what_is_missing(tmp_path: Path) -> None:
    step = job(tmp_path, tree(tmp_path / "ws", "d/a"), path="d/")
    environ = dict(step.environ)
    del environ[_artifacts.ARTIFACTS_ENV]
    with pytest.raises(ActionFailed, match="STAGED_RELEASE_ACT_ARTIFACTS is not set"):
        _artifacts.upload(Job(environ))
