"""The `schema` check: our settings schema is a valid JSON Schema, and the project's GitHub
workflow files parse and have the shape GitHub requires (`on` and `jobs`)."""

from __future__ import annotations

from pathlib import Path

import yaml

from release.config.settings import check_schema
from release.core.errors import CheckFailed

WORKFLOWS = Path(".github") / "workflows"


def check_project(root: Path) -> list[Path]:
    """Check the schema and every workflow under `root`; return the workflow files checked."""
    check_schema()
    files = sorted([*(root / WORKFLOWS).glob("*.yml"), *(root / WORKFLOWS).glob("*.yaml")])
    for path in files:
        check_workflow(path)
    return files


def check_workflow(path: Path) -> None:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CheckFailed(
            f"{path} is not valid YAML: {exc}", hint="fix the workflow file"
        ) from None
    # YAML 1.1 reads a bare `on:` key as the boolean True.
    if not isinstance(data, dict) or not ({"on", True} & data.keys()) or "jobs" not in data:
        raise CheckFailed(f"{path} lacks `on` or `jobs`", hint="a workflow needs both")
    for name, job in data["jobs"].items():
        if not isinstance(job, dict) or not ({"runs-on", "uses"} & job.keys()):
            raise CheckFailed(
                f"{path}: job {name!r} has neither runs-on nor uses", hint="add runs-on"
            )
