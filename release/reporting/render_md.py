"""report.md (pure): the state machine as a mermaid flowchart (GitHub renders it, and so do the
workflow's job summaries) with the path taken highlighted, then the failures, the path, and
every lane run's stages, files, images and E2E timeline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from release.core.verdicts import note
from release.pipeline.machine import STATES, TITLES, TRANSITIONS
from release.pipeline.stages import builder
from release.reporting import journey as j

_FILL = {"passed": "#1a7f37", "failed": "#cf222e", "skipped": "#9a6700", "interrupted": "#8250df"}


def markdown(data: Mapping[str, Any]) -> str:
    verdict = "passed" if data["passed"] else "failed"
    lines = [f"# {data['title']}: {verdict}", "", f"Wall time: {data['seconds']:.1f} s", ""]
    if data["injected"]:
        lines += [f"Injected failure: `--fail-at {data['injected']}` (not a real defect)", ""]
    lines += ["## Release state machine", "", *mermaid(data), ""]
    lines += [*_failures(data), *_crowded(data), *_path(data), *_audit(data["facts"])]
    lines += _drift(data)
    for run in data["runs"]:
        lines += _run(run)
    return "\n".join(lines).rstrip() + "\n"


def mermaid(data: Mapping[str, Any]) -> list[str]:
    """The whole machine; visited states coloured by result and annotated, taken moves thick."""
    seen, moved = j.visited(data), j.taken(data)
    lines = ["```mermaid", "flowchart TD"]
    for state in STATES:
        label = TITLES[state] + (f"<br/>{j.annotation(seen[state])}" if state in seen else "")
        lines.append(f'    s_{state}["{_safe(label)}"]')
    styles = []
    for number, (source, target, when) in enumerate(TRANSITIONS):
        arrow = f" -- {when} --> " if when else " --> "
        lines.append(f"    s_{source}{arrow}s_{target}")
        if (str(source), str(target)) in moved:
            styles.append(f"    linkStyle {number} stroke:#0969da,stroke-width:4px")
    lines += styles
    for status, colour in _FILL.items():
        lines.append(f"    classDef {status} fill:{colour},color:#fff,stroke:#000")
    lines.append("    classDef unvisited fill:#f6f8fa,color:#57606a,stroke-dasharray:4")
    for state in STATES:
        status = j.state_status(seen[state]) if state in seen else "unvisited"
        lines.append(f"    class s_{state} {status}")
        if any(result == "failed" for _, result in seen.get(state, [])):  # failed on a visit
            lines.append(f"    style s_{state} stroke:#cf222e,stroke-width:4px")
    return [*lines, "```"]


def _safe(text: str) -> str:
    return text.replace('"', "'")


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _failures(data: Mapping[str, Any]) -> list[str]:
    found = j.failures(data)
    if not found:
        return []
    lines = ["## Failures", ""]
    for run, outcome in found:
        injected = " (injected)" if outcome["injected"] else ""
        lines += [f"- **{run} {outcome['label']}**{injected}: {_cell(outcome['reason'])}"]
        if outcome["excerpt"]:
            lines += ["", "  ```", *(f"  {x}" for x in outcome["excerpt"].splitlines()), "  ```"]
    return [*lines, ""]


def _crowded(data: Mapping[str, Any]) -> list[str]:
    """Cells that failed beside other cells, with how they did alone (their verdict)."""
    found = j.crowded(data)
    if not found:
        return []
    lines = ["## Failed beside other cells, run again alone", ""]
    for run, o in found:
        first = o["beside"]
        said = f"alone {o['status']} (the verdict); beside other cells {first['status']}"
        lines.append(f"- **{run} {o['label']}**: {said}: {_cell(first['reason'])}")
        if first["excerpt"]:
            lines += ["", "  ```", *(f"  {x}" for x in first["excerpt"].splitlines()), "  ```"]
    return [*lines, ""]


def _path(data: Mapping[str, Any]) -> list[str]:
    lines = ["## Path taken", "", "| # | state | version | result | seconds | why |"]
    lines.append("|---|---|---|---|---|---|")
    for v in data["path"]:
        why = v["why"]
        result = v["status"] + (" (injected)" if v["injected"] else "")
        lines.append(f"| {v['step']} | {v['state']} | {v['version']} | {result} | "
                     f"{v['seconds']:.1f} | {_cell(why)} |")  # fmt: skip
    return [*lines, ""]


def _drift(data: Mapping[str, Any]) -> list[str]:
    if data["drift"] is None:
        return []
    if not data["drift"]:
        return ["## Drift", "", "none: the indexes and the registry agree", ""]
    return ["## Drift", "", *(f"- {_cell(line)}" for line in data["drift"]), ""]


def _run(run: Mapping[str, Any]) -> list[str]:
    lines = [f"## {run['name']}: {run['version']} ({run['target']} lane, {run['seconds']:.1f} s)"]
    lines += ["", *([run["why"], ""] if run["why"] else [])]
    lines += ["| stage | cell | status | seconds | reason |", "|---|---|---|---|---|"]
    for o in run["outcomes"]:
        lines += _rows(o)
        if o.get("beside"):  # its first run, beside other cells
            lines += _rows(o["beside"], " (beside other cells)")
    return [*lines, "", *_facts(run["facts"])]


def _rows(o: Mapping[str, Any], aside: str = "") -> list[str]:
    """A stage's or cell's row, then its checks' rows."""
    row = f"| {o['stage']}{aside} | {o['cell']} | {o['status']} | {o['duration']:.1f} | "
    lines = [row + f"{_cell(o['reason'])} |"]
    lines += [f"| ↳ check {c['name']} | {o['cell']} | {c['status']} | {c['seconds']:.1f} "
              f"| {_cell(note(c['reason'], c.get('leftovers', ())))} |"
              for c in o["checks"]]  # fmt: skip
    return lines


def _facts(facts: Mapping[str, Any]) -> list[str]:
    lines: list[str] = []
    build = facts.get(builder().name)
    if isinstance(build, Mapping):
        lines += ["Files:", ""] + [f"- `{f['filename']}` sha256 `{f['sha256']}`"
                                   for f in build["files"]] + [""]  # fmt: skip
    for image in j.pushed(facts):
        lines.append(f"- image {image['variant']}: {', '.join(image['tags'])} `{image['digest']}`")
    for stage, value in facts.items():
        if isinstance(value, Mapping) and "timeline" in value:
            steps = ", ".join(f"{e['phase']} {e['name']} {e['seconds']:.1f} s"
                              for e in value["timeline"])  # fmt: skip
            lines.append(f"- {stage} timeline: {steps}")
    return [*lines, ""] if lines else []


def _audit(facts: Mapping[str, Any]) -> list[str]:
    lines: list[str] = []
    if facts.get("staging_files"):
        lines += ["Still on the staging index:", "", *(f"- `{f}`" for f in facts["staging_files"])]
        lines.append("")
    if facts.get("image_tags"):
        lines += ["| pushed by | tag | digest now | moved |", "|---|---|---|---|"]
        lines += [f"| {t['run']} | `{t['tag']}` | `{t['now']}` | {'yes' if t['moved'] else 'no'} |"
                  for t in facts["image_tags"]]  # fmt: skip
        lines.append("")
    return lines
