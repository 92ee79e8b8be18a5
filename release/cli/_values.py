"""The types of the command line's values (pure): each refuses what it cannot take with a
message argparse prints as one line. An empty value is never "not given"."""

from __future__ import annotations

import argparse
from pathlib import Path

from release.core.errors import ReleaseError
from release.versioning.versions import parse_tag


def given(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError("an empty value is not allowed; give one or leave it out")
    return value


def path(value: str) -> Path:
    return Path(given(value))


def seconds(value: str) -> float:
    try:
        seconds = float(given(value))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive number of seconds")
    return seconds


EVENTS = ("push", "release", "workflow_dispatch")


def event(value: str) -> str:
    kind, colon, tag = given(value).partition(":")
    if kind not in EVENTS or (colon and not tag):
        raise argparse.ArgumentTypeError(f"{value!r} is not KIND[:TAG], KIND one of {EVENTS}")
    try:
        if tag:
            parse_tag(tag)
    except ReleaseError as exc:
        raise argparse.ArgumentTypeError(f"{tag!r}: {exc.message}") from None
    return value


def pair(value: str) -> tuple[str, str]:
    name, equals, text = given(value).partition("=")
    if not (name and equals):
        raise argparse.ArgumentTypeError(f"{value!r} is not NAME=VALUE")
    return name, text


def count(value: str) -> int:
    try:
        count = int(given(value))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if count < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is less than 1")
    return count
