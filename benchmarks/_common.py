"""What every benchmark shares: timing, runs in pairs, the median, and one table shape.

A benchmark is a module `benchmarks/<name>.py` (no leading underscore) with
`main(argv: list[str] | None = None) -> int`; `nox -s bench` runs each in turn as
`python -m benchmarks.<name> ARGS`, `nox -s bench -- <name> [ARGS]` one of them. Each prints one
table: per figure, its median over several runs, the reference measured in the same run (the thing
the figure is compared with: the seed's cell, the floor of a step, one image variant), the ratio
and the target the issue sets for that ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


def median(seconds: Sequence[float]) -> float:
    return statistics.median(seconds)


def seconds(work: Callable[[], object]) -> float:
    """Wall-clock seconds `work` takes (its result is dropped)."""
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def timed(what: str, work: Callable[[], T]) -> T:
    """Run `work`, print how long it took, return its result."""
    started = time.perf_counter()
    result = work()
    print(f"{what}: {time.perf_counter() - started:.1f} s", flush=True)
    return result


def pairs(
    runs: int, figure: Callable[[], object], reference: Callable[[], object], label: str = ""
) -> tuple[list[float], list[float]]:
    """Time `figure` and `reference` `runs` times each, interleaved (figure, reference, figure,
    ...), so a machine that slows down mid-run (2 shared cores) weighs on both sides alike."""
    mine: list[float] = []
    theirs: list[float] = []
    for n in range(1, runs + 1):
        mine.append(seconds(figure))
        theirs.append(seconds(reference))
        print(f"  {label}run {n}/{runs}: {mine[-1]:.2f} s vs {theirs[-1]:.2f} s", flush=True)
    return mine, theirs


def interleaved(
    runs: int, figures: dict[str, Callable[[], object]], reference: Callable[[], object]
) -> dict[str, list[float]]:
    """Like `pairs` for several figures against one reference: one unmeasured round first
    (caches warm, bytecode written), then `runs` rounds of each figure and the reference in
    turn. Returns each figure's seconds and the reference's under "reference"."""
    works = {**figures, "reference": reference}
    for work in works.values():
        work()
    timed: dict[str, list[float]] = {name: [] for name in works}
    for n in range(1, runs + 1):
        for name, work in works.items():
            timed[name].append(seconds(work))
        shown = ", ".join(f"{name} {times[-1]:.2f} s" for name, times in timed.items())
        print(f"  run {n}/{runs}: {shown}", flush=True)
    return timed


@dataclass(frozen=True)
class Row:
    """One figure: its runs, the reference's runs (none: no reference, e.g. a step's floor given
    as one number in `floor`), and the most the ratio figure/reference may be."""

    name: str
    figure: Sequence[float]
    reference: Sequence[float] = ()
    target: float | None = None
    floor: float | None = None  # a fixed reference (seconds), when none is measured
    notes: str = field(default="")

    @property
    def base(self) -> float | None:
        return median(self.reference) if self.reference else self.floor

    @property
    def ratio(self) -> float | None:
        base = self.base
        return median(self.figure) / base if base else None

    @property
    def met(self) -> bool | None:
        ratio = self.ratio
        return None if ratio is None or self.target is None else ratio <= self.target


def table(title: str, rows: Sequence[Row]) -> str:
    """The figures as text: name, median (runs), reference median, ratio, target, met."""
    head = ("figure", "median s", "reference s", "ratio", "target", "")
    body = [head, *(_cells(row) for row in rows)]
    widths = [max(len(line[i]) for line in body) for i in range(len(head))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in body
    ]
    runs = [f"  {row.name}: {_runs(row.figure)} vs {_runs(row.reference)}" for row in rows]
    return "\n".join([title, *lines, "runs (figure vs reference):", *runs]).rstrip()


def _cells(row: Row) -> tuple[str, ...]:
    base, ratio, met = row.base, row.ratio, row.met
    return (
        row.name,
        f"{median(row.figure):.2f}",
        "-" if base is None else f"{base:.2f}",
        "-" if ratio is None else f"{ratio:.2f}x",
        "-" if row.target is None else f"<= {row.target:.2f}x",
        {None: "", True: "ok", False: "OVER"}[met] + (f" {row.notes}" if row.notes else ""),
    )


def _runs(seconds: Sequence[float]) -> str:
    return ", ".join(f"{s:.2f}" for s in seconds) or "-"


def parser(description: str | None, runs: int) -> argparse.ArgumentParser:
    """The argument parser every benchmark starts from: --runs N (pairs or repeats)."""
    made = argparse.ArgumentParser(description=description)
    made.add_argument("--runs", type=int, default=runs, help=f"runs per figure (default {runs})")
    return made
