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


# A module added to a copy of the notes service: it writes at start-up (the ASGI lifespan's, so
# that importing it, as the import check does, writes nothing), as real services do (a cache
# under ~, in ~/.local say), under $HOME and in the image's state directory, and says so on
# stdout. In an image whose user cannot write $HOME the service dies before it answers.
_WRITES_AT_START = '''"""The notes service, writing under $HOME and $STATE_DIRECTORY at start-up."""

import os
from pathlib import Path

from notes_service.app import app as notes


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        state = Path(os.environ["STATE_DIRECTORY"])
        for place in (Path.home() / ".cache" / "notes-service", state):
            place.mkdir(parents=True, exist_ok=True)
            (place / "started").write_text(f"{os.getpid()}\\n")
            print(f"wrote {place / 'started'}", flush=True)
    await notes(scope, receive, send)
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
