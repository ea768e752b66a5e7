"""bench/ never imports tests/: the shared gunicorn and Chromium helpers are bench/harness.py's (issue 10).

Read from the source (every import statement, at any depth), not by importing: a lazy import inside a
function counts too.
"""

from __future__ import annotations

import ast

from bench.harness import REPO


def _imported_modules(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_module_of_bench_imports_tests():
    offenders = {}
    for path in sorted((REPO / "bench").rglob("*.py")):
        wrong = {m for m in _imported_modules(ast.parse(path.read_text())) if m == "tests" or m.startswith("tests.")}
        if wrong:
            offenders[str(path.relative_to(REPO))] = sorted(wrong)
    assert offenders == {}
