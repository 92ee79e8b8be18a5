"""The local checkout's, setup-python's and setup-uv's decisions, as the real actions make them:
what to fetch and check out, which interpreter answers a `python-version`, which uv versions
the installed one satisfies, and how a step reads its inputs and writes its answers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from packaging.version import Version

from release.core.errors import ActionFailed, StandInRefused
from release.rehearsals.workflow.actions import _checkout, _pythons, _uv
from release.rehearsals.workflow.actions._checkout import Source
from release.rehearsals.workflow.actions._job import Job

SHA = "0123456789abcdef0123456789abcdef01234567"
EVENT_SHA = "fedcba9876543210fedcba9876543210fedcba98"

# -- checkout


@pytest.mark.parametrize(
    ("ref", "event_ref", "expected"),
    [
        ("", "refs/tags/v1.0rc1", Source("refs/tags/v1.0rc1", EVENT_SHA)),
        ("", "main", Source("refs/heads/main", EVENT_SHA)),  # an unqualified event ref
        (SHA, "refs/tags/v1.0", Source("", SHA)),  # `ref: ${{ github.sha }}`
        ("v1.0", "refs/heads/main", Source("v1.0", "")),
    ],
)
def test_what_to_check_out(ref: str, event_ref: str, expected: Source) -> None:
    assert _checkout.source(ref, event_ref, EVENT_SHA) == expected


@pytest.mark.parametrize(
    ("src", "specs"),
    [
        (Source("refs/tags/v1", SHA), [f"+{SHA}:refs/tags/v1"]),
        (Source("refs/heads/main", SHA), [f"+{SHA}:refs/remotes/origin/main"]),
        (Source("", SHA), [SHA]),
        (Source("refs/tags/v1", ""), ["+refs/tags/v1:refs/tags/v1"]),
        (
            Source("v1", ""),
            ["+refs/heads/v1*:refs/remotes/origin/v1*", "+refs/tags/v1*:refs/tags/v1*"],
        ),
    ],
)
def test_refspecs_name_only_the_wanted_commit(src: Source, specs: list[str]) -> None:
    assert _checkout.refspecs(src) == specs


def test_depth_one_fetches_no_tags_and_depth_zero_everything() -> None:
    shallow = _checkout.fetch_argv(_checkout.refspecs(Source("", SHA)), 1, False, False)
    assert shallow == [
        "git", "-c", "protocol.version=2", "fetch", "--no-tags", "--prune",
        "--no-recurse-submodules", "--depth=1", "origin", SHA,
    ]  # fmt: skip
    full = _checkout.fetch_argv(_checkout.all_history(Source("", SHA)), 0, False, True)
    assert "--no-tags" not in full
    assert "--unshallow" in full
    assert full[-2:] == ["+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"]
    assert "--no-tags" not in _checkout.fetch_argv([SHA], 1, True, False)  # fetch-tags: true


@pytest.mark.parametrize(
    ("src", "branch", "tag", "target"),
    [
        (Source("", SHA), False, False, (SHA, "")),
        (Source("refs/heads/main", SHA), False, False, ("main", "refs/remotes/origin/main")),
        (Source("refs/tags/v1", SHA), False, False, ("refs/tags/v1", "")),
        (Source("v1", ""), False, True, ("refs/tags/v1", "")),
        (Source("dev", ""), True, False, ("dev", "refs/remotes/origin/dev")),
    ],
)
def test_checkout_target(src: Source, branch: bool, tag: bool, target: tuple[str, str]) -> None:
    assert _checkout.checkout_target(src, branch, tag) == target


def test_an_unknown_ref_fails_as_the_action_does() -> None:
    with pytest.raises(
        ActionFailed, match="A branch or tag with the name 'nope' could not be found"
    ):
        _checkout.checkout_target(Source("nope", ""), False, False)


@pytest.mark.parametrize(
    ("text", "depth"), [("", 1), ("0", 0), ("5", 5), ("-3", 0), ("x", 0), ("2.7", 2)]
)
def test_fetch_depth(text: str, depth: int) -> None:
    assert _checkout.fetch_depth(text) == depth


def test_the_checkout_stays_inside_the_workspace() -> None:
    ws = Path("/w/ws")
    assert _checkout.target_directory(ws, "") == ws
    assert _checkout.target_directory(ws, "sub/dir") == ws / "sub/dir"
    with pytest.raises(ActionFailed, match="is not under"):
        _checkout.target_directory(ws, "../elsewhere")


def test_other_repositories_and_unemulated_inputs_are_refused(tmp_path: Path) -> None:
    base = {"GITHUB_WORKSPACE": str(tmp_path), "GITHUB_REPOSITORY": "o/r"}
    for extra in ({"INPUT_REPOSITORY": "o/other"}, {"INPUT_SUBMODULES": "recursive"},
                  {"INPUT_LFS": "TRUE"}, {"INPUT_SPARSE_CHECKOUT": "src"}):  # fmt: skip
        with pytest.raises(StandInRefused):
            _checkout.run(Job(base | extra))


# -- setup-python


def interp(text: str, on_path: bool = False) -> _pythons.Interpreter:
    exe = Path(f"/py/{text}/bin/python")
    return _pythons.Interpreter(Version(text), text, exe, exe.parent.parent, on_path)


MACHINE = [interp("3.11.2", on_path=True), interp("3.11.7"), interp("3.12.1"), interp("3.12.10"),
           interp("3.13.0"), interp("3.14.0rc1")]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "allow", "picked"),
    [
        ("3.11", False, "3.11.2"),  # PATH first, as the suite's own lookup
        ("3.11.7", False, "3.11.7"),
        ("3.12", False, "3.12.10"),  # else the newest
        ("3", False, "3.13.0"),
        ("3.x", False, "3.13.0"),
        ("3.14", False, None),  # a pre-release only with allow-prereleases
        ("3.14", True, "3.14.0rc1"),
        ("3.14-dev", False, "3.14.0rc1"),
        ("3.14.0rc1", False, "3.14.0rc1"),
        ("3.14.0", True, None),  # an exact final is never a pre-release
        ("3.9", False, None),
    ],
)
def test_which_interpreter_answers(text: str, allow: bool, picked: str | None) -> None:
    chosen = _pythons.pick(_pythons.spec(text, allow), MACHINE)
    assert (chosen.text if chosen else None) == picked


@pytest.mark.parametrize("text", [">=3.9 <3.12", "pypy3.10", "3.13t", "graalpy-24", "^3.12"])
def test_forms_the_local_setup_python_does_not_read_are_refused(text: str) -> None:
    with pytest.raises(StandInRefused, match=re.escape(f"python-version '{text}' is not emulated")):
        _pythons.spec(text, False)


def test_a_missing_version_fails_in_one_line_saying_what_to_install() -> None:
    error = _pythons.not_found(_pythons.spec("3.9", False), MACHINE)
    assert error.message.startswith("Version 3.9 was not found in the local cache")
    assert "3.11.2, 3.11.7, 3.12.1" in error.message
    assert "\n" not in error.message
    assert error.hint is not None
    assert "pyenv install 3.9" in error.hint


def test_every_version_a_step_lacks_is_named_in_the_hint() -> None:
    lacking = [_pythons.spec(v, False) for v in ("3.15", "3.16")]
    error = _pythons.not_found(lacking[0], MACHINE, lacking)
    assert error.message.startswith("Version 3.15 was not found in the local cache")
    assert error.hint is not None
    assert "`pyenv install 3.15`, `pyenv install 3.16`" in error.hint
    assert "python3.15, python3.16 on PATH" in error.hint


def test_pyenv_versions_are_read_from_their_folders(tmp_path: Path) -> None:
    for name, exe in [("3.12.1", "python3.12"), ("3.14-dev", "python3.14"),
                      ("pypy3.10-7.3.17", "python3.10"), ("3.13.0", None)]:  # fmt: skip
        (tmp_path / "versions" / name / "bin").mkdir(parents=True)
        if exe:
            (tmp_path / "versions" / name / "bin" / exe).write_text("")
    found = {i.text: i for i in _pythons._pyenv(tmp_path)}
    assert set(found) == {"3.12.1", "3.14-dev"}  # 3.13.0 has no interpreter, pypy is not CPython
    assert found["3.14-dev"].version.is_prerelease
    assert found["3.12.1"].prefix == tmp_path / "versions/3.12.1"


def test_virtual_environments_on_path_are_not_installations(tmp_path: Path) -> None:
    (tmp_path / "venv/bin").mkdir(parents=True)
    (tmp_path / "venv/pyvenv.cfg").write_text("home = /usr/bin\n")
    path = f"{tmp_path / 'venv/bin'}:/usr/bin"
    assert _pythons._path_without_venvs({"PATH": path}) == "/usr/bin"


# -- setup-uv


@pytest.mark.parametrize(
    ("wanted", "ok"),
    [
        ("", True),
        ("latest", True),
        ("0.9.5", True),
        ("==0.9.5", True),
        ("0.9.4", False),
        (">=0.9,<1", True),
        ("<0.9", False),
        ("0.9.x", True),
        ("0.8.x", False),
    ],
)
def test_which_uv_versions_the_installed_one_satisfies(wanted: str, ok: bool) -> None:
    assert _uv.satisfied("0.9.5", wanted) is ok


def test_an_unreadable_uv_version_fails() -> None:
    with pytest.raises(ActionFailed, match="cannot be read"):
        _uv.satisfied("0.9.5", "not a version")


def test_required_version_is_read_from_uv_toml_and_pyproject(tmp_path: Path) -> None:
    (tmp_path / "uv.toml").write_text('required-version = ">=0.9"\n')
    (tmp_path / "pyproject.toml").write_text('[tool.uv]\nrequired-version = "==0.8.0"\n')
    (tmp_path / "bare.toml").write_text('[project]\nname = "x"\n')
    assert _uv.required_version(tmp_path / "uv.toml") == ">=0.9"
    assert _uv.required_version(tmp_path / "pyproject.toml") == "==0.8.0"
    assert _uv.required_version(tmp_path / "bare.toml") is None
    assert _uv.required_version(tmp_path / "absent.toml") is None


SHARED = {"STAGED_RELEASE_ACT_TOOLS": "/r/tools", "UV_TOOL_DIR": "/r/tools",
          "UV_TOOL_BIN_DIR": "/r/tools/bin"}  # fmt: skip


@pytest.mark.parametrize(
    ("environ", "inputs", "expected"),
    [
        # the rehearsal's shared folders: the job's own, under its RUNNER_TEMP, as a fresh runner
        (SHARED, ("", ""), ("/job/tmp/uv-tool-dir", "/job/tmp/uv-tool-bin-dir")),
        (SHARED, ("/t", ""), ("/t", "/job/tmp/uv-tool-bin-dir")),  # an input wins
        (SHARED, ("", "/b"), ("/job/tmp/uv-tool-dir", "/b")),
        # the workflow's own folders (its env:) are left as they are, as the real action does
        ({**SHARED, "UV_TOOL_DIR": "/w", "UV_TOOL_BIN_DIR": "/w/bin"}, ("", ""), ("", "")),
        ({"UV_TOOL_DIR": "/w"}, ("", ""), ("", "")),  # outside the rehearsal: the action's ways
        ({}, ("/t", "/b"), ("/t", "/b")),
    ],
)
def test_each_job_gets_tool_folders_of_its_own(
    environ: dict[str, str], inputs: tuple[str, str], expected: tuple[str, str]
) -> None:
    assert _uv.tool_folders(environ, *inputs, Path("/job/tmp")) == expected


# -- a step's inputs and answers


def test_inputs_are_read_as_actions_core_reads_them() -> None:
    job = Job({"INPUT_PYTHON_VERSION": " 3.12\n\n 3.13 \n", "INPUT_CLEAN": "False",
               "INPUT_OVERWRITE": "yes"})  # fmt: skip
    assert job.lines("python-version") == ["3.12", "3.13"]
    assert job.flag("clean", default=True) is False
    assert job.flag("absent") is False
    with pytest.raises(ActionFailed, match=r"YAML 1\.2"):
        job.flag("overwrite")
    assert job.truthy("overwrite", "false") is False
    assert job.truthy("absent", "true") is True


def test_answers_go_to_the_runners_files_one_line_each(tmp_path: Path) -> None:
    names = ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH")
    job = Job({name: str(tmp_path / name) for name in names})
    job.output("python-version", "3.13.0")
    job.export("pythonLocation", "/py")
    job.add_path(Path("/py/bin"))
    assert [(tmp_path / n).read_text() for n in names] == [
        "python-version=3.13.0\n", "pythonLocation=/py\n", "/py/bin\n",
    ]  # fmt: skip
    with pytest.raises(ActionFailed, match="line break"):
        job.output("x", "a\nforged=1")
