"""Reading Dash component trees in tests: find components, collect the text a person would read.

Tests compare trees, not substrings of `str(component)` (which also matches ids, class names and props).
"""

from __future__ import annotations


def find(component, match) -> list:
    """Every component in the tree under `component` (itself included) for which `match` is true."""
    if isinstance(component, (list, tuple)):
        return [c for child in component for c in find(child, match)]
    if component is None or isinstance(component, (str, int, float)):
        return []
    found = [component] if match(component) else []
    return found + find(getattr(component, "children", None), match)


def texts(component) -> list[str]:
    """The text children of the tree, in document order (what is shown, not ids or props)."""
    if isinstance(component, (list, tuple)):
        return [t for child in component for t in texts(child)]
    if isinstance(component, (str, int, float)):
        return [str(component)]
    if component is None:
        return []
    return texts(getattr(component, "children", None))
