"""`staged-release rehearse`: one lane, the whole machine, or (--workflow) the release workflow
under act; each option that belongs to only one of them is refused by the others."""

from __future__ import annotations

import argparse
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from release.core.errors import UsageError
from release.pipeline.outcomes import Status


def cmd_rehearse(args: argparse.Namespace) -> int:
    from release.context import STATE_DIR
    from release.rehearsals.lane import Rehearsal, rehearse_final, rehearse_rc
    from release.reporting.journey import lane_journey

    if args.workflow:
        from release.cli._workflow import cmd_rehearse_workflow

        return cmd_rehearse_workflow(args)
    if args.event or args.input:
        raise UsageError("--event and --input belong to --workflow",
                         hint="run `staged-release rehearse --workflow --event ...`")  # fmt: skip
    if args.token_lifetime or args.clock_step or args.no_publisher:
        raise UsageError("--token-lifetime, --clock-step and --no-publisher belong to --workflow",
                         hint="they shape the index fronts of `rehearse --workflow`")  # fmt: skip
    if args.lane is None:
        return _rehearse_machine(args)
    if args.fail_at or args.post_fix:
        raise UsageError(
            "--fail-at and --post-fix belong to the whole machine, not to one lane",
            hint=f"run `staged-release rehearse` without {args.lane!r}",
        )
    project = args.project.resolve()
    report = args.report or project / STATE_DIR / f"rehearse-{args.lane}.json"
    plan = Rehearsal(
        project, report, args.dependency_index, args.jobs, args.check_timeout, args.tag,
        args.no_cache,
    )  # fmt: skip
    rehearse = rehearse_final if args.lane == "final" else rehearse_rc
    started = time.monotonic()
    result = rehearse(plan, args.progress)
    print(result.table())
    for failed in (o for o in result.outcomes if o.hint and o.status is Status.FAILED):
        print(f"hint ({failed.label}): {failed.hint}")
    print(f"report: {report}")
    if args.report_dir:
        _write_reports(args.report_dir, lane_journey(result, time.monotonic() - started))
    return result.exit_code


def _rehearse_machine(args: argparse.Namespace) -> int:
    from release.context import STATE_DIR
    from release.rehearsals.lane import Rehearsal
    from release.rehearsals.machine import Machine, rehearse_machine

    project = args.project.resolve()
    folder = args.report_dir or project / STATE_DIR / "report"
    plan = Rehearsal(
        project, folder / "report.json", args.dependency_index, args.jobs, args.check_timeout,
        args.tag, args.no_cache,
    )  # fmt: skip
    data = rehearse_machine(Machine(plan, args.fail_at, args.post_fix), args.progress)
    for visit in data["path"]:
        injected = " (injected)" if visit["injected"] else ""
        print(f"{visit['step']:>2}  {visit['state']:<17} {visit['version']:<14} "
              f"{visit['status']}{injected}  {visit['why']}".rstrip())  # fmt: skip
    for run in data["runs"]:
        for o in (o for o in run["outcomes"] if o["status"] == Status.FAILED):
            print(f"failed ({run['name']} {o['label']}): {o['reason']}")
    _write_reports(folder, data)
    print(f"report: {folder / 'report.html'}")
    return int(data["exit_code"])


def _write_reports(folder: Path, data: Mapping[str, Any]) -> None:
    from release.reporting.report_files import FILES, write_reports

    write_reports(folder, data)
    print(f"reports: {', '.join(str(folder / name) for name in FILES)}")
