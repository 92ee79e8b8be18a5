"""Fix-forward counts what the (stand-in) indexes hold, not only the git tags."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from uv import find_uv_bin

from release.core import runner
from release.core.errors import ConsumedVersion
from release.index.profiles import LocalEndpoints
from release.upload.stage import upload
from tests.conftest import cli
from tests.integration.conftest import build_at, make_run, unique, write_project


def test_a_version_uploaded_but_never_tagged_is_not_handed_out_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = unique("sr-next")
    root = write_project(tmp_path / "p", name, "1.0.0rc1")  # no git, so no tags
    (root / "uv.lock").unlink()  # the fixture's stub satisfies the version check, not `uv lock`
    runner.run([find_uv_bin(), "lock"], cwd=root)  # a real lock, since `bump` relocks
    project = ["--project", str(root)]
    assert cli(capsys, "build", *project)[0] == 0
    assert cli(capsys, "upload", "--index", "testpypi", "--indexes", "local", *project)[0] == 0

    # The CLI starts the stand-ins from the project's own state directory, as upload did.
    assert cli(capsys, "next", "rc", "--indexes", "local", *project)[:2] == (0, "1.0.0rc2\n")
    code, out, err = cli(capsys, "next", "rc", "--offline", *project)
    assert (code, out) == (0, "1.0.0rc1\n")  # what tags alone would say, and it says so
    assert "note: --offline: only git tags (and --consumed) were counted" in err

    code, out, _ = cli(capsys, "bump", "rc", "--indexes", "local", *project)
    assert (code, out) == (
        0,
        f"bumped {name} 1.0.0rc1 -> 1.0.0rc2 (pyproject.toml, uv.lock)\n",
    )


def test_an_rc_is_not_uploaded_once_its_final_is_on_the_release_index(
    stand_ins: LocalEndpoints, http: httpx.Client, tmp_path: Path
) -> None:
    name = unique("sr-app")
    state = tmp_path / "state"
    for version, index in (("1.0.0rc1", "testpypi"), ("1.0.0", "pypi")):
        build_at(tmp_path / version, name, version)
        upload(make_run(tmp_path / version, stand_ins, http, state), index)
    build_at(tmp_path / "late", name, "1.0.0rc2")  # never tagged, and too late
    run = make_run(tmp_path / "late", stand_ins, http, state)
    with pytest.raises(ConsumedVersion) as caught:
        upload(run, "testpypi")
    assert "1.0.0 is already released, so it takes no more release candidates" in str(caught.value)
    assert str(caught.value.hint).startswith("tag v1.0.0.post1 instead;")
    listed = {f.filename for f in run.listing(run.index("testpypi"), name)}
    assert not any("1.0.0rc2" in f for f in listed)  # nothing was sent
