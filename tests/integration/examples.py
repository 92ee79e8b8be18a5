"""The example projects under examples/, built the way a release builds them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import uv

EXAMPLES = Path(__file__).parents[2] / "examples"
NOTES = EXAMPLES / "notes-service"


def build_wheel(project: Path, out: Path) -> Path:
    """`uv build --wheel` of `project` into `out`; the one wheel it made."""
    subprocess.run(
        [uv.find_uv_bin(), "build", "--quiet", "--wheel", "--out-dir", str(out), str(project)],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("*.whl")
    return wheel


# A module added to a copy of the notes service: at start-up (the lifespan's, so that importing
# it, as the import check does, writes nothing) it writes under $HOME, as real services do (a
# cache in ~/.local, say), and in the image's state directory, and says so on stdout. Through
# Starlette's lifespan a failed write is a failed start-up (`lifespan.startup.failed`), which
# ends the server: in an image whose user cannot write $HOME the service never answers.
_WRITES_AT_START = '''"""The notes service, writing under $HOME and $STATE_DIRECTORY at start-up."""

import contextlib
import os
from pathlib import Path

from notes_service.app import app

_serving = app.router.lifespan_context


@contextlib.asynccontextmanager
async def _writing_first(application):
    for place in (Path.home() / ".cache" / "notes-service", Path(os.environ["STATE_DIRECTORY"])):
        place.mkdir(parents=True, exist_ok=True)
        (place / "started").write_text(f"{os.getpid()}\\n")
        print(f"wrote {place / 'started'}", flush=True)
    async with _serving(application) as state:
        yield state


app.router.lifespan_context = _writing_first
'''
WRITES_AT_START = "notes_service.starting:app"


def writing_at_start(root: Path) -> None:
    """Make the notes service copied at `root` one that writes at start-up, and its images'
    app that one (the module is in the wheel it builds)."""
    (root / "src" / "notes_service" / "starting.py").write_text(_WRITES_AT_START)
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text()
    assert 'app = "notes_service.app:app"' in text
    pyproject.write_text(text.replace('"notes_service.app:app"', f'"{WRITES_AT_START}"'))
