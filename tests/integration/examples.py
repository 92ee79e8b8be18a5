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
