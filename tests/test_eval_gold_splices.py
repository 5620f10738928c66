"""The gold-splice run cuts where the gold order leaves a line, and loses nothing."""

from __future__ import annotations

from collections import Counter

from benchmarks.eval_gold_splices import (
    PAGES,
    deinterleave_with_breaks,
    gold_breaks,
    splices_at,
    table,
)
from benchmarks.eval_losses import page_losses
from newsdeinterleave.assembly import verify_lossless
from newsdeinterleave.engine import page_chunks
from newsdeinterleave.evaluation import load_gold, score_page
from newsdeinterleave.splicing import line_gaps
from newsdeinterleave.training import training_pages


def test_gold_splices_leave_fewer_joins_uncut_and_lose_nothing() -> None:
    path = next(p for p in training_pages(PAGES, "en", "dev") if "psm6" in p.name)
    gold, text = load_gold(path)
    breaks = gold_breaks(gold, text)
    chunks = page_chunks(text, gold.language)
    assert breaks and breaks <= {chunks[k].start for k in line_gaps(chunks).right.tolist()}
    shipped = page_losses(gold, text)["uncut"]
    with splices_at(breaks):
        assert page_losses(gold, text)["uncut"] < shipped
    result = deinterleave_with_breaks(text, gold.language, breaks)
    verify_lossless(text, result)
    assert score_page(gold, text, result).broken_total > 0


def test_the_table_puts_both_runs_side_by_side() -> None:
    row = Counter(
        broken_kept=1,
        broken_total=4,
        joins_kept=9,
        joins_total=10,
        articles_perfect=2,
        articles_total=5,
    )
    better = row.copy()
    better["broken_kept"] = 3
    (line,) = table("en", {"shipped": {"ALL": row}, "gold splices": {"ALL": better}})
    assert line == "| en | ALL | 25.0 (1/4) / 90.0 / 2 of 5 | 75.0 (3/4) / 90.0 / 2 of 5 |"
