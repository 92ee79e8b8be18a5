"""Which file a project's build backend reads a dynamic version from, by the backend's own
configuration: hatch's `[tool.hatch.version] path`, pdm's `[tool.pdm.version]` file source,
flit's module, setuptools' `attr:` or `file:`. A version from git tags (hatch-vcs,
setuptools-scm, pdm's scm source) is held in no file: None, the tag is the version."""

from __future__ import annotations

import configparser
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from release.versioning import held as rules
from release.versioning.held import HeldVersion

_FLIT = "flit_core (the module's __version__)"


def held_version(root: Path, pyproject: Mapping[str, Any]) -> HeldVersion | None:
    system = pyproject.get("build-system")
    backend = str(system.get("build-backend", "")) if isinstance(system, dict) else ""
    for prefix, find in _BACKENDS:
        if backend == prefix or backend.startswith(f"{prefix}."):
            return find(root, pyproject)
    return None


def _hatch(root: Path, pyproject: Mapping[str, Any]) -> HeldVersion | None:
    table = _tool(pyproject, "hatch", "version")
    path = table.get("path")
    if table.get("source", "regex") != "regex" or not isinstance(path, str):
        return None  # another source (vcs, code, env), or one hatch itself refuses
    pattern = table.get("pattern")
    pattern = pattern if isinstance(pattern, str) and pattern else rules.HATCH_PATTERN
    backend = "hatch's [tool.hatch.version] path"
    rule = lambda t: rules.by_pattern(path, t, backend, pattern, "version")  # noqa: E731
    return _read(root, path, backend, rule)


def _pdm(root: Path, pyproject: Mapping[str, Any]) -> HeldVersion | None:
    table = _tool(pyproject, "pdm", "version")
    path, source = table.get("path"), table.get("source")
    if not isinstance(path, str) or source not in ("file", None):
        return None
    if source is None and not (root / path).exists():
        return None  # pdm-backend then asks for a source itself
    pattern = table.get("pattern")
    regex = pattern if isinstance(pattern, str) else rules.PDM_PATTERN  # the first group is it
    backend = "pdm's [tool.pdm.version] file source"
    return _read(root, path, backend, lambda t: rules.by_pattern(path, t, backend, regex, 1))


def _flit(root: Path, pyproject: Mapping[str, Any]) -> HeldVersion | None:
    """flit_core parses its module's version files (version.py, _version.py, __version__.py,
    then __init__.py): the last one with a plain `__version__ = "..."` gives the version."""
    module = _tool(pyproject, "flit", "module").get("name") or _flit_name(pyproject)
    where = _flit_module(root, str(module))
    if where is None:
        return None
    found = [_read(root, file, _FLIT, _flit_rule(file)) for file in where]
    plain = [held for held in found if held.value is not None]
    return plain[-1] if plain else found[-1]


def _flit_rule(file: str) -> Callable[[str], HeldVersion]:
    return lambda text: rules.by_assignment(file, text, _FLIT, "__version__", first=False)


def _flit_name(pyproject: Mapping[str, Any]) -> str:
    project = pyproject.get("project")
    name = str(project.get("name", "")) if isinstance(project, dict) else ""
    return name.replace("-", "_")


def _flit_module(root: Path, module: str) -> list[str] | None:
    """flit's search: pkg/, pkg.py, src/pkg/, src/pkg.py, exactly one of them; a package's
    version files in the order flit reads them (a later one wins)."""
    path = module.replace(".", "/")
    packages = [p for p in (path, f"src/{path}") if (root / p).is_dir()]
    files = [f for f in (f"{path}.py", f"src/{path}.py") if (root / f).is_file()]
    if len(packages) + len(files) != 1:
        return None  # none, or several: flit refuses to build it, and says why
    if files:
        return files
    extra = ("__version__.py", "_version.py", "version.py")
    named = [f"{packages[0]}/{n}" for n in extra if (root / packages[0] / n).is_file()]
    return [*named, f"{packages[0]}/__init__.py"]


def _setuptools(root: Path, pyproject: Mapping[str, Any]) -> HeldVersion | None:
    """`[tool.setuptools.dynamic] version = {attr = ...}` or `{file = ...}`, else setup.cfg's
    `[metadata] version = attr: ...` or `file: ...`."""
    table = _tool(pyproject, "setuptools", "dynamic").get("version")
    if isinstance(table, dict):
        attr, file = table.get("attr"), table.get("file")
    else:
        attr, file = _setup_cfg(root)
    if isinstance(attr, str):
        return _attr(root, pyproject, attr)
    if isinstance(file, str):
        backend = f"setuptools' file: ({file})"
        return _read(root, file, backend, lambda t: rules.whole_file(file, t, backend))
    return None


def _setup_cfg(root: Path) -> tuple[str | None, str | None]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(root / "setup.cfg", encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return None, None  # setuptools will say what is wrong with it
    text = parser.get("metadata", "version", fallback="").strip()
    for directive in ("attr", "file"):
        if text.startswith(f"{directive}:"):
            value = text.split(":", 1)[1].strip()
            return (value, None) if directive == "attr" else (None, value)
    return None, None


def _attr(root: Path, pyproject: Mapping[str, Any], attr: str) -> HeldVersion:
    """setuptools reads the first top-level assignment to the attribute, found through the
    package directories (its src layout's auto-discovery included)."""
    module, _, name = attr.strip().rpartition(".")
    backend = f"setuptools' attr: ({attr.strip()})"
    file = _module_file(root, _package_dir(pyproject), module or "__init__")
    rule = lambda t: rules.by_assignment(file, t, backend, name, first=True)  # noqa: E731
    return _read(root, file, backend, rule)


def _package_dir(pyproject: Mapping[str, Any]) -> dict[str, str]:
    table = _tool(pyproject, "setuptools").get("package-dir")
    return {str(k): str(v) for k, v in table.items()} if isinstance(table, dict) else {}


def _module_file(root: Path, package_dir: Mapping[str, str], module: str) -> str:
    """setuptools' find_package_path, then `<path>.py` or `<path>/__init__.py`; without any
    package-dir, the root's or (auto-discovered src layout) src/'s."""
    parts = module.split(".")
    starts = [_package_path(parts, package_dir)] if package_dir else [parts, ["src", *parts]]
    candidates = [f"{'/'.join(p)}{tail}" for p in starts for tail in (".py", "/__init__.py")]
    return next((c for c in candidates if (root / c).is_file()), candidates[0])


def _package_path(parts: list[str], package_dir: Mapping[str, str]) -> list[str]:
    for cut in range(len(parts), 0, -1):
        mapped = package_dir.get(".".join(parts[:cut]))
        if mapped is not None:
            return [*mapped.split("/"), *parts[cut:]]
    return [*filter(None, package_dir.get("", "").split("/")), *parts]


def _read(root: Path, file: str, backend: str, rule: Callable[[str], HeldVersion]) -> HeldVersion:
    try:
        with (root / file).open(encoding="utf-8", newline="") as opened:
            text = opened.read()  # line endings as they are: bump writes at these offsets
    except FileNotFoundError:
        return HeldVersion(file, backend, problem="which does not exist")
    except (OSError, UnicodeDecodeError) as exc:
        return HeldVersion(file, backend, problem=f"which cannot be read ({exc})")
    return rule(text)


def _tool(pyproject: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    table: object = pyproject.get("tool")
    for key in keys:
        table = table.get(key) if isinstance(table, dict) else None
    return table if isinstance(table, dict) else {}


_BACKENDS: tuple[tuple[str, Callable[[Path, Mapping[str, Any]], HeldVersion | None]], ...] = (
    ("hatchling", _hatch),
    ("pdm.backend", _pdm),
    ("flit_core", _flit),
    ("setuptools", _setuptools),
)
