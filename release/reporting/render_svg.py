"""The state machine as an inline SVG (pure), drawn by our own code so report.html opens offline:
every state a box at a fixed place, every transition an arrow; the visited states filled with
their result's colour and annotated with each visit's version and result, the moves taken thick.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape
from typing import Any, Final

from release.pipeline.machine import (
    BUMP,
    DONE,
    NEXT_RC,
    POST_FIX,
    STATES,
    TITLES,
    TRANSITIONS,
    State,
    lane_states,
)  # fmt: skip
from release.pipeline.stages import Target
from release.reporting import journey as j

WIDTH = 1000
BOX_W, BOX_H = 230, 58
COLOURS: Final = {
    "passed": "#1a7f37", "failed": "#cf222e", "skipped": "#9a6700", "interrupted": "#8250df",
}  # fmt: skip
TAKEN, IDLE = "#0969da", "#afb8c1"


def _places() -> dict[State, tuple[int, int]]:
    """Centre of each state's box: the rc lane down the left, the PyPI lane down the right (done
    below it), each lane's fix-forward step beside its middle, the bump above the rc lane."""
    places = {BUMP: (140, 45)}
    for x, states in ((140, lane_states(Target.TESTPYPI)), (650, lane_states(Target.PYPI))):
        places.update({state: (x, 145 + 100 * row) for row, state in enumerate(states)})
    rc, final = lane_states(Target.TESTPYPI), lane_states(Target.PYPI)
    places[NEXT_RC] = (395, places[rc[len(rc) // 2]][1])
    places[POST_FIX] = (880, places[final[len(final) // 2]][1])
    places[DONE] = (650, places[final[-1]][1] + 100)
    return places


PLACES: Final = _places()
HEIGHT = max(y for _, y in PLACES.values()) + 55


def diagram(data: Mapping[str, Any]) -> str:
    seen, moved = j.visited(data), j.taken(data)
    edges = [_edge(s, t, (str(s), str(t)) in moved) for s, t, _ in TRANSITIONS]
    nodes = [_node(state, seen.get(str(state))) for state in STATES]
    size = f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}"'
    return "\n".join([
        f'<svg {size} role="img" aria-label="release state machine">',
        "<defs>", _marker("idle", IDLE), _marker("taken", TAKEN), "</defs>",
        *edges, *nodes, "</svg>",
    ])  # fmt: skip


def _marker(name: str, colour: str) -> str:
    return (f'<marker id="arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
            f'fill="{colour}"/></marker>')  # fmt: skip


def _node(state: State, visits: list[tuple[str, str]] | None) -> str:
    x, y = PLACES[state]
    left, top = x - BOX_W // 2, y - BOX_H // 2
    if visits is None:
        look, fill, ink = 'class="state unvisited"', "#f6f8fa", "#57606a"
        note = ""
    else:
        status = j.state_status(visits)
        look = f'class="state visited {status}" data-result="{" ".join(s for _, s in visits)}"'
        fill, ink, note = COLOURS[status], "#ffffff", j.annotation(visits)
    edge = ' stroke-dasharray="4 3"' if visits is None else ""
    if visits is not None and any(s == "failed" for _, s in visits):  # an earlier visit failed
        edge = f' stroke="{COLOURS["failed"]}" stroke-width="4"'
    else:
        edge += ' stroke="#24292f"'
    box = f'x="{left}" y="{top}" width="{BOX_W}" height="{BOX_H}" rx="8" fill="{fill}"'
    text = f'x="{x}" text-anchor="middle" fill="{ink}"'
    title, line = escape(_fit(TITLES[state])), escape(_fit(note))
    return "\n".join([
        f'<g {look} data-state="{state}">',
        f"<rect {box}{edge}/>",
        f'<text {text} y="{y - 6}" font-size="12" font-weight="bold">{title}</text>',
        f'<text {text} y="{y + 14}" font-size="11">{line}</text>',
        "</g>",
    ])  # fmt: skip


def _fit(text: str, room: int = 36) -> str:
    return text if len(text) <= room else text[: room - 1] + "…"


def _edge(source: State, target: State, taken: bool) -> str:
    """A gentle curve from box to box; a move and its reverse bend to opposite sides."""
    (x1, y1), (x2, y2) = _border(source, target), _border(target, source)
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    bend = 18.0
    cx, cy = mx - (y2 - y1) / length * bend, my + (x2 - x1) / length * bend
    colour, width, name = (TAKEN, 3, "taken") if taken else (IDLE, 1.5, "idle")
    mark = ' class="move taken"' if taken else ' class="move"'
    return (f'<path{mark} data-move="{source}->{target}" d="M{x1:.0f},{y1:.0f} '
            f'Q{cx:.0f},{cy:.0f} {x2:.0f},{y2:.0f}" fill="none" stroke="{colour}" '
            f'stroke-width="{width}" marker-end="url(#arrow-{name})"/>')  # fmt: skip


def _border(state: State, towards: State) -> tuple[float, float]:
    """Where the line from `state`'s centre towards the other's leaves its box."""
    (x, y), (tx, ty) = PLACES[state], PLACES[towards]
    dx, dy = tx - x, ty - y
    scale = min(
        (BOX_W / 2) / abs(dx) if dx else math.inf, (BOX_H / 2) / abs(dy) if dy else math.inf
    )
    return x + dx * scale, y + dy * scale
