"""The readiness gate on a fake clock: a probe that passes late, one that never passes, a
container that dies, the stack's budget running out first — and the verify steps' variables."""

from __future__ import annotations

import pytest

from release.core.errors import CheckFailed
from release.core.progress import Progress
from release.e2e._probes import Answer
from release.e2e._readiness import Gate, wait_ready
from release.e2e.stack import verify_env
from tests.unit.fake_clock import FakeTime

MIGRATING = Answer(False, 'HTTP 503: {"detail": "applying migrations"}')
UP = Answer(True, 'HTTP 200: {"netbox-version": "4.2.0"}')


def gate(time: FakeTime, answers: list[Answer], **changes: object) -> Gate:
    """NetBox answering `answers` in turn (the last repeats), budget 60 s of a 600 s stack."""
    seen = list(answers)

    def look(_: float) -> Answer:
        return seen.pop(0) if len(seen) > 1 else seen[0]

    fields: dict[str, object] = {
        "service": "netbox", "what": "GET http://127.0.0.1:8080/api/status/", "budget": 60.0,
        "started": time.now, "stack_deadline": time.now + 600, "stack_budget": 600.0,
        "look": look, "exited": lambda: None,
    }  # fmt: skip
    return Gate(**{**fields, **changes})  # type: ignore[arg-type]


def test_the_gate_opens_at_the_first_passing_answer_after_growing_pauses() -> None:
    time, lines = FakeTime(now=100.0), list[str]()
    waited = wait_ready(
        gate(time, [MIGRATING] * 4 + [UP]), Progress(lines.append, background=False), time.clock
    )
    assert time.slept == pytest.approx([0.5, 0.8, 1.28, 2.048])
    assert waited == pytest.approx(sum(time.slept))
    assert [line.split("] ", 1)[1] for line in lines] == [
        'waiting for netbox: HTTP 503: {"detail": "applying migrations"} (0.0 s of 60 s)',
        "netbox is ready: GET http://127.0.0.1:8080/api/status/ (4.6 s of 60 s)",
    ]  # one line per change of answer, not one per look


def test_a_probe_that_never_passes_fails_at_its_budget_naming_the_last_answer() -> None:
    time = FakeTime(now=100.0)
    with pytest.raises(CheckFailed) as caught:
        wait_ready(gate(time, [MIGRATING]), Progress(quiet=True, background=False), time.clock)
    assert time.now - 100 == pytest.approx(60)  # never a pause past the deadline
    assert caught.value.message == (
        "netbox was not ready within its budget of 60 s (GET http://127.0.0.1:8080/api/status/);"
        ' its last answer: HTTP 503: {"detail": "applying migrations"}'
    )
    assert "raise budget for 'netbox'" in str(caught.value.hint)


def test_the_stacks_budget_ends_the_wait_when_it_runs_out_first() -> None:
    time = FakeTime(now=100.0)
    closing = gate(time, [MIGRATING], stack_deadline=time.now + 10)
    with pytest.raises(CheckFailed) as caught:
        wait_ready(closing, Progress(quiet=True, background=False), time.clock)
    assert time.now - 100 == pytest.approx(10)
    assert caught.value.message.startswith(
        "the E2E stack's budget of 600 s ran out while waiting for netbox"
    )


def test_a_container_that_exits_fails_at_once() -> None:
    time = FakeTime(now=100.0)
    died = gate(time, [MIGRATING], exited=lambda: "exited with 1: database unreachable")
    with pytest.raises(CheckFailed) as caught:
        wait_ready(died, Progress(quiet=True, background=False), time.clock)
    assert time.slept == []
    assert caught.value.message.startswith("netbox exited with 1: database unreachable")


def test_the_heartbeat_names_the_wait_and_its_budget() -> None:
    time, lines = FakeTime(now=100.0), list[str]()
    progress = Progress(lines.append, background=False, every=1.0, clock=lambda: time.now)
    answers = [MIGRATING] * 3 + [UP]

    def look(_: float) -> Answer:
        progress.beat()  # what the background heartbeat does meanwhile
        return answers.pop(0)

    with progress.activity("e2e_rc"):
        wait_ready(gate(time, [], look=look), progress, time.clock)
    beats = [line.split("] ", 1)[1] for line in lines if "still running" in line]
    assert beats == [
        (
            "still running: e2e_rc for 1.3 s (waiting for netbox: GET "
            "http://127.0.0.1:8080/api/status/ (budget 60 s), 1.3 s)"
        ),
        (
            "still running: e2e_rc for 2.6 s (waiting for netbox: GET "
            "http://127.0.0.1:8080/api/status/ (budget 60 s), 2.6 s)"
        ),
    ]


def test_verify_steps_get_every_service_and_setup_value() -> None:
    env = verify_env(
        {"netbox": 8080, "proxmox-mock": 41000},
        {"netbox-token": "0123abcd", "site": "dc1"},
        frozenset({"0123abcd"}),
    )
    assert env == {
        "E2E_NETBOX_URL": "http://127.0.0.1:8080",
        "E2E_NETBOX_PORT": "8080",
        "E2E_PROXMOX_MOCK_URL": "http://127.0.0.1:41000",
        "E2E_PROXMOX_MOCK_PORT": "41000",
        "E2E_SETUP_NETBOX_TOKEN": "0123abcd",
        "E2E_SECRET_NETBOX_TOKEN": "0123abcd",  # a name runner redacts, whatever the step's
        "E2E_SETUP_SITE": "dc1",
    }
