"""Readiness probes: which answers pass, what a failing one says, and the pauses between looks."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import accumulate, islice, pairwise

import pytest

from release.core.service import delays
from release.e2e._probes import (
    Answer,
    judge_command,
    judge_http,
    pause,
    unreachable,
)

STATUS = '{"django-version": "5.1", "netbox-version": "4.2.0", "python-version": "3.12"}'


@pytest.mark.parametrize(
    ("status", "body", "accepted", "key", "passed"),
    [
        (200, "ok", (), None, True),
        (204, "", (), None, True),
        (301, "", (), None, False),
        (503, "migrating", (), None, False),
        (404, "", (404,), None, True),
        (200, "ok", (204,), None, False),
        (200, STATUS, (), "netbox-version", True),
        (200, '{"status": "starting"}', (), "netbox-version", False),
        (200, "<html>netbox-version</html>", (), "netbox-version", False),
        (200, '["netbox-version"]', (), "netbox-version", False),
        (503, STATUS, (), "netbox-version", False),
    ],
)
def test_judge_http(
    status: int, body: str, accepted: tuple[int, ...], key: str | None, passed: bool
) -> None:
    assert judge_http(status, body, accepted, key).passed is passed


def test_a_failing_answer_says_what_the_service_said() -> None:
    assert judge_http(503, "applying\n migrations ", (), None) == Answer(
        False, "HTTP 503: applying migrations"
    )
    assert judge_http(200, "{}", (), "netbox-version").summary == (
        "HTTP 200: {} (no 'netbox-version' key in a JSON object)"
    )
    assert judge_http(502, "x" * 500, (), None).summary.endswith("...")
    assert len(judge_http(502, "x" * 500, (), None).summary) < 150


def test_judge_command() -> None:
    assert judge_command(0, "accepting connections\n") == Answer(
        True, "exit 0: accepting connections"
    )
    assert judge_command(2, "no response") == Answer(False, "exit 2: no response")
    assert judge_command(1, "") == Answer(False, "exit 1")
    assert unreachable("connection refused") == Answer(False, "no answer (connection refused)")


def test_delays_grow_to_a_cap_so_a_slow_migration_is_not_hammered() -> None:
    first = list(islice(delays(), 30))
    assert first[:3] == pytest.approx([0.5, 0.8, 1.28])
    assert all(a <= b for a, b in pairwise(first))
    assert max(first) == 15.0
    looks = 1 + next(i for i, total in enumerate(_running_sums(delays())) if total >= 1200)
    assert 80 < looks < 100  # a 20-minute NetBox migration: about 90 looks, not 6000


def test_a_pause_never_runs_past_the_deadline() -> None:
    assert pause(15.0, 2.5) == 2.5
    assert pause(0.5, 2.5) == 0.5
    assert pause(3.0, -1.0) == 0.0


def _running_sums(pauses: Iterator[float]) -> list[float]:
    return list(accumulate(islice(pauses, 1000)))
