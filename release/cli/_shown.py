"""What a stage command prints of its stage's result, by the kind of result its work returned:
a version checked, a build's files, an upload, a cell's checks, published images, a stack."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from release.core.verdicts import CheckOutcome, CheckStatus, left_running

if TYPE_CHECKING:
    from release.context import Run
    from release.pipeline.run import Ran
    from release.pipeline.stages import Stage


def show(args: argparse.Namespace, run: Run, ran: Ran, stage: Stage) -> str:
    """Print the result (a failed cell's checks too); what the job's summary notes of it."""
    _checks(ran.outcome.checks)
    result = ran.result
    if result is None:
        return ""
    for kind, printer in _PRINTERS:
        if isinstance(result, _kind(kind)):
            return printer(_Shown(args, run, stage), result) or ""
    return ""


@dataclasses.dataclass(frozen=True)
class _Shown:
    args: argparse.Namespace
    run: Run
    stage: Stage


def _kind(name: str) -> type[Any]:
    """The type, when its module is loaded: a result's module is, so nothing more is imported
    (`check` must stay quick)."""
    module, _, attribute = name.rpartition(".")
    found: type[Any] = getattr(sys.modules[module], attribute) if module in sys.modules else _Never
    return found


class _Never:
    """A result type whose module never loaded: nothing returned is one."""


def _checks(checks: Sequence[CheckOutcome]) -> None:
    for check in checks:
        detail = check.reason if check.status is CheckStatus.SKIPPED else f"{check.seconds:.1f} s"
        where = f"  log: {check.log}" if check.log else ""
        print(f"{check.status}: {check.name} ({detail}){where}")
        if check.leftovers:
            print(f"  {left_running(check.leftovers)}")


def _version(shown: _Shown, version: Any) -> None:
    from release.config.project import read_lock_dependents, version_sources
    from release.versioning.self_pins import stale_self_pins

    run = shown.run
    config, tag, expected = run.config, run.tag, run.expected_version
    static = config.version is not None
    agreeing = [config.origin, "uv.lock"] if static else ["uv.lock"]
    if tag:
        agreeing.append(f"tag {tag}" + ("" if static else " (the dynamic version)"))
    if expected:
        agreeing.append(f"expected {expected}")
    print(f"ok: {config.name} {version}: {', '.join(agreeing)} agree")
    lock = version_sources(config, tag, expected).lock
    dependents = read_lock_dependents(config.root, config.name)
    stale = stale_self_pins(config.name, lock, dependents, version.version)
    if stale:
        print(f"warning: {stale}")
    if not tag:
        print("note: no tag was checked (none given, none from CI, none at HEAD)")


def _built(_shown: _Shown, built: Any) -> None:
    for file in built.files:
        print(f"built {file.filename}  sha256:{file.sha256}  {file.size} bytes")


def _uploaded(_shown: _Shown, done: Any) -> str:
    for name in done.already:
        print(f"already published (identical): {name}")
    for name in done.sent:
        print(f"uploaded: {name}")
    print(f"credential: {done.credential}")
    print(f"attestations: {done.attestations}")
    print(f"ok: {done.index} lists every file with the expected sha256 ({done.waited:.1f} s)")
    return f"credential: {done.credential}; attestations: {done.attestations}"


def _cell(shown: _Shown, result: Any) -> None:
    where = shown.stage.index or "dist/"
    print(f"ok: {result.wheel} from {where} passes its checks on Python {shown.args.python}")


def _images(shown: _Shown, done: list[Any]) -> None:
    if shown.args.json:
        print(json.dumps([dataclasses.asdict(p) for p in done], indent=2))
        return
    for image in done:
        how = "published" if image.state == "pushed" else "already published (identical)"
        print(f"{how}: {', '.join(image.tags)}  {image.digest}")


def _stack(shown: _Shown, result: Any) -> None:
    for phase, seconds in result.phases().items():
        print(f"{phase}: {seconds:.1f} s")
    name = shown.stage.name
    where = shown.run.logs / name
    print(f"ok: the {name} stack passed in {result.seconds:.1f} s (logs: {where})")


_PRINTERS: tuple[tuple[str, Any], ...] = (
    ("release.versioning.versions.ReleaseVersion", _version),
    ("release.artifacts.manifest.Manifest", _built),
    ("release.upload.stage.Uploaded", _uploaded),
    ("release.validation.validate.CellResult", _cell),
    ("builtins.list", _images),
    ("release.e2e.stack.StackResult", _stack),
)
