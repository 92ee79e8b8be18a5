"""A project with a `release` of its own — a top-level `release/` package, or a `release.py`
(with a `build.py` beside it) — adopts the suite: the noxfile `init` wrote lists and runs our
lane sessions from nox (installed as the release workflow's job installs it, and under
`python -m nox`) and as a uv script (`./noxfile.py`), and the project's own code never runs.
A project with neither is the control.

One wheel of staged-release, one uv cache of its own (so no environment of an earlier wheel of
the same version is reused) and one nox install serve all three; dependencies come from PyPI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from release.cli import main
from release.core import interpreters
from release.github.workflow import PATH as WORKFLOW
from release.rehearsals.workflow.stand_ins import wheelhouse
from tests.conftest import PROJECTS, git_tag

MARKER = "ADOPTER-CODE-RAN"  # what the project's own modules write when anything runs them
WRITE = (
    "import pathlib, sys\n"
    "here = pathlib.Path(__file__).resolve().parent\n"
    "(here if here.name != 'release' else here.parent).joinpath({marker!r}).write_text({who!r})\n"
    "print('the project ran its own', {who!r}, sys.argv)\n"
)
OWN = {  # case -> the project's own modules named like ours or like the tools the suite runs
    "release-package": {"release/__init__.py": "release/"},
    "release-script": {"release.py": "release.py", "build.py": "build.py"},
    "neither": {},
}


@dataclass(frozen=True)
class Adoption:
    template: Path  # the fixture project, after `staged-release init`
    env: dict[str, str]  # with the nox the release workflow's job installs first on PATH
    python: Path  # the interpreter of that nox's environment


def _env(home: Path, wheels: Path) -> dict[str, str]:
    """This machine's environment less what would steer uv or nox from outside (this suite's
    own virtual environment above all), with a uv cache and a tool folder of their own."""
    steer = ("UV_", "NOX_", "VIRTUAL_ENV", "PYTHONPATH")
    env = {k: v for k, v in os.environ.items() if not k.startswith(steer)}
    tools = home / "tool-bin"
    env.update({
        "UV_CACHE_DIR": str(home / "uv-cache"), "UV_FIND_LINKS": str(wheels),
        "UV_TOOL_DIR": str(home / "tools"), "UV_TOOL_BIN_DIR": str(tools),
        "UV_PYTHON_DOWNLOADS": "never", "PATH": f"{tools}{os.pathsep}{env['PATH']}",
    })  # fmt: skip
    interpreters.expose(("3.11", "3.12", "3.13"), env)  # as the jobs' setup-python step does
    return env


def _step(root: Path, job: str, name: str) -> str:
    """The `run:` of the step NAME of JOB in the release workflow `init` wrote."""
    jobs = yaml.safe_load((root / WORKFLOW).read_text())["jobs"]
    return str(next(s["run"] for s in jobs[job]["steps"] if s.get("name") == name))


def _run(argv: list[str], root: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        argv, cwd=root, env=env, capture_output=True, text=True, check=False, timeout=600
    )
    assert done.returncode == 0, f"{argv}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def adoption(tmp_path_factory: pytest.TempPathFactory) -> Adoption:
    home = tmp_path_factory.mktemp("adopter-release")
    wheels = wheelhouse(home, lambda _: None)
    if not any(wheels.glob("staged_release-*.whl")):
        pytest.skip("no source tree beside these tests to build staged-release's wheel from")
    template = Path(shutil.copytree(PROJECTS / "adopt-no-tests", home / "template"))
    assert main(["init", "--no-try", "--project", str(template)]) == 0
    env = _env(home, wheels)
    # Installed as the workflow's build job installs it: its own step, run as it stands.
    _run(["bash", "-c", _step(template, "build", "install nox")], template, env)
    return Adoption(template, env, home / "tools" / "nox" / "bin" / "python")


@pytest.mark.parametrize("case", list(OWN))
def test_the_noxfile_runs_our_sessions_never_the_projects_own_release(
    adoption: Adoption, case: str, tmp_path: Path
) -> None:
    root = Path(shutil.copytree(adoption.template, tmp_path / case))
    for path, who in OWN[case].items():
        (root / path).parent.mkdir(exist_ok=True)
        (root / path).write_text(WRITE.format(marker=MARKER, who=who))
    git_tag(root)
    env, dist = adoption.env, root / "dist"
    for lister in (["nox", "-l"], [str(adoption.python), "-m", "nox", "-l"]):
        listed = _run(lister, root, env).stdout
        assert "\n- build -> " in listed, listed
        assert "\n- rehearse_rc -> " in listed, listed
    builds = (
        ["bash", "-c", _step(root, "build", "nox -s build")],  # the workflow's step
        ["./noxfile.py", "-s", "build"],  # uv script mode, through the noxfile's shebang
    )
    for build in builds:
        shutil.rmtree(dist, ignore_errors=True)
        said = _run(build, root, env)
        assert "-P -m release build --project" in said.stderr, said.stderr  # nox echoes it
        assert sorted(p.name for p in dist.iterdir() if p.suffix in (".whl", ".gz")) == [
            "quiet_pkg-0.3.0rc1-py3-none-any.whl",
            "quiet_pkg-0.3.0rc1.tar.gz",
        ]
    assert not (root / MARKER).exists(), (root / MARKER).read_text()
