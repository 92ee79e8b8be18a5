"""What a local stand-in action sees of its job, and how it answers.

The same channels the real actions use through @actions/core: inputs arrive as `INPUT_*`
variables (each action.yml maps its `inputs` onto them, as a JavaScript action gets them),
outputs, variables and PATH entries go to the runner's files ($GITHUB_OUTPUT, $GITHUB_ENV,
$GITHUB_PATH), and messages are workflow commands on stdout (`::error::`, `::warning::`).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from release.core.errors import ActionFailed, ReleaseError

# @actions/core's getBooleanInput: YAML 1.2 core schema booleans, nothing else.
_TRUE = ("true", "True", "TRUE")
_FALSE = ("false", "False", "FALSE")


@dataclass(frozen=True)
class Job:
    environ: Mapping[str, str]

    # -- where the job runs

    @property
    def workspace(self) -> Path:
        return self._runner_path("GITHUB_WORKSPACE")

    @property
    def temp(self) -> Path:
        return self._runner_path("RUNNER_TEMP")

    @property
    def home(self) -> Path:
        return Path(self.environ.get("HOME") or Path.home())

    def _runner_path(self, name: str) -> Path:
        value = self.environ.get(name, "")
        if not value:
            raise ActionFailed(
                f"${name} is not set: this step must run inside a workflow job",
                hint="the local actions run under act (`staged-release rehearse --workflow`)",
            )
        return Path(value)

    def setting(self, name: str, *, needed_for: str) -> str:
        """A variable the rehearsal gives the job (the local repository, the artifacts)."""
        value = self.environ.get(name, "")
        if not value:
            raise ActionFailed(
                f"${name} is not set: the local {needed_for} needs it",
                hint="run the workflow through `staged-release rehearse --workflow`, "
                f"which sets {name} for act",
            )
        return value

    # -- inputs, read as @actions/core reads them

    def input(self, name: str) -> str:
        """`core.getInput`: the input's value, trimmed; "" when not given."""
        return self.environ.get("INPUT_" + name.upper().replace("-", "_"), "").strip()

    def lines(self, name: str) -> list[str]:
        """`core.getMultilineInput`: one entry per non-empty line, each trimmed."""
        return [line.strip() for line in self.input(name).splitlines() if line.strip()]

    def flag(self, name: str, default: bool = False) -> bool:
        """`core.getBooleanInput`: true/True/TRUE or false/False/FALSE; anything else fails."""
        value = self.input(name)
        if not value:
            return default
        if value in _TRUE or value in _FALSE:
            return value in _TRUE
        raise ActionFailed(
            f'Input does not meet YAML 1.2 "Core Schema" specification: {name} (got {value!r})',
            hint="Support boolean input list: `true | True | TRUE | false | False | FALSE`",
        )

    def truthy(self, name: str, default: str) -> bool:
        """How checkout and setup-uv read their switches: "true" in any case, else false."""
        return (self.input(name) or default).upper() == "TRUE"

    # -- answers

    def output(self, name: str, value: str) -> None:
        self._append("GITHUB_OUTPUT", f"{name}={value}")

    def export(self, name: str, value: str) -> None:
        """`core.exportVariable`: the variable holds for the job's later steps."""
        self._append("GITHUB_ENV", f"{name}={value}")

    def add_path(self, directory: Path | str) -> None:
        """`core.addPath`: first on PATH for the later steps (the last one added comes first)."""
        self._append("GITHUB_PATH", str(directory))

    def _append(self, file: str, line: str) -> None:
        if "\n" in line or "\r" in line:  # one line per entry: a newline would forge another
            raise ActionFailed(f"cannot write a value holding a line break to ${file}: {line!r}")
        with self._runner_path(file).open("a", encoding="utf-8") as out:
            out.write(line + "\n")


def info(message: str) -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


def warning(message: str) -> None:
    info(f"::warning::{_escape(message)}")


def fail(error: ReleaseError) -> None:
    """The step's error as the runner shows it (an annotation), then what to do about it."""
    info(f"::error::{_escape(error.message)}")
    if error.hint:
        info(f"hint: {error.hint}")


def _escape(data: str) -> str:
    # The runner's escaping of a workflow command's data (toolkit's escapeData).
    return data.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
