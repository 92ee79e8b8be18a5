"""The images stage's parts, each on its own, for whoever times or composes them apart from the
stage (benchmarks/images.py): the Dockerfile's build context, the wheelhouse of validated bytes
(and its dependencies alone, for the Dockerfile's `deps` stage), the build of one target or of
several side by side, the smoke test and the push. The stage (release.images.stage) is the one
place that puts them together for a release; these names are the ones it uses, re-exported so
that no caller outside the package reaches into a private one.
"""

from __future__ import annotations

from release.images._build import Built as Built
from release.images._build import Smoke as Smoke
from release.images._build import build as build_target
from release.images._build import build_targets as build_targets
from release.images._build import dockerfile as dockerfile
from release.images._build import push_and_prove as push_and_prove
from release.images._build import smoke as smoke
from release.images._wheelhouse import DEPENDENCIES as DEPENDENCIES
from release.images._wheelhouse import SERVERS as SERVERS
from release.images._wheelhouse import Target as Target
from release.images._wheelhouse import build as build_wheelhouse
from release.images._wheelhouse import dependencies as dependencies

__all__ = [
    "DEPENDENCIES", "SERVERS", "Built", "Smoke", "Target", "build_target", "build_targets",
    "build_wheelhouse", "dependencies", "dockerfile", "push_and_prove", "smoke",
]  # fmt: skip
