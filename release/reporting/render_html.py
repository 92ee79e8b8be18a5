"""report.html (pure): one self-contained page that opens offline — inline CSS, an inline SVG
drawn by release.reporting.render_svg, no script, no font, no link to any network. Read at a glance:
the verdict first, then what failed, the diagram, the path with durations as bars, and each lane
run's stages, checks, files, images and E2E timeline."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from release.core.verdicts import note
from release.pipeline.stages import builder
from release.reporting import journey as j
from release.reporting.render_svg import COLOURS, diagram

# The report pages' look (the workflow rehearsal's page uses it too).
STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#24292f;max-width:1100px}
h1{margin:0 0 4px}h2{margin-top:28px;border-bottom:1px solid #d0d7de}
.badge{display:inline-block;padding:2px 10px;border-radius:12px;color:#fff;font-weight:bold}
table{border-collapse:collapse;width:100%;margin:8px 0}
td,th{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f6f8fa}.num{text-align:right;white-space:nowrap}
.bar{background:#0969da;height:10px;border-radius:2px;min-width:1px}td:has(>.bar){width:22%}
.failure{border-left:6px solid #cf222e;background:#ffebe9;padding:6px 10px;margin:8px 0}
.crowded{border-left:6px solid #9a6700;background:#fff8c5;padding:6px 10px;margin:8px 0}
pre{background:#f6f8fa;padding:8px;overflow:auto;font-size:12px;max-height:320px}
code{font-size:12px}.check td:first-child{padding-left:22px}.muted{color:#57606a}
"""


def html(data: Mapping[str, Any]) -> str:
    verdict = "passed" if data["passed"] else "failed"
    body = [
        f"<h1>{escape(data['title'])}</h1>",
        f"<p>{_badge(verdict)} wall time {data['seconds']:.1f} s{_injected(data)}</p>",
        *_failures(data), *_crowded(data), *_drift(data),
        "<h2>Release state machine</h2>", diagram(data),
        *_path(data), *_audit(data["facts"]),
        *(line for run in data["runs"] for line in _run(run)),
    ]  # fmt: skip
    return page(f"{data['title']}: {verdict}", body)


def page(title: str, body: list[str]) -> str:
    """A report page: self-contained, its style inline, nothing linked."""
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f"<title>{escape(title)}</title>", f"<style>{STYLE}</style>",
        "</head>", "<body>", *body, "</body>", "</html>", "",
    ])  # fmt: skip


def _badge(verdict: str) -> str:
    return f'<span class="badge" style="background:{COLOURS[verdict]}">{verdict}</span>'


def _injected(data: Mapping[str, Any]) -> str:
    spec = data["injected"]
    return f" · failure injected on purpose: <code>--fail-at {escape(spec)}</code>" if spec else ""


def _status(status: str) -> str:
    colour = COLOURS.get(status, "#57606a")
    return f'<span style="color:{colour};font-weight:bold">{escape(status)}</span>'


def _failures(data: Mapping[str, Any]) -> list[str]:
    found = j.failures(data)
    if not found:
        return []
    lines = [f"<h2>Failures ({len(found)})</h2>"]
    for run, o in found:
        injected = " <em>(injected by --fail-at)</em>" if o["injected"] else ""
        where = f"<b>{escape(run)} {escape(o['label'])}</b>"
        lines.append(f'<div class="failure">{where}{injected}: {escape(o["reason"])}')
        if o["hint"]:
            lines.append(f'<div class="muted">hint: {escape(o["hint"])}</div>')
        if o["excerpt"]:
            lines.append(f"<pre>{escape(o['excerpt'])}</pre>")
        lines.append("</div>")
    return lines


def _crowded(data: Mapping[str, Any]) -> list[str]:
    """Cells that failed beside other cells, with how they did alone (their verdict)."""
    found = j.crowded(data)
    if not found:
        return []
    lines = [f"<h2>Failed beside other cells, run again alone ({len(found)})</h2>"]
    for run, o in found:
        first = o["beside"]
        where = f"<b>{escape(run)} {escape(o['label'])}</b>"
        lines.append(f'<div class="crowded">{where}: alone {_status(o["status"])} (the verdict)')
        lines.append(f"; beside other cells {_status(first['status'])}: {escape(first['reason'])}")
        if first["excerpt"]:
            lines.append(f"<pre>{escape(first['excerpt'])}</pre>")
        lines.append("</div>")
    return lines


def _drift(data: Mapping[str, Any]) -> list[str]:
    """`staged-release status`'s drift lines, when the run read them: each says what to do."""
    if data["drift"] is None:
        return []
    if not data["drift"]:
        return ['<h2 id="drift">Drift</h2>', "<p>none: the indexes and the registry agree</p>"]
    items = "".join(f"<li>{escape(line)}</li>" for line in data["drift"])
    return ['<h2 id="drift">Drift</h2>', f"<ul>{items}</ul>"]


def _seconds(seconds: float) -> str:
    return f'<span class="num">{seconds:.1f} s</span>'


def _bar(seconds: float, longest: float) -> str:
    width = 100.0 * seconds / longest if longest > 0 else 0.0
    return f'<div class="bar" style="width:{width:.1f}%"></div>'


def _table(
    head: Sequence[str], rows: Sequence[Sequence[str]], marks: Sequence[str] = ()
) -> list[str]:
    """A table of cells already in HTML; `marks`: each row's attributes (class, data-*)."""
    top = "<tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"
    body = [
        f"<tr{(' ' + mark) if mark else ''}>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>"
        for row, mark in itertools.zip_longest(rows, marks[: len(rows)], fillvalue="")
    ]
    return ["<table>", top, *body, "</table>"]


def _path(data: Mapping[str, Any]) -> list[str]:
    longest = max((v["seconds"] for v in data["path"]), default=0.0)
    rows = [
        [str(v["step"]), escape(v["title"]), _code(v["version"]),
         _status(v["status"]) + (" (injected)" if v["injected"] else ""),
         _seconds(v["seconds"]), _bar(v["seconds"], longest), escape(v["why"])]
        for v in data["path"]
    ]  # fmt: skip
    marks = [
        f'class="visit" data-state="{v["state"]}" data-version="{escape(v["version"])}" '
        f'data-status="{v["status"]}"'
        for v in data["path"]
    ]
    head = ("#", "state", "version", "result", "time", "", "why")
    return ["<h2>Path taken</h2>", *_table(head, rows, marks)]


def _code(text: object) -> str:
    return f"<code>{escape(str(text))}</code>"


def _run(run: Mapping[str, Any]) -> list[str]:
    outcomes: Sequence[Mapping[str, Any]] = run["outcomes"]
    longest = max((o["duration"] for o in outcomes), default=0.0)
    title = f"{escape(run['name'])}: {_code(run['version'])}"
    lines = [f"<h2>{title} ({escape(run['target'])} lane, {run['seconds']:.1f} s)</h2>"]
    if run["why"]:
        lines.append(f'<p class="muted">{escape(run["why"])}</p>')
    rows: list[list[str]] = []
    marks: list[str] = []
    for o in outcomes:
        _rows(o, o["label"], longest, rows, marks)
        if o.get("beside"):  # its first run, beside other cells
            _rows(o["beside"], f"{o['label']} beside other cells", longest, rows, marks)
    head = ("stage", "status", "time", "", "reason")
    return [*lines, *_table(head, rows, marks), *_facts(run["facts"])]


def _rows(
    o: Mapping[str, Any], label: str, longest: float, rows: list[list[str]], marks: list[str]
) -> None:
    """A stage's or cell's row, then its checks' rows."""
    rows.append(_row(label, o["status"], o["duration"], longest, o["reason"]))
    marks.append("")
    for c in o["checks"]:
        why = note(c["reason"], c.get("leftovers", ()))
        rows.append(_row(f"check {c['name']}", c["status"], c["seconds"], longest, why))
        marks.append('class="check"')


def _row(name: str, status: str, seconds: float, longest: float, reason: str) -> list[str]:
    return [escape(name), _status(status), _seconds(seconds), _bar(seconds, longest),
            escape(reason)]  # fmt: skip


def _facts(facts: Mapping[str, Any]) -> list[str]:
    lines: list[str] = []
    build = facts.get(builder().name)
    if isinstance(build, Mapping):
        files = [[_code(f["filename"]), _code(f["sha256"]), str(f["size"])] for f in build["files"]]
        lines += ["<h3>Files</h3>", *_table(("file", "sha256", "bytes"), files)]
    images = [
        [escape(i["variant"]), escape(", ".join(i["tags"])), _code(i["digest"])]
        for i in j.pushed(facts)
    ]
    if images:
        lines += ["<h3>Images</h3>", *_table(("variant", "tags", "digest"), images)]
    for stage, value in facts.items():
        if isinstance(value, Mapping) and "timeline" in value:
            lines += _timeline(stage, value["timeline"])
    return lines


def _timeline(stage: str, entries: Sequence[Mapping[str, Any]]) -> list[str]:
    longest = max((e["seconds"] for e in entries), default=0.0)
    rows = [
        [escape(e["phase"]), escape(e["name"]), _seconds(e["seconds"]),
         _bar(e["seconds"], longest)]
        for e in entries
    ]  # fmt: skip
    head = ("phase", "service or step", "time", "")
    return [f"<h3>{escape(stage)}: E2E timeline</h3>", *_table(head, rows)]


def _audit(facts: Mapping[str, Any]) -> list[str]:
    """The rules checked after the last lane: files never reused, version tags never moved."""
    lines: list[str] = []
    if facts.get("staging_files"):
        items = "".join(f"<li>{_code(f)}</li>" for f in facts["staging_files"])
        lines += ["<h3>Still on the staging index (TestPyPI stand-in)</h3>", f"<ul>{items}</ul>"]
    tags = [
        [escape(t["run"]), _code(t["tag"]), _code(t["now"]), "yes" if t["moved"] else "no"]
        for t in facts.get("image_tags") or []
    ]
    if tags:
        head = ("pushed by", "tag", "digest now", "moved")
        lines += ["<h3>Image tags now</h3>", *_table(head, tags)]
    return lines
