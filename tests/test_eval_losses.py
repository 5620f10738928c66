"""The loss breakdown accounts for every broken join the scorer counts, and for those it keeps."""

from __future__ import annotations

from collections import Counter

from benchmarks.eval_losses import (
    BELOW_BAR,
    CLASSES,
    PAGES,
    UNSCORED,
    JoinLoss,
    join_losses,
    listing,
    page_losses,
    table,
    tally,
)
from newsdeinterleave import deinterleave
from newsdeinterleave.evaluation import load_gold, score_page
from newsdeinterleave.training import training_pages


def test_the_stage_classes_add_up_to_the_scored_broken_joins() -> None:
    for language in ("en", "zh"):
        path = next(iter(training_pages(PAGES, language, "dev")))
        gold, text = load_gold(path)
        losses = page_losses(gold, text)
        score = score_page(gold, text, deinterleave(text, language=gold.language))
        assert sum(losses[k] for k in CLASSES) == score.broken_total > 0
        assert sum(losses[f"{k} kept"] for k in CLASSES) == score.broken_kept
        # A join inside a fragment that should have been cut can never be restored.
        assert losses["uncut kept"] == 0
        assert 0 <= losses[UNSCORED] + losses[BELOW_BAR] <= losses["link wrong"]


def test_the_table_gives_the_unscored_and_below_bar_shares_of_the_wrong_links() -> None:
    counts = Counter({"uncut": 1, "link right": 5, "link right kept": 4, "link wrong": 4})
    counts[UNSCORED] = 1
    counts[BELOW_BAR] = 2
    (row,) = table("zh", {"ALL": counts})
    assert row == (
        "| zh | ALL | 10 | 10.0 (0 kept) | 50.0 (4 kept) | 40.0 (0 kept) | 25.0 | 50.0 | 40.0 |"
    )


def test_only_a_wrong_link_whose_pair_was_scored_can_be_below_the_bar() -> None:
    wrong = JoinLoss(0, 5, "link wrong", scored=True, kept=False, instead=None, below_bar=True)
    assert wrong.refused and not wrong.unscored
    right = JoinLoss(0, 5, "link right", scored=True, kept=True, instead=5, below_bar=True)
    assert not right.refused
    above = JoinLoss(0, 5, "link wrong", scored=True, kept=False, instead=3, below_bar=False)
    assert not above.refused and not above.unscored
    counts = tally([wrong, right, above])
    assert counts[BELOW_BAR] == 1 and counts[UNSCORED] == 0


def test_the_page_listing_has_a_line_per_broken_join_and_counts_as_the_table() -> None:
    path = next(iter(training_pages(PAGES, "zh", "dev")))
    gold, text = load_gold(path)
    joins = join_losses(gold, text)
    rows = listing(text, joins)
    losses = tally(joins)
    assert len(rows) == sum(losses[k] for k in CLASSES)
    kept = [r for r in rows if r.startswith("kept")]
    assert len(kept) == sum(losses[f"{k} kept"] for k in CLASSES)
    # A lost join says what the result read after its left side instead.
    assert all("instead:" in r for r in rows if r.startswith("lost"))
    assert sum("(unscored)" in r for r in rows) == losses[UNSCORED]
    assert sum("(below bar)" in r for r in rows) == losses[BELOW_BAR]
