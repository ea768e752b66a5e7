"""Dependencies run one way: the rules of docs/architecture.md, checked on the imports of every module.

Read with `ast` (nothing is imported, so a lazy import inside a function counts as much as one at the top):

- views are the top of the app: no module outside dashboard/views imports dashboard.views, except the app
  factory (dashboard/__init__.py) that wires them in; tests may import the views they test;
- geo/ is the pipeline and knows nothing of the app: it imports no dashboard module;
- bench/ measures the app and shares no code with tests/ (both use bench/ or dashboard/ helpers);
- geo/terms.py, the vocabularies, imports nothing, so that any layer may use it.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("app.py", "bench", "dashboard", "geo", "tests")
# The app factory imports the views to register their callbacks: the one place that wires the top layer in.
COMPOSITION_ROOT = "dashboard/__init__.py"


def _modules() -> list[Path]:
    paths = []
    for name in PACKAGES:
        path = REPO / name
        paths += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return paths


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, module: str | None = None) -> set[str]:
    """Return the dotted names `path` (module `module`, by default its name in the repository) imports:
    modules, and module.name for `from module import name` (so `from dashboard import views` reads as
    dashboard.views); relative imports made absolute."""
    names: set[str] = set()
    module = module or _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return names


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _offences(where: str, forbidden: str, allowed=()) -> list[str]:
    out = []
    for path in _modules():
        relative = path.relative_to(REPO).as_posix()
        if not (relative == where or relative.startswith(where + "/")) or relative in allowed:
            continue
        out += [f"{relative} imports {name}" for name in sorted(imported(path)) if _within(name, forbidden)]
    return out


def test_the_reader_sees_every_kind_of_import(tmp_path):
    (tmp_path / "pkg").mkdir()
    module = tmp_path / "pkg" / "mod.py"
    module.write_text(
        "import dashboard.views.map\nfrom dashboard import views\nfrom . import sibling\n"
        "def later():\n    from tests.browser_support import free_port\n"
    )
    names = imported(module, "pkg.mod")
    assert {"dashboard.views.map", "dashboard.views", "pkg.sibling", "tests.browser_support"} <= names


def test_nothing_outside_the_views_imports_them():
    offences = []
    for where in ("app.py", "bench", "dashboard", "geo"):
        offences += _offences(where, "dashboard.views", allowed=(COMPOSITION_ROOT,))
    assert [o for o in offences if not o.startswith("dashboard/views/")] == []


def test_the_pipeline_does_not_import_the_app():
    assert _offences("geo", "dashboard") == []


def test_bench_does_not_import_tests():
    assert _offences("bench", "tests") == []


def test_the_vocabularies_import_nothing():
    assert imported(REPO / "geo" / "terms.py") <= {"__future__", "__future__.annotations"}
