"""Chains become articles: header splits, paragraph starts, chain pairing."""

from __future__ import annotations

import numpy as np
import pytest

from newsdeinterleave.features import fragment_table
from newsdeinterleave.grouping import MAX_ALL_PAIRS, chain_pairs
from newsdeinterleave.models import Role
from newsdeinterleave.segmentation import group_fragments, split_chunks
from newsdeinterleave.splicing import line_gaps
from newsdeinterleave.structure import (
    attach_orphan_headers,
    captions_last,
    paragraph_starts,
    release_furniture,
    split_at_headers,
    split_title_stacks,
)


def test_a_title_after_body_text_starts_a_new_article() -> None:
    roles: list[Role] = ["title", "body", "body", "title", "byline", "body"]
    assert split_at_headers([0, 1, 2, 3, 4, 5], roles) == [[0, 1, 2], [3, 4, 5]]


def test_headers_in_a_row_stay_together() -> None:
    roles: list[Role] = ["kicker", "title", "subtitle", "body"]
    assert split_at_headers([0, 1, 2, 3], roles) == [[0, 1, 2, 3]]


def test_paragraph_starts_after_short_finished_line() -> None:
    text = "第一段的第一行文字很长很长\n这是第一段结束。\n第二段开始了很长很长很长\n"
    frags = group_fragments(text, split_chunks(text))
    table = fragment_table(frags)
    paras = paragraph_starts([0, 1, 2], ["body", "body", "body"], table)
    assert paras == [True, False, True]


def test_chain_pairs_are_all_pairs_for_small_pages_and_windowed_for_large() -> None:
    ii, jj = chain_pairs(5)
    assert len(ii) == 20 and np.all(ii != jj)
    big = MAX_ALL_PAIRS * 4
    ii, jj = chain_pairs(big)
    assert len(ii) < big * (big - 1)
    assert np.all((jj >= 0) & (jj < big))


def test_line_gaps_are_within_lines_only() -> None:
    chunks = split_chunks("甲 乙 丙\n丁 戊")
    gaps = line_gaps(chunks)
    assert gaps.right.tolist() == [1, 2, 4]
    assert gaps.left.tolist() == [0, 1, 3]


def test_grouping_cannot_hang_a_title_behind_another_story(monkeypatch: pytest.MonkeyPatch) -> None:
    from newsdeinterleave import pipeline

    text = "第一篇的正文在这里结束。\n第二篇标题\n第二篇的正文从这里开始。\n"
    chunks = split_chunks(text)

    def one_article(chains: list[list[int]], *_: object) -> tuple[list[list[int]], object]:
        return [[k for chain in chains for k in chain]], np.zeros(0)

    def roles(graph: pipeline.LinkGraph, _: object) -> tuple[list[Role], np.ndarray]:
        guess: list[Role] = ["title" if "标题" in f.text else "body" for f in graph.fragments]
        return guess, np.ones(len(guess))

    monkeypatch.setattr(pipeline, "group_chains", one_article)
    monkeypatch.setattr(pipeline, "role_guesses", roles)
    monkeypatch.setattr(pipeline, "attach_orphan_headers", lambda articles, *_: articles)
    monkeypatch.setattr(pipeline, "merge_stories", lambda articles, *_: articles)
    # The chain-matching path (the one taken where no same-story model ships).
    shipped = pipeline.load_link_model
    monkeypatch.setattr(
        pipeline,
        "load_link_model",
        lambda kind, *rest: None if kind == "cluster" else shipped(kind, *rest),
    )
    plans, _, _, _ = pipeline.reconstruct_block(text, chunks, "zh")
    firsts = [text[plan.pieces[0].start : plan.pieces[0].end] for plan in plans]
    assert len(plans) == 2 and firsts[1] == "第二篇标题"


def test_a_stranded_title_joins_the_untitled_story_it_shares_words_with() -> None:
    texts = [
        "苏丹武装冲突持续",
        "今天天气晴朗气温回升",
        "苏丹武装部队与快速支援部队在首都交火",
        "农业农村部说秋收进展顺利",
    ]
    roles: list[Role] = ["title", "title", "body", "body"]
    articles = [[0], [2], [3]]
    # The Sudan title goes in front of the Sudan story; the harvest story stays untitled.
    assert attach_orphan_headers(articles, roles, texts) == [[0, 2], [3]]
    # A title sharing no words with any story stays where it was.
    assert attach_orphan_headers([[1], [2], [3]], roles, texts) == [[1], [2], [3]]


def test_a_titled_story_with_its_body_is_not_a_stranded_title() -> None:
    texts = [
        "苏丹武装冲突持续",
        "苏丹首都喀土穆的冲突已造成至少九十七人死亡三百多人受伤",
        "苏丹武装部队交火",
    ]
    roles: list[Role] = ["title", "body", "body"]
    assert attach_orphan_headers([[0, 1], [2]], roles, texts, max_body_per_header=1.0) == [
        [0, 1],
        [2],
    ]


STACK_TEXTS = [
    "苏丹武装冲突持续",  # 0: headline of the second story
    "农业农村部:全国秋粮",  # 1: first line of the harvest headline
    "收获进展顺利",  # 2: its second line
    "农业农村部说全国秋粮收获已过七成",  # 3: harvest story
    "苏丹武装部队与快速支援部队在首都交火",  # 4: Sudan story
]
STACK_ROLES: list[Role] = ["title", "title", "title", "body", "body"]


def test_stacked_headlines_keep_the_one_that_names_the_story() -> None:
    # The band's two headlines were read one after the other above the harvest story; the
    # link model joined the two lines of the wrapped harvest headline, not the headlines.
    articles = [[0, 1, 2, 3], [4]]
    split = split_title_stacks(articles, STACK_ROLES, STACK_TEXTS, {(1, 2)})
    assert split == [[1, 2, 3], [0], [4]]
    # The released headline then finds its story.
    assert attach_orphan_headers(split, STACK_ROLES, STACK_TEXTS) == [[1, 2, 3], [0, 4]]


def test_lines_of_one_headline_are_not_a_stack() -> None:
    articles = [[1, 2, 3], [4]]
    assert split_title_stacks(articles, STACK_ROLES, STACK_TEXTS, {(1, 2)}) == articles
    # Without a confident link between them the two lines are two headlines, and the one
    # sharing more words with the story stays.
    assert split_title_stacks(articles, STACK_ROLES, STACK_TEXTS, set()) == [[1, 3], [2], [4]]


def test_a_headline_stack_with_no_story_keeps_its_first_headline() -> None:
    assert split_title_stacks([[0, 1]], STACK_ROLES, STACK_TEXTS, set()) == [[0], [1]]


def test_captions_are_read_after_the_story_and_before_its_credit() -> None:
    roles: list[Role] = ["title", "body", "caption", "credit", "body", "credit"]
    # Title, body, [caption, photo credit], body, reporter credit.
    assert captions_last([[0, 1, 2, 3, 4, 5]], roles) == [[0, 1, 4, 2, 3, 5]]
    # A credit that follows body text stays where it is; a caption-only group is untouched.
    assert captions_last([[0, 1, 5]], roles) == [[0, 1, 5]]
    assert captions_last([[2, 3]], roles) == [[2, 3]]


def test_page_furniture_chained_into_a_story_leaves_it() -> None:
    # A folio (3) the link model read into the middle of a story goes to a group of its own;
    # a group that is all furniture, or has none, is left as it is.
    assert release_furniture([[0, 1, 3, 2], [4], [5, 6]], {3, 4}) == [[0, 1, 2], [3], [4], [5, 6]]


def test_only_furniture_the_role_model_is_sure_of_is_released() -> None:
    from newsdeinterleave import pipeline

    roles: list[Role] = ["body", "other", "other", "title"]
    sureness = np.array([0.99, 0.95, 0.6, 0.99])
    assert pipeline.sure_furniture(roles, sureness) == {1}
