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


def test_jumps_to_a_clearly_better_fragment() -> None:
    # "qu" occurs many times inside fragments; "q" + "z" never does. After "xxq" the
    # adjacent "zzz" scores log(1/..) while "uxx" scores log(14/..): a jump of ln 14 > 1.
    text = "quququququququququququququ\nxxq zzz\nuxx"
    chunks = split_chunks(text)
    plans = greedy_plans(text, chunks, margin=1.0)
    order = _order(text, plans)
    assert ["xxq", "uxx"] in [chain[-2:] for chain in order]
    assert ["zzz"] in order


def test_default_margin_trusts_cjk_junctions_more_than_word_boundaries() -> None:
    # The same page in CJK and in Latin letters: a junction gain of ln 14 ~ 2.6 nats clears
    # the CJK margin (1.0) but not the spaced-script one (4.0).
    latin = "quququququququququququququ\nxxq zzz\nuxx"
    cjk = latin.translate(str.maketrans("quxz", "去于小在"))
    assert len(greedy_plans(cjk, split_chunks(cjk))) == 2
    assert len(greedy_plans(latin, split_chunks(latin))) == 1


def test_large_margin_never_jumps() -> None:
    text = "quququququququququququququ\nxxq zzz\nuxx"
    plans = greedy_plans(text, split_chunks(text), margin=100.0)
    assert len(plans) == 1


def test_window_limits_the_search() -> None:
    # The attractive "uxx" is 3 fragments after "xxq": with window 2 it is out of reach.
    text = "quququququququququququququ\nxxq zzz yyy\nuxx"
    plans = greedy_plans(text, split_chunks(text), window=2, margin=1.0)
    assert len(plans) == 1
    assert greedy_plans(text, split_chunks(text), window=5, margin=1.0) != plans


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
