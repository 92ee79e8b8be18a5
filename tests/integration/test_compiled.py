"""A C extension supporting Python 3.9 on through the rc lane: one wheel per Python installed here,
each repaired to manylinux, all in one manifest, each cell installing its own; a wheel PyPI
would refuse is refused at build, on the stand-ins too; wheels built elsewhere come in through
`build --prebuilt`, verified.

One rehearsal (it compiles the fixture with every interpreter), shared by the tests here."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import uv
from packaging.utils import parse_wheel_filename

from release.cli import main
from release.core import interpreters
from tests.conftest import PROJECTS, cli

DECLARED = ["3.9", "3.10", "3.11", "3.12", "3.13"]  # the fixture's classifiers
PYTHONS = list(interpreters.installed(DECLARED, os.environ))  # 3.11 at least: ours


@dataclass(frozen=True)
class Rehearsed:
    code: int
    report: dict[str, object]
    root: Path

    @property
    def dist(self) -> Path:
        return self.root / ".staged-release" / "rehearsal" / "dist-testpypi"


@pytest.fixture(scope="module")
def rehearsed(tmp_path_factory: pytest.TempPathFactory) -> Rehearsed:
    root = Path(shutil.copytree(PROJECTS / "compiled-ext", tmp_path_factory.mktemp("c") / "p"))
    report = root / "report.json"
    with pytest.MonkeyPatch.context() as env:  # as the function-scoped online does
        env.setenv("UV_PYTHON_DOWNLOADS", "never")
        env.delenv("UV_OFFLINE", raising=False)
        code = main([
            "-q", "rehearse", "rc", "--project", str(root), "--report", str(report),
            "--dependency-index", "local", "--jobs", "3",
        ])  # fmt: skip
    return Rehearsed(code, json.loads(report.read_text()), root)


def test_a_c_extension_rehearses_green_with_a_repaired_wheel_per_python(
    rehearsed: Rehearsed,
) -> None:
    outcomes = rehearsed.report["outcomes"]
    rows = [(o["stage"], o["cell"], o["status"]) for o in outcomes]  # type: ignore[attr-defined]
    assert rehearsed.code == 0, rows
    cells = [(p, "passed" if p in PYTHONS else "skipped") for p in DECLARED]
    assert [(cell, status) for stage, cell, status in rows if stage == "validate_rc"] == cells
    files = [f["filename"] for f in rehearsed.report["build"]["files"]]  # type: ignore[index]
    wheels = [parse_wheel_filename(f)[3] for f in files if f.endswith(".whl")]
    built = sorted({t.interpreter for tags in wheels for t in tags}, key=lambda i: int(i[3:]))
    assert built == [f"cp{p.replace('.', '')}" for p in PYTHONS]
    assert all(t.platform.startswith("manylinux") for tags in wheels for t in tags)
    assert len(wheels) == len(PYTHONS)
    for python in PYTHONS:  # each cell installed the wheel of its own interpreter
        cell = rehearsed.root / ".staged-release" / "rehearsal" / "results"
        held = json.loads((cell / f"validate_rc-{python}.json").read_text())
        assert f"-cp{python.replace('.', '')}-" in held["wheel"]


def test_a_linux_wheel_is_refused_at_build_on_the_stand_ins_too(
    rehearsed: Rehearsed, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    raw, source = tmp_path / "raw", shutil.copytree(PROJECTS / "compiled-ext", tmp_path / "src")
    subprocess.run(  # a plain build, as a maintainer's machine makes it: not repaired
        [uv.find_uv_bin(), "build", "--quiet", "--wheel", "--python", "3.12", "--out-dir",
         str(raw), str(source)],
        check=True, capture_output=True,
    )  # fmt: skip
    (wheel,) = raw.glob("*.whl")
    assert wheel.name.endswith("-cp312-cp312-linux_x86_64.whl")
    code, _, err = cli(
        capsys, "build", "--project", str(rehearsed.root), "--prebuilt", str(raw),
        "--dist", str(tmp_path / "dist"), "--indexes", "local",
    )  # fmt: skip
    assert code == 2
    assert err.splitlines()[0] == (
        f"error: {wheel.name} has the platform tag 'linux_x86_64', which PyPI refuses"
    )
    assert "auditwheel repair" in err.splitlines()[1]
    assert not list((tmp_path / "dist").glob("*"))  # nothing built, nothing left


def test_prebuilt_wheels_join_the_sdist_in_one_manifest_and_another_version_is_refused(
    rehearsed: Rehearsed, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    wheels = tmp_path / "wheelhouse"  # as cibuildwheel leaves them
    wheels.mkdir()
    for built in rehearsed.dist.glob("*.whl"):
        shutil.copy2(built, wheels)
    code, out, _ = cli(capsys, "build", "--project", str(rehearsed.root), "--prebuilt", str(wheels))
    manifest = json.loads((rehearsed.root / "dist" / "manifest.json").read_text())
    assert code == 0, out
    names = sorted(f["filename"] for f in manifest["files"])
    assert names == sorted(["fastsum-1.0.0rc1.tar.gz", *(p.name for p in wheels.iterdir())])
    rc2 = Path(shutil.copytree(PROJECTS / "compiled-ext", tmp_path / "rc2"))
    for name in ("pyproject.toml", "uv.lock"):
        (rc2 / name).write_text((rc2 / name).read_text().replace('"1.0.0rc1"', '"1.0.0rc2"'))
    code, _, err = cli(capsys, "build", "--project", str(rc2), "--prebuilt", str(wheels))
    assert code == 2
    assert not (rc2 / "dist").exists() or not list((rc2 / "dist").iterdir())
    assert "is version 1.0.0rc1 (its metadata: 1.0.0rc1), but the release is 1.0.0rc2" in err


def test_a_cell_whose_interpreter_no_wheel_fits_says_which_tags_exist_and_which_fit(
    rehearsed: Rehearsed, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    only_311 = tmp_path / "wheelhouse"
    only_311.mkdir()
    (wheel,) = rehearsed.dist.glob("*-cp311-*.whl")
    shutil.copy2(wheel, only_311)
    dist = str(tmp_path / "dist")
    code, _, _ = cli(
        capsys, "build", "--project", str(rehearsed.root), "--prebuilt", str(only_311),
        "--dist", dist,
    )  # fmt: skip
    assert code == 0
    code, _, err = cli(
        capsys, "candidate-checks", "--project", str(rehearsed.root), "--dist", dist,
        "--python", "3.13", "--dependency-index", "local", "--indexes", "local",
    )  # fmt: skip
    assert code == 1
    tags = "-".join(wheel.name.removesuffix(".whl").split("-")[-3:])
    error, hint = (line for line in err.splitlines() if line.startswith(("error:", "hint:")))
    assert error.startswith(
        f"error: no wheel of fastsum 1.0.0rc1 fits Python 3.13 here: the wheels are tagged "
        f"{tags}; this interpreter takes cp313-cp313, cp{{313..32}}-abi3, "
    )
    assert "manylinux_2_{36..5}_x86_64, manylinux2014_x86_64, " in error  # its platforms too
    assert "build a wheel with Python 3.13" in hint
