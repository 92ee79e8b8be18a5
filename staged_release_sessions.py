"""The lane sessions of staged-release, for a project's noxfile:

    import staged_release_sessions

    staged_release_sessions.register()  # the lane sessions of staged-release

`import release.sessions` finds whatever `release` comes first on sys.path, and the noxfile's
directory, the project's, comes first whenever the noxfile runs as a script (`./noxfile.py`,
`uv run --script noxfile.py`) or under `python -m nox`: a project's own `release/` package or
`release.py` would run there instead of ours. This module has a name no project uses, and loads
staged-release's `release` package from the folder it was installed to itself, whatever the
project holds; sys.path is left as it was.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent  # site-packages (or the source tree, when editable)


def _ours(module: ModuleType) -> bool:
    origin = getattr(module, "__file__", None)
    return origin is not None and Path(origin).resolve() == HERE / "release" / "__init__.py"


def _load_release() -> None:
    """staged-release's `release` package into sys.modules, found beside this module only."""
    loaded = sys.modules.get("release")
    if loaded is not None:
        if not _ours(loaded):
            raise ImportError(
                f"the project's own `release` ({getattr(loaded, '__file__', loaded)}) was "
                "imported before staged-release's, and only one module can have that name: "
                "import staged_release_sessions before anything that imports it"
            )
        return
    spec = importlib.machinery.PathFinder.find_spec("release", [str(HERE)])
    if spec is None or spec.loader is None:
        raise ImportError(f"staged-release's `release` package is not beside {__file__}")
    package = importlib.util.module_from_spec(spec)
    sys.modules["release"] = package
    try:
        spec.loader.exec_module(package)
    except BaseException:
        del sys.modules["release"]
        raise


_load_release()
# `release` is ours now, so its submodules come from our package folder (release.__path__).
from release import sessions  # noqa: E402

register = sessions.register  # the noxfile calls it: see its docstring
