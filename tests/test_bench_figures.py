"""The figure table of the benchmarks (bench/figures.py): one place for names and targets, used by compose."""

from __future__ import annotations

import re

import pytest

from bench.figures import BY_KEY, FIGURES, Target
from bench.harness import REPO


def test_every_figure_has_one_key_and_a_judgeable_target():
    assert len(BY_KEY) == len(FIGURES)
    for spec in FIGURES:
        assert spec.name and spec.unit is not None, spec
        if spec.target is not None and spec.target.stat is not None:
            assert spec.target.stat in {"median", "p95", "max"}, spec
            assert spec.target.op in {"<=", ">=", "=="}, spec


def test_compose_adds_every_figure_of_the_table_and_no_other():
    source = (REPO / "bench" / "__main__.py").read_text()
    added = set(re.findall(r'add\(\s*f,\s*"([^"]+)"', source))
    assert added <= set(BY_KEY)  # (another key would fail the run itself)
    # Every figure of the table is added somewhere (directly, or from a tuple of keys in a loop).
    assert set(BY_KEY) - set(re.findall(r'"([a-z_{}0-9]+)"', source)) == set()


@pytest.mark.parametrize(
    ("target", "summary", "met"),
    [
        (Target("≤ 100", "max", "<=", 100), {"median": 5, "max": 100, "runs": 3}, True),
        (Target("≤ 100", "max", "<=", 100), {"median": 5, "max": 100.1, "runs": 3}, False),
        (Target("≤ 100", "max", "<=", 100), {"median": None, "max": None, "runs": 0}, False),
        (Target("= 0", "max", "==", 0, unknown_without_runs=True), {"max": None, "runs": 0}, None),
        (Target("= 0", "median", "==", 0), {"median": 0}, True),
    ],
)
def test_a_target_judges_one_statistic_of_a_summary(target, summary, met):
    assert target.met(summary) is met


def test_a_target_judged_by_compose_refuses_to_judge_a_summary():
    with pytest.raises(ValueError, match="judged by compose"):
        Target("≥ 4× faster than naive").met({"median": 1})
