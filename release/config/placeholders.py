"""Placeholders (pure), one dialect for the E2E table and for every check's `run`.

The E2E table knows `{port}`, `{services.NAME.port}`, `{services.NAME.url}`, `{setup.NAME}`,
`{project}` and `{version}`; a check's `run` knows CHECK (release.validation.checks fills them).
Only a lowercase dotted name in braces is a placeholder, so JSON bodies (`{"a": 1}`) and shell
variables (`${HOME}`) pass as written; `{{name}}` stands for a literal `{name}`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable, Mapping, Sequence

from release.core.errors import ConfigError
from release.versioning.versions import quote

_NAME = r"[a-z][a-z0-9_-]*(?:\.[a-z0-9][a-z0-9_-]*)*"
_TOKEN = re.compile(rf"\{{\{{({_NAME})\}}\}}|\{{({_NAME})\}}")
PLAIN = ("port", "project", "version")
HOST = "127.0.0.1"  # where every service of the stack listens (host networking)
# A check's placeholders. These stand for one value anywhere in an argument...
CHECK_VALUES = ("python", "project", "tmp", "tests")
# ...these only for a whole argument, which each replaces by any number of arguments ({tests}
# too, as a whole argument: one per test directory's copy; inside a longer one, the first).
CHECK_ARGUMENTS = ("installed", "sources", "pytest-config")
CHECK = (*CHECK_VALUES, *CHECK_ARGUMENTS)


def names(text: str) -> list[str]:
    """The placeholders `text` uses, in order (escaped ones are not placeholders)."""
    return [m[2] for m in _TOKEN.finditer(text) if m[2]]


def expand(text: str, values: Mapping[str, str]) -> str:
    """`text` with every placeholder replaced; one without a value is a ConfigError."""

    def one(match: re.Match[str]) -> str:
        if match[1]:
            return "{" + match[1] + "}"
        if match[2] not in values:
            raise unknown(match[2], repr(text), values)
        return values[match[2]]

    return _TOKEN.sub(one, text)


def expand_all(texts: Iterable[str], values: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(expand(text, values) for text in texts)


def refuse_unknown(texts: Iterable[str], known: Collection[str], where: str) -> None:
    """ConfigError for the first placeholder in `texts` that is not `known` (before anything
    runs, so a typo cannot reach a command as a literal `{name}`)."""
    for name in (n for text in texts for n in names(text)):
        if name not in known:
            raise unknown(name, where, known)


def check_run(run: Sequence[str], where: str) -> None:
    """A check's `run` uses only CHECK, and those of CHECK_ARGUMENTS as whole arguments: left
    inside a longer one, they would reach the command as written."""
    refuse_unknown(run, CHECK, where)
    for arg in run:
        split = [n for n in names(arg) if n in CHECK_ARGUMENTS and arg != f"{{{n}}}"]
        if split:
            raise ConfigError(
                f"{where} uses {{{split[0]}}} inside the argument {quote(arg)}",
                hint=f"{{{split[0]}}} stands for any number of arguments: give it as an "
                "argument of its own",
            )


def unknown(name: str, where: str, known: Iterable[str]) -> ConfigError:
    """The refusal of `{name}` in `where` (a text, or who wrote it), with a did-you-mean."""
    offered = sorted(known)
    close = difflib.get_close_matches(name, offered, n=1)
    guess = f"did you mean {{{close[0]}}}? " if close else ""
    listed = ", ".join(f"{{{k}}}" for k in offered) or "none"
    return ConfigError(
        f"{where} uses the placeholder {{{name}}}, which is not known there",
        hint=f"{guess}known there: {listed}; write {{{{{name}}}}} for a literal {{{name}}}",
    )


def service_values(ports: Mapping[str, int]) -> dict[str, str]:
    """`services.NAME.port` and `services.NAME.url` of every service."""
    values: dict[str, str] = {}
    for name, port in ports.items():
        values[f"services.{name}.port"] = str(port)
        values[f"services.{name}.url"] = service_url(port)
    return values


def service_url(port: int) -> str:
    return f"http://{HOST}:{port}"


def setup_values(found: Mapping[str, str]) -> dict[str, str]:
    return {f"setup.{name}": value for name, value in found.items()}
