"""The report's three files, rendered from one rehearsal's data: they agree on the path, the
page is self-contained HTML, and its diagram marks exactly the states the path visited."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from release.core.verdicts import CheckOutcome, CheckStatus
from release.pipeline.machine import STATES, LaneRun, derive
from release.pipeline.outcomes import Outcome, Status, ran_alone
from release.pipeline.stages import Target
from release.reporting.journey import journey
from release.reporting.report_files import write_reports
from tests.unit.test_machine import fix_forward_runs, lane

VOID = {"meta", "br", "hr", "img", "input", "link", "path", "rect", "stop"}


class Page(HTMLParser):
    """Parses the page, checking that every element closes, and collects what the tests read."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.errors: list[str] = []
        self.references: list[str] = []  # every src and href
        self.tags: set[str] = set()
        self.svg_states: dict[str, str] = {}  # data-state -> class, inside the SVG
        self.visits: list[tuple[str, str, str]] = []  # the path table's rows
        self.in_svg = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        self.tags.add(tag)
        self.references += [v for k, v in found.items() if k in ("src", "href")]
        if tag == "svg":
            self.in_svg = True
        if self.in_svg and tag == "g" and "data-state" in found:
            self.svg_states[found["data-state"]] = found.get("class", "")
        if tag == "tr" and "visit" in found.get("class", ""):
            self.visits.append((found["data-state"], found["data-version"], found["data-status"]))
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.references += [v or "" for k, v in attrs if k in ("src", "href")]

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.in_svg = False
        if tag in VOID:
            return
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
            return
        self.open.pop()


def rehearsal() -> dict[str, Any]:
    runs = fix_forward_runs()
    drift = ["registry: latest is 1.0.0, PyPI says 1.0.0.post1"]
    return journey("rehearse", runs, derive(runs, "1.0.0rc1"), {}, {}, exit_code=0, seconds=9.0,
                   injected="validate_rc:3.12", drift=drift)  # fmt: skip


def written(tmp_path: Path) -> tuple[dict[str, Any], str, str]:
    folder = write_reports(tmp_path / "report", rehearsal())
    return (json.loads((folder / "report.json").read_text()), (folder / "report.md").read_text(),
            (folder / "report.html").read_text())  # fmt: skip


def markdown_path(text: str) -> list[tuple[str, str, str]]:
    section = text.split("## Path taken", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:-1] for line in section.splitlines() if re.match(r"\| \d+ \|", line)]
    return [(r[1].strip(), r[2].strip(), r[3].strip().removesuffix(" (injected)")) for r in rows]


def test_the_three_files_agree_on_the_path(tmp_path: Path) -> None:
    data, md, html = written(tmp_path)
    path = [(v["state"], v["version"], v["status"]) for v in data["path"]]
    page = Page()
    page.feed(html)
    assert path[4] == ("rc_checks", "1.0.0rc1", "failed")
    assert markdown_path(md) == path
    assert page.visits == path


def test_the_page_parses_and_references_nothing_outside_itself(tmp_path: Path) -> None:
    _, _, html = written(tmp_path)
    page = Page()
    page.feed(html)
    page.close()
    assert page.errors == []
    assert page.open == []
    assert not [r for r in page.references if "http" in r or "//" in r]
    assert not {"script", "link", "img", "iframe"} & page.tags  # nothing fetched, nothing run
    assert "failure injected on purpose" in html
    assert html.index("Failures") < html.index("<svg")  # the failed things first


def test_the_diagram_marks_exactly_the_visited_states(tmp_path: Path) -> None:
    data, md, html = written(tmp_path)
    page = Page()
    page.feed(html)
    visited = {v["state"] for v in data["path"]}
    assert set(page.svg_states) == set(STATES)  # the whole machine is drawn
    marked = {s for s, look in page.svg_states.items() if "visited" in look.split()}
    assert marked == visited
    assert "failed" not in page.svg_states["rc_checks"]  # rc2's checks passed: the last visit
    assert "1.0.0rc1 ✗ · 1.0.0rc2 ✓" in html
    mermaid = md.split("```mermaid", 1)[1].split("```", 1)[0]
    classed = dict(re.findall(r"class s_(\w+) (\w+)", mermaid))
    assert {s for s, look in classed.items() if look != "unvisited"} == visited


def test_the_drift_lines_have_their_place(tmp_path: Path) -> None:
    _, md, html = written(tmp_path)
    assert "latest is 1.0.0, PyPI says 1.0.0.post1" in md
    assert 'id="drift"' in html


def test_a_cell_run_again_alone_shows_both_runs_and_what_a_check_left_running(
    tmp_path: Path,
) -> None:
    left = CheckOutcome("tests", CheckStatus.PASSED, 2.0, "", "", ("sleep 600",))
    crowded = CheckOutcome("tests", CheckStatus.FAILED, 2.0, "", "lock held by another cell")
    first = Outcome("validate_rc", "3.12", Status.FAILED, 5.0, "check 'tests' failed", 1,
                    checks=(crowded,))  # fmt: skip
    solo = Outcome("validate_rc", "3.12", Status.PASSED, 4.0, checks=(left,))
    outcomes = [ran_alone(first, solo) if o.label == "validate_rc-3.12" else o
                for o in lane(Target.TESTPYPI)]  # fmt: skip
    runs = [LaneRun("rc", Target.TESTPYPI, "1.0.0rc1", outcomes)]
    data = journey("rehearse rc", runs, derive(runs), {}, {}, exit_code=0, seconds=9.0)
    folder = write_reports(tmp_path / "report", data)
    md, html = (folder / "report.md").read_text(), (folder / "report.html").read_text()
    cell = next(o for o in data["runs"][0]["outcomes"] if o["label"] == "validate_rc-3.12")
    assert (cell["status"], cell["reason"]) == ("passed", "failed beside other cells, passed alone")
    assert cell["beside"]["status"] == "failed"
    assert "**rc validate_rc-3.12**: alone passed (the verdict); beside other cells failed" in md
    assert "| validate_rc (beside other cells) | 3.12 | failed | 5.0 | check 'tests' failed |" in md
    assert "| ↳ check tests | 3.12 | failed | 2.0 | lock held by another cell |" in md
    assert "left 1 process running, stopped: sleep 600" in md
    assert "validate_rc-3.12 beside other cells" in html
    assert "left 1 process running, stopped: sleep 600" in html
    page = Page()
    page.feed(html)
    assert page.errors == []
