"""Readiness probes (pure): whether an answer passes, what to say about one that does not, and
when to look again.

A probe looks at once, then after growing pauses (release.core.service's: 0.5 s, x1.6, at most
15 s), so a quick service is seen at once and a NetBox migrating for twenty minutes is asked
~100 times.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

_SHOWN = 120  # characters of a body quoted in an answer


@dataclass(frozen=True)
class Answer:
    passed: bool
    summary: str  # what the service said, for progress lines and the error ("HTTP 503: ...")


def pause(delay: float, left: float) -> float:
    """How long to sleep before the next look: the backoff, but never past the deadline."""
    return max(0.0, min(delay, left))


def judge_http(status: int, body: str, accepted: tuple[int, ...], json_key: str | None) -> Answer:
    """An HTTP answer passes with an accepted status (any 2xx when none are listed) and, when a
    key is asked for, a JSON object body holding that key."""
    said = f"HTTP {status}" + (f": {_quote(body)}" if body.strip() else "")
    if not (status in accepted if accepted else 200 <= status < 300):
        return Answer(False, said)
    if json_key is not None and json_key not in _object(body):
        return Answer(False, f"{said} (no {json_key!r} key in a JSON object)")
    return Answer(True, said)


def judge_command(code: int, output: str) -> Answer:
    said = f"exit {code}" + (f": {_quote(output)}" if output.strip() else "")
    return Answer(code == 0, said)


def unreachable(why: str) -> Answer:
    return Answer(False, f"no answer ({why})")


def _object(body: str) -> dict[str, object]:
    try:
        loaded = json.loads(body)
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _SHOWN else flat[: _SHOWN - 3] + "..."
