"""Waiting for an index to list what was uploaded, on a fake clock."""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice, pairwise

import pytest

from release.artifacts.manifest import DistFile, Manifest
from release.core.errors import IntegrityError, NotYetListed
from release.core.service import MAX_DELAY, delays
from release.index.simple_api import ListedFile
from release.upload._listing import wait_until_listed
from tests.unit.fake_clock import FakeTime

WHEEL = "proxbox_api-1.4.0rc1-py3-none-any.whl"
SDIST = "proxbox_api-1.4.0rc1.tar.gz"
MANIFEST = Manifest(
    "proxbox-api", "1.4.0rc1", (DistFile(WHEEL, "a" * 64, 10), DistFile(SDIST, "b" * 64, 20))
)
BOTH = [
    ListedFile(f.filename, f"https://files.example.invalid/{f.filename}", f.sha256)
    for f in MANIFEST.files
]
ONLY_WHEEL = BOTH[:1]


def looks(*answers: list[ListedFile]) -> Callable[[], list[ListedFile]]:
    """Each look gets the next answer; the last answer repeats."""
    remaining = list(answers)

    def look() -> list[ListedFile]:
        return remaining.pop(0) if len(remaining) > 1 else remaining[0]

    return look


def test_delays_start_at_half_a_second_grow_and_are_capped() -> None:
    pauses = list(islice(delays(), 40))
    assert pauses[0] == 0.5
    assert pauses[1] > pauses[0]
    assert all(b >= a for a, b in pairwise(pauses))
    assert max(pauses) == MAX_DELAY == 15
    assert pauses[-1] == 15


def test_everything_listed_on_the_first_look_returns_at_once() -> None:
    fake = FakeTime()
    messages: list[str] = []
    waited = wait_until_listed(
        looks(BOTH),
        MANIFEST,
        where="testpypi",
        budget=60,
        progress=messages.append,
        clock=fake.clock,
    )
    assert (waited, fake.slept, messages) == (0, [], [])


def test_keeps_looking_until_every_file_is_listed() -> None:
    fake = FakeTime()
    messages: list[str] = []
    waited = wait_until_listed(
        looks([], ONLY_WHEEL, BOTH),
        MANIFEST,
        where="testpypi",
        budget=60,
        progress=messages.append,
        clock=fake.clock,
    )
    assert fake.slept == pytest.approx([0.5, 0.8])
    assert waited == pytest.approx(sum(fake.slept))
    assert len(messages) == 2
    assert "testpypi" in messages[0]
    assert "2 file(s)" in messages[0]
    assert "1 file(s)" in messages[1]


@pytest.mark.parametrize("budget", [0.1, 3.0, 10.0, 100.0])
def test_gives_up_when_the_budget_is_spent_and_never_sleeps_past_it(budget: float) -> None:
    fake = FakeTime()
    with pytest.raises(NotYetListed) as caught:
        wait_until_listed(
            looks(ONLY_WHEEL),
            MANIFEST,
            where="testpypi",
            budget=budget,
            progress=lambda _: None,
            clock=fake.clock,
        )
    assert fake.slept
    assert sum(fake.slept) == pytest.approx(budget)
    assert sum(fake.slept) <= budget + 1e-9
    assert SDIST in caught.value.message
    assert WHEEL not in caught.value.message
    assert caught.value.exit_code == 1


def test_different_bytes_on_the_index_fail_at_once() -> None:
    fake = FakeTime()
    tampered = [ListedFile(WHEEL, BOTH[0].url, "f" * 64)]
    with pytest.raises(IntegrityError) as caught:
        wait_until_listed(
            looks(tampered),
            MANIFEST,
            where="testpypi",
            budget=60,
            progress=lambda _: None,
            clock=fake.clock,
        )
    assert fake.slept == []
    assert WHEEL in caught.value.message
