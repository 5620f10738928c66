"""The splice benchmark scores both passes against the same gold cuts."""

from __future__ import annotations

from benchmarks.eval_splices import evaluate


def test_both_english_passes_are_scored_on_the_same_gold_splices() -> None:
    counts = evaluate("en", "dev", 0.35, limit=3)
    first, columns = counts[("ALL", "first pass")], counts[("ALL", "with column pass")]
    assert first["true"] + first["missed"] > 0
    assert first["true"] + first["missed"] == columns["true"] + columns["missed"]


def test_chinese_has_only_the_first_pass() -> None:
    counts = evaluate("zh", "dev", 0.35, limit=2)
    assert {tag for _, tag in counts} == {"first pass"}
