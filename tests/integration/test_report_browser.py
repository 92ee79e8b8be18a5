"""The report in a real browser: headless Chromium opens report.html offline and takes a
screenshot (kept beside the report, for a person to look at). Skipped, saying so, where no
Chromium is installed; .ci/run installs it."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from release.reporting.report_files import write_reports
from tests.unit.test_report_files import rehearsal

SIZE = (1200, 1600)


def browser() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip(
            "no Chromium here (apt-get install -y chromium): the report's screenshot is not taken"
        )
    return found


def test_chromium_renders_the_report_offline(tmp_path: Path) -> None:
    program = browser()
    page = write_reports(tmp_path / "report", rehearsal()) / "report.html"
    shot = tmp_path / "report" / "report.png"
    argv = [program, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={SIZE[0]},{SIZE[1]}",
            f"--screenshot={shot}", page.as_uri()]  # fmt: skip
    subprocess.run(argv, check=True, capture_output=True, timeout=120)
    header = shot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == SIZE
    assert shot.stat().st_size > 20_000  # a drawn page, not a blank one
