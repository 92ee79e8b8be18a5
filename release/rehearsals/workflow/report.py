"""The workflow rehearsal's report (pure renderers, one effect at the end): report.json,
report.md and report.html from one data, in the form the whole machine's has. Failures first:
the failed job, its log's tail and the local command that reproduces it; then each event's jobs
in workflow order (ran or skipped, and why), the audit and the trusted-publishing exchanges."""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

from release.reporting.render_html import page

FILES = ("report.json", "report.md", "report.html")
_COLOUR = {"success": "#1a7f37", "failure": "#cf222e", "skipped": "#57606a"}


def write(folder: Path, data: Mapping[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    texts = (json.dumps(data, indent=2) + "\n", markdown(data), html(data))
    for name, text in zip(FILES, texts, strict=True):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def failures(data: Mapping[str, Any]) -> list[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """(event, job) for every failed job, in the order they ran."""
    return [(e, j) for e in data["events"] for j in e["jobs"] if j["status"] == "failure"]


def _verdict(data: Mapping[str, Any]) -> str:
    return "passed" if data["passed"] else "failed"


def markdown(data: Mapping[str, Any]) -> str:
    lines = [f"# {data['title']}", "", f"**{_verdict(data)}** in {data['seconds']:.1f} s, "
             f"`{data['workflow']}` of {data['repository']}" + _injected(data), ""]  # fmt: skip
    for event, job in failures(data):
        lines += [f"## Failed: {job['name']} ({event['label']})", "",
                  f"- failed step: `{job['failed_step']}`", f"- log: `{job.get('log', '')}`",
                  f"- reproduce: `{job['reproduce']}`", "", "```",
                  *job.get("tail", []), "```", ""]  # fmt: skip
    for event in data["events"]:
        lines += _event_md(event)
    lines += ["## Audit", "", "| rule | ok | detail |", "|---|---|---|"]
    lines += [f"| {c['rule']} | {'yes' if c['ok'] else 'NO'} | {c['detail']} |"
              for c in data["audit"]]  # fmt: skip
    lines += ["", *_exchanges_md(data), *_github_md(data)]
    return "\n".join(lines) + "\n"


def _runs(data: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """GitHub's API stand-in's runs, oldest first: (run, event, tag, conclusion)."""
    runs = sorted((data.get("github") or {}).get("runs", []), key=lambda r: int(r["id"]))
    return [(str(r["id"]), r["event"], r["head_branch"], r["conclusion"] or r["status"])
            for r in runs]  # fmt: skip


def _releases(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list((data.get("github") or {}).get("releases", []))


def _release_title(release: Mapping[str, Any]) -> str:
    kind = " (pre-release)" if release.get("prerelease") else ""
    return f"GitHub Release {release.get('tag_name')}{kind}: {release.get('name')}"


def _github_md(data: Mapping[str, Any]) -> list[str]:
    lines = ["## GitHub's API: the release workflow's runs", "",
             "| run | event | tag | conclusion |", "|---|---|---|---|"]  # fmt: skip
    lines += ["| " + " | ".join(row) + " |" for row in _runs(data)]
    for release in _releases(data):
        lines += ["", f"## {_release_title(release)}", "", str(release.get("body", "")),
                  "| asset | bytes | sha256 |", "|---|---|---|"]  # fmt: skip
        lines += [f"| {a['name']} | {a['size']} | `{a['sha256']}` |" for a in release["assets"]]
    return [*lines, ""]


def _github_html(data: Mapping[str, Any]) -> list[str]:
    cells = [
        "<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>" for row in _runs(data)
    ]
    lines = ["<h2>GitHub's API: the release workflow's runs</h2>",
             "<table><tr><th>run</th><th>event</th><th>tag</th><th>conclusion</th></tr>",
             *cells, "</table>"]  # fmt: skip
    for release in _releases(data):
        assets = [
            f'<tr><td>{escape(a["name"])}</td><td class="num">{a["size"]}</td>'
            f"<td><code>{escape(a['sha256'])}</code></td></tr>"
            for a in release["assets"]
        ]
        lines += [f"<h2>{escape(_release_title(release))}</h2>",
                  f"<pre>{escape(str(release.get('body', '')))}</pre>",
                  "<table><tr><th>asset</th><th>bytes</th><th>sha256</th></tr>", *assets,
                  "</table>"]  # fmt: skip
    return lines


def _injected(data: Mapping[str, Any]) -> str:
    return f" (failure injected: `--fail-at {data['injected']}`)" if data["injected"] else ""


def _event_md(event: Mapping[str, Any]) -> list[str]:
    head = f"## Event {event['number']}: {event['label']} ({event['sha'][:12]})"
    state = "passed" if event["passed"] else "failed"
    lines = [head, "", f"{state} in {event['seconds']:.1f} s (act exit {event['act_exit']})", ""]
    lines += ["| job | result | seconds | why / reproduce | noted |", "|---|---|---|---|---|"]
    for job in event["jobs"]:
        why = job["why"] or f"`{job['reproduce']}`"
        noted = job.get("note", "").replace("|", "\\|")
        lines.append(
            f"| {job['name']} | {job['status']} | {job['seconds']:.1f} | {why} | {noted} |"
        )
    return [*lines, ""]


def _exchanges_md(data: Mapping[str, Any]) -> list[str]:
    rows = data.get("exchanges", [])
    if not rows:
        return []
    head = ["| " + " | ".join(_EXCHANGE) + " |", "|---" * len(_EXCHANGE) + "|"]
    lines = ["## Trusted publishing", "", *head]
    lines += ["| " + " | ".join(str(r.get(k, "")) for k in _EXCHANGE) + " |" for r in rows]
    return [*lines, ""]


def html(data: Mapping[str, Any]) -> str:
    verdict = _verdict(data)
    colour = _COLOUR["success" if data["passed"] else "failure"]
    body = [
        f"<h1>{escape(data['title'])}</h1>",
        (f'<p><span class="badge" style="background:{colour}">{verdict}</span> '
        f"wall time {data['seconds']:.1f} s · <code>{escape(data['workflow'])}</code> of "
        f"{escape(data['repository'])}{escape(_injected(data))}</p>"),
        *_failures_html(data),
        *(line for event in data["events"] for line in _event_html(event)),
        *_audit_html(data), *_exchanges_html(data), *_github_html(data),
    ]  # fmt: skip
    return page(f"{data['title']}: {verdict}", body)


def _failures_html(data: Mapping[str, Any]) -> list[str]:
    found = failures(data)
    if not found:
        return []
    lines = [f"<h2>Failures ({len(found)})</h2>"]
    for event, job in found:
        lines += [
            '<div class="failure">',
            (f"<b>{escape(job['name'])}</b> in the {escape(event['label'])} failed at step "
            f"<code>{escape(job['failed_step'])}</code>"),
            (f"<br>reproduce locally: <code>{escape(job['reproduce'])}</code>"
            f"<br>log: <code>{escape(job.get('log', ''))}</code>"),
            f"<pre>{escape(chr(10).join(job.get('tail', [])))}</pre>", "</div>",
        ]  # fmt: skip
    return lines


def _event_html(event: Mapping[str, Any]) -> list[str]:
    state = "success" if event["passed"] else "failure"
    longest = max([j["seconds"] for j in event["jobs"]] + [1.0])
    rows = [
        f"<tr><td>{escape(j['name'])}</td><td>{_status(j['status'])}</td>"
        f'<td class="num">{j["seconds"]:.1f} s</td>'
        f'<td><div class="bar" style="width:{100 * j["seconds"] / longest:.0f}%"></div></td>'
        f"<td>{_why(j)}</td><td>{escape(j.get('note', ''))}</td></tr>"
        for j in event["jobs"]
    ]
    return [
        f"<h2>Event {event['number']}: {escape(event['label'])}</h2>",
        (f"<p>{_status(state)} in {event['seconds']:.1f} s · commit "
        f"<code>{escape(event['sha'][:12])}</code> · act exit {event['act_exit']}</p>"),
        ("<table><tr><th>job</th><th>result</th><th>time</th><th></th><th>why / reproduce</th>"
         "<th>noted</th></tr>"), *rows, "</table>",
    ]  # fmt: skip


def _why(job: Mapping[str, Any]) -> str:
    if job["why"]:
        return f'<span class="muted">{escape(job["why"])}</span>'
    return f"<code>{escape(job['reproduce'])}</code>"


def _status(status: str) -> str:
    colour = _COLOUR.get(status, "#57606a")
    return f'<span style="color:{colour};font-weight:bold">{escape(status)}</span>'


def _audit_html(data: Mapping[str, Any]) -> list[str]:
    rows = [
        f"<tr><td>{escape(c['rule'])}</td><td>{_status('success' if c['ok'] else 'failure')}"
        f"</td><td>{escape(c['detail'])}</td></tr>"
        for c in data["audit"]
    ]
    head = "<table><tr><th>rule</th><th>held</th><th>detail</th></tr>"
    return ["<h2>Audit of the stand-ins</h2>", head, *rows, "</table>"]


def _exchanges_html(data: Mapping[str, Any]) -> list[str]:
    rows = [
        "<tr>" + "".join(f"<td>{escape(str(r.get(k, '')))}</td>" for k in _EXCHANGE) + "</tr>"
        for r in data.get("exchanges", [])
    ]
    if not rows:
        return []
    head = "".join(f"<th>{k}</th>" for k in _EXCHANGE)
    return ["<h2>Trusted publishing</h2>", f"<table><tr>{head}</tr>", *rows, "</table>"]


_EXCHANGE = ("index", "job", "kind", "outcome", "detail")
