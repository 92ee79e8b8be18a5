"""The benchmarks use the library as any caller outside it must: through its public modules.
import-linter's private-module contract covers release/ only; this is the same rule for
benchmarks/, so that a private module stays free to change under the package that owns it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BENCHMARKS = sorted((Path(__file__).parents[2] / "benchmarks").glob("*.py"))


def _private(dotted: str) -> bool:
    return any(p.startswith("_") and not p.startswith("__") for p in dotted.split("."))


def private_imports(source: str) -> list[str]:
    """What `source` imports from release that is private: a module or name starting with _."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("release.")]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("release"):
            found += [f"{node.module}.{a.name}" for a in node.names]
    return [name for name in found if _private(name)]


def test_private_imports_are_recognised() -> None:
    source = (
        "from release.images import _build as b\nfrom release.upload._rules import missing\n"
        "import release.core._x\nfrom release.images import VARIANTS, parts\nimport os._y\n"
    )
    assert private_imports(source) == [
        "release.images._build", "release.upload._rules.missing", "release.core._x",
    ]  # fmt: skip


@pytest.mark.parametrize("path", BENCHMARKS, ids=lambda p: p.name)
def test_a_benchmark_imports_no_private_module_of_the_library(path: Path) -> None:
    assert private_imports(path.read_text(encoding="utf-8")) == []
