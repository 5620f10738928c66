"""The greedy bigram baseline: lossless, conservative, and able to jump on strong evidence."""

from __future__ import annotations

import math

import pytest

from newsdeinterleave.assembly import ArticlePlan, build_page
from newsdeinterleave.baselines import BigramModel, greedy_plans
from newsdeinterleave.segmentation import split_chunks


def _order(text: str, plans: list[ArticlePlan]) -> list[list[str]]:
    return [[text[p.start : p.end] for p in plan.pieces] for plan in plans]


def test_empty_page_has_no_plans() -> None:
    assert greedy_plans("", []) == []
    assert greedy_plans(" \n\t", split_chunks(" \n\t")) == []


def test_bigram_model_is_add_one_smoothed() -> None:
    text = "abab ac"
    model = BigramModel.from_chunks(text, split_chunks(text))
    # pairs: ab x2, ba x1, ac x1; 'a' starts 3 pairs; vocabulary {a,b,c} + 1 = 4
    assert model.log_prob("a", "b") == pytest.approx(math.log(3 / 7))
    assert model.log_prob("a", "z") == pytest.approx(math.log(1 / 7))


def test_without_evidence_it_keeps_input_order() -> None:
    # All characters distinct: every junction scores the same, so adjacency wins.
    text = "ab cd\nef gh\nij"
    plans = greedy_plans(text, split_chunks(text))
    assert _order(text, plans) == [["ab", "cd", "ef", "gh", "ij"]]
    assert plans[0].pieces[0].para
    assert not any(p.para for p in plans[0].pieces[1:])


QU = "qu" * 20  # within-fragment evidence that q -> u


def test_jumps_at_a_line_end_to_a_clearly_better_fragment() -> None:
    # After "xxq" (a line end) the neighbour "zzz" scores log(1/..) and "uxx" log(21/..):
    # a gain of ln 21 ~ 3.0 nats > margin 1. "zzz" then finds its neighbour taken and no
    # attested continuation, so it stands alone.
    text = f"{QU}\nxxq\nzzz\nuxx"
    order = _order(text, greedy_plans(text, split_chunks(text), margin=1.0))
    assert order == [[QU, "xxq", "uxx"], ["zzz"]]


def test_inside_a_line_the_neighbour_always_continues() -> None:
    text = f"{QU}\nxxq zzz\nuxx"
    assert len(greedy_plans(text, split_chunks(text), margin=0.1)) == 1


def test_a_taken_neighbour_ends_the_chain_instead_of_forcing_a_jump() -> None:
    # "zzz" loses its neighbour "uxx" to "xxq"; "www" is free but nothing attests z -> w.
    text = f"{QU}\nxxq\nzzz\nuxx\nwww"
    order = _order(text, greedy_plans(text, split_chunks(text), margin=1.0))
    assert order == [[QU, "xxq", "uxx", "www"], ["zzz"]]


def test_default_margin_trusts_cjk_junctions_more_than_word_boundaries() -> None:
    # The same page in CJK and in Latin letters: the ln 21 ~ 3.0 nat gain clears the CJK
    # margin (2.5) but not the spaced-script one (6.0).
    latin = f"{QU}\nxxq\nzzz\nuxx"
    cjk = latin.translate(str.maketrans("quxz", "去于小在"))
    assert len(greedy_plans(cjk, split_chunks(cjk))) == 2
    assert len(greedy_plans(latin, split_chunks(latin))) == 1


def test_large_margin_never_jumps() -> None:
    text = f"{QU}\nxxq\nzzz\nuxx"
    assert len(greedy_plans(text, split_chunks(text), margin=100.0)) == 1


def test_window_limits_the_search() -> None:
    # The attractive "uxx" is 3 fragments after "xxq": with window 2 it is out of reach.
    text = f"{QU}\nxxq\nzzz\nyyy\nuxx"
    assert len(greedy_plans(text, split_chunks(text), window=2, margin=1.0)) == 1
    assert len(greedy_plans(text, split_chunks(text), window=5, margin=1.0)) == 2


@pytest.mark.parametrize(
    "text",
    [
        "乘势而上启新程 今年以来,株洲\n经开区始终注重发 挥党建引领作用\n聚焦主责主业 紧紧围绕",
        "The minister said on Tues- Shares of the company\nday that the plan rose 5 pct\n",
        "a\u3000b\r\nc\x0bd e\u2028f",
    ],
)
def test_every_fragment_lands_in_exactly_one_article(text: str) -> None:
    chunks = split_chunks(text)
    plans = greedy_plans(text, chunks)
    spans = sorted((p.start, p.end) for plan in plans for p in plan.pieces)
    assert spans == [(c.start, c.end) for c in chunks]
    assert all(plan.pieces[0].para for plan in plans)
    page = build_page(
        text, plans, [], language="und", fragment_count=len(chunks), warnings=[], version=""
    )
    assert len(page.articles) == len(plans)
