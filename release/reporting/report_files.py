"""The one effect of the report: report.json, report.md and report.html, written into one
directory from the same data, so the three always agree."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from release.reporting import render_html, render_md
from release.reporting.journey import to_json

FILES = ("report.json", "report.md", "report.html")


def write_reports(folder: Path, data: Mapping[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    texts = (to_json(data), render_md.markdown(data), render_html.html(data))
    for name, text in zip(FILES, texts, strict=True):
        (folder / name).write_text(text, encoding="utf-8")
    return folder
