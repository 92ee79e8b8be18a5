"""The commands that run a stage, made from the stage table (release.pipeline.stages): one per
command its rows name, with the options those rows fix (`--index`, `--stage`), --python for a
per-Python stage, and the option groups a row names (`Stage.options`, defined here)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias

from release.cli._values import path as _path
from release.cli._values import seconds as _seconds
from release.index import profiles as indexes
from release.pipeline.stages import Stage, commands, flags

if TYPE_CHECKING:
    Sub: TypeAlias = argparse._SubParsersAction[Any]

Parser = argparse.ArgumentParser


def stage_commands(sub: Sub, where: Parser) -> None:
    """A command per command of the stage table, taking what its stages' rows name: the options
    their commands fix (`--index`, `--stage`), --python for a per-Python stage, and the option
    groups of `Stage.options`."""
    for command, stages in commands().items():
        said = stages[0].doc if len(stages) == 1 else f"one of: {', '.join(s.name for s in stages)}"
        parser = sub.add_parser(command, parents=[where], help=said)
        fixed = _fixed(stages)
        for option, values in fixed.items():
            # the only option that tells the stages apart must be given
            parser.add_argument(f"--{option}", required=len(stages) > 1 and len(fixed) == 1,
                                **_values(option, values))  # fmt: skip
        if any(s.per_python for s in stages):
            parser.add_argument("--python", required=True, help="X.Y")
        for group in dict.fromkeys(g for s in stages for g in s.options):
            OPTION_GROUPS[group](parser)


def _values(option: str, values: list[str]) -> dict[str, Any]:
    """The choices of a fixed option; an index may also be one the project configures."""
    named = list(dict.fromkeys(values))
    if option == "index":
        return {"help": f"{', '.join(named)} or a configured index"}
    return {"choices": named, "help": ", ".join(named)}


def _fixed(stages: tuple[Stage, ...]) -> dict[str, list[str]]:
    """The options the stages' commands fix, each with its values in table order."""
    found: dict[str, list[str]] = {}
    for stage in stages:
        for option, value in flags(stage).items():
            found.setdefault(option.replace("_", "-"), []).append(value)
    return found


def _credential_first(command: Parser) -> None:
    command.add_argument("--index", help="check the credential for this index before building")
    _trusted_publishing(command)


def _prebuilt(command: Parser) -> None:
    command.add_argument(
        "--prebuilt", type=_path, metavar="DIR",
        help="take the wheels in DIR (cibuildwheel's, say), verified; build only the sdist here",
    )  # fmt: skip


def _upload(command: Parser) -> None:
    command.add_argument("--wait-budget", type=_seconds, help="seconds to wait for the listing")
    command.add_argument(
        "--allow-final-without-rc", action="store_true", help="publish a final with no rc (loudly)"
    )
    _trusted_publishing(command)


def _check_timeout(command: Parser) -> None:
    command.add_argument("--check-timeout", type=_seconds, help=CHECK_TIMEOUT)


def _images(command: Parser) -> None:
    command.add_argument("--json", action="store_true", help="print per variant: tags, digest, ...")
    command.add_argument("--after", type=_path, help="a lane report whose validation passed")


def _e2e(command: Parser) -> None:
    command.add_argument(
        "--pull-only", action="store_true",
        help="a stage after the images' push: only pull the published images (the step holding "
        "the password)",
    )  # fmt: skip
    no_cache(command)


def tag_options(command: Parser) -> None:
    command.add_argument("--tag", help="tag to check (default: CI tag, else the tag at HEAD)")
    command.add_argument("--expected-version", help="the version the caller expects")


def no_cache(command: Parser) -> None:
    command.add_argument(
        "--no-cache", action="store_true",
        help="build the E2E stack's images anew instead of reusing the engine's stack cache",
    )  # fmt: skip


def _trusted_publishing(command: Parser) -> None:
    command.add_argument(
        "--trusted-publishing",
        choices=[p.value for p in indexes.Policy],
        help="exchange the CI's identity token for an upload token: auto (default: when the CI "
        f"offers one, else the token variable), always, never ({indexes.TRUSTED_PUBLISHING_ENV})",
    )


CHECK_TIMEOUT = "seconds every check may run (default: each check's timeout, 1800)"
# The option groups a row of the stage table names (Stage.options).
OPTION_GROUPS: dict[str, Callable[[Parser], None]] = {
    "tag": tag_options, "credential-first": _credential_first, "prebuilt": _prebuilt,
    "publishing": _upload, "check-timeout": _check_timeout, "image-output": _images,
    "stack": _e2e,
}  # fmt: skip
