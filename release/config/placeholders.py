"""Placeholders in the E2E table (pure): `{port}`, `{services.NAME.port}`, `{services.NAME.url}`,
`{setup.NAME}`, `{project}` and `{version}`.

Only a lowercase dotted name in braces is a placeholder, so JSON bodies (`{"a": 1}`) and shell
variables (`${HOME}`) pass as written; `{{name}}` stands for a literal `{name}`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from release.core.errors import ConfigError

_NAME = r"[a-z][a-z0-9_-]*(?:\.[a-z0-9][a-z0-9_-]*)*"
_TOKEN = re.compile(rf"\{{\{{({_NAME})\}}\}}|\{{({_NAME})\}}")
PLAIN = ("port", "project", "version")
HOST = "127.0.0.1"  # where every service of the stack listens (host networking)


def names(text: str) -> list[str]:
    """The placeholders `text` uses, in order (escaped ones are not placeholders)."""
    return [m[2] for m in _TOKEN.finditer(text) if m[2]]


def expand(text: str, values: Mapping[str, str]) -> str:
    """`text` with every placeholder replaced; one without a value is a ConfigError."""

    def one(match: re.Match[str]) -> str:
        if match[1]:
            return "{" + match[1] + "}"
        if match[2] not in values:
            raise unknown(match[2], text, values)
        return values[match[2]]

    return _TOKEN.sub(one, text)


def expand_all(texts: Iterable[str], values: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(expand(text, values) for text in texts)


def unknown(name: str, where: str, known: Iterable[str]) -> ConfigError:
    offered = ", ".join(f"{{{k}}}" for k in sorted(known)) or "none"
    return ConfigError(
        f"{where!r} uses the placeholder {{{name}}}, which is not known there",
        hint=f"known there: {offered}; write {{{{{name}}}}} for a literal {{{name}}}",
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
