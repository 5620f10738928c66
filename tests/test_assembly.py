"""Assembly derives every Article field from spans, so text and provenance cannot disagree.

Also pins the reader's join rules (CJK without spaces, Latin with one, a
line-end hyphen removed) and that :func:`verify_lossless` rejects exactly the
results that drop or double-count characters.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arbitrary_text, check_page, interleaved_pages

from newsdeinterleave.assembly import (
    ArticlePlan,
    LosslessError,
    Piece,
    build_page,
    verify_lossless,
)
from newsdeinterleave.models import Page, Role
from newsdeinterleave.segmentation import split_chunks
from newsdeinterleave.text import join_pieces


def _build(text: str, plans: list[ArticlePlan], unassigned: list[tuple[int, int]]) -> Page:
    return build_page(
        text, plans, unassigned, language="und", fragment_count=0, warnings=[], version="test"
    )


def _pieces(text: str, *words: str, role: Role = "body") -> list[Piece]:
    """Pieces for the given words of ``text`` (each must occur once)."""
    out: list[Piece] = []
    for word in words:
        start = text.index(word)
        assert text.count(word) == 1, word
        out.append(Piece(start, start + len(word), role))
    return out


# -- join_pieces ------------------------------------------------------------


@pytest.mark.parametrize(
    ("pieces", "joined"),
    [
        (["株洲经开区", "传来好消息"], "株洲经开区传来好消息"),
        (["The council", "approved it"], "The council approved it"),
        (["exam-", "ple"], "example"),
        (["well-", "Known"], "well- Known"),
        (["2021-", "22"], "2021- 22"),
        (["-", "x"], "- x"),
        (["新闻", "news"], "新闻news"),
        (["news", "新闻"], "news新闻"),
        (["一", "二", "三"], "一二三"),
        (["a"], "a"),
        ([], ""),
    ],
)
def test_join_pieces_reads_like_a_reader(pieces: list[str], joined: str) -> None:
    assert join_pieces(pieces) == joined


@given(st.lists(st.text(alphabet="新闻报道株洲", min_size=1, max_size=6), min_size=1))
def test_cjk_pieces_join_without_spaces(pieces: list[str]) -> None:
    assert join_pieces(pieces) == "".join(pieces)


@given(st.lists(st.text(alphabet="abcXYZ.,", min_size=1, max_size=6), min_size=1))
def test_latin_pieces_join_with_one_space(pieces: list[str]) -> None:
    assert join_pieces(pieces) == " ".join(pieces)


# -- build_page ---------------------------------------------------------------


def test_articles_are_numbered_by_first_character_and_keep_reading_order() -> None:
    text = "Alpha one\nBeta two\nalpha three"
    late = ArticlePlan(pieces=_pieces(text, "Beta", "two"), confidence=0.5)
    early = ArticlePlan(pieces=_pieces(text, "three", "Alpha", "one", "alpha"), confidence=0.7)
    page = _build(text, [late, early], [])
    check_page(text, page)
    assert [a.id for a in page.articles] == ["a01", "a02"]
    first, second = page.articles
    assert [s.text(text) for s in first.spans] == ["three", "Alpha", "one", "alpha"]
    assert first.paragraphs == ["three Alpha one alpha"]
    assert second.paragraphs == ["Beta two"]
    assert page.text_length == len(text)


def test_blocks_split_on_role_change_and_on_para() -> None:
    text = "标题 副题 正文一 正文二 正文三 (记者)"
    pieces = [
        *_pieces(text, "标题", role="title"),
        *_pieces(text, "副题", role="subtitle"),
        Piece(*_span(text, "正文一"), "body", para=True),
        Piece(*_span(text, "正文二"), "body"),
        Piece(*_span(text, "正文三"), "body", para=True),
        *_pieces(text, "(记者)", role="credit"),
    ]
    page = _build(text, [ArticlePlan(pieces=pieces, confidence=0.9)], [])
    check_page(text, page)
    (article,) = page.articles
    assert [b.role for b in article.blocks] == ["title", "subtitle", "body", "body", "credit"]
    assert article.title == "标题"
    assert article.subtitle == "副题"
    assert article.paragraphs == ["正文一正文二", "正文三"]
    assert article.credits == ["(记者)"]
    assert article.kicker is None and article.byline is None
    assert [s for b in article.blocks for s in b.spans] == article.spans


def test_block_confidence_is_its_weakest_piece_and_article_confidence_is_clamped() -> None:
    text = "a b"
    pieces = [Piece(0, 1, confidence=0.9), Piece(2, 3, confidence=0.2)]
    page = _build(text, [ArticlePlan(pieces=pieces, confidence=1.7)], [])
    assert page.articles[0].blocks[0].confidence == pytest.approx(0.2)
    assert page.articles[0].confidence == 1.0
    page = _build(text, [ArticlePlan(pieces=pieces, confidence=-3.0)], [])
    assert page.articles[0].confidence == 0.0


def test_hyphen_is_dropped_in_block_text_but_kept_in_spans() -> None:
    text = "exam-\nple"
    page = _build(text, [ArticlePlan(pieces=_pieces(text, "exam-", "ple"), confidence=1)], [])
    check_page(text, page)
    assert page.articles[0].paragraphs == ["example"]
    assert [s.text(text) for s in page.articles[0].spans] == ["exam-", "ple"]


def test_empty_plans_are_dropped_and_unassigned_is_sorted() -> None:
    text = "x y z"
    plans = [ArticlePlan(pieces=[], confidence=1), ArticlePlan([Piece(2, 3)], 1)]
    page = _build(text, plans, [(4, 5), (0, 1)])
    check_page(text, page)
    assert len(page.articles) == 1
    assert [(s.start, s.end) for s in page.unassigned] == [(0, 1), (4, 5)]


def test_empty_page_has_nothing() -> None:
    page = _build("", [], [])
    check_page("", page)
    assert page.articles == [] and page.unassigned == []


@pytest.mark.parametrize(
    ("plans", "unassigned"),
    [
        ([ArticlePlan([Piece(0, 1)], 1)], []),  # "b" lost
        ([ArticlePlan([Piece(0, 1), Piece(0, 1), Piece(2, 3)], 1)], []),  # "a" twice
        ([ArticlePlan([Piece(0, 1)], 1), ArticlePlan([Piece(0, 3)], 1)], []),  # overlap
        ([ArticlePlan([Piece(0, 1)], 1)], [(2, 3), (2, 3)]),  # unassigned twice
        ([ArticlePlan([Piece(0, 1), Piece(2, 4)], 1)], []),  # past the end
    ],
)
def test_build_page_refuses_lossy_results(
    plans: list[ArticlePlan], unassigned: list[tuple[int, int]]
) -> None:
    with pytest.raises(LosslessError):
        _build("a b", plans, unassigned)


def _span(text: str, word: str) -> tuple[int, int]:
    start = text.index(word)
    return start, start + len(word)


def _random_plans(text: str, rng: random.Random) -> tuple[list[ArticlePlan], list[tuple[int, int]]]:
    """Deal the chunks of ``text`` to random articles (or unassigned), in shuffled order."""
    chunks = split_chunks(text)
    n_articles = rng.randint(1, 4)
    buckets: list[list[Piece]] = [[] for _ in range(n_articles)]
    unassigned: list[tuple[int, int]] = []
    for chunk in chunks:
        k = rng.randrange(n_articles + 1)
        if k == n_articles:
            unassigned.append((chunk.start, chunk.end))
        else:
            roles: list[Role] = ["title", "body", "body", "caption", "credit", "other"]
            role = rng.choice(roles)
            buckets[k].append(Piece(chunk.start, chunk.end, role, para=rng.random() < 0.2))
    for bucket in buckets:
        rng.shuffle(bucket)
    return [ArticlePlan(b, rng.random()) for b in buckets], unassigned


@given(st.one_of(arbitrary_text(), interleaved_pages), st.randoms(use_true_random=False))
def test_any_partition_of_the_chunks_builds_a_valid_page(text: str, rng: random.Random) -> None:
    plans, unassigned = _random_plans(text, rng)
    page = _build(text, plans, unassigned)
    check_page(text, page)
    assert sum(len(a.spans) for a in page.articles) + len(page.unassigned) == len(
        split_chunks(text)
    )


@given(interleaved_pages, st.randoms(use_true_random=False))
def test_verify_lossless_catches_a_dropped_or_duplicated_span(
    text: str, rng: random.Random
) -> None:
    chunks = split_chunks(text)
    pieces = [Piece(c.start, c.end) for c in chunks]
    page = _build(text, [ArticlePlan(pieces, 1.0)], [])
    (article,) = page.articles
    victim = rng.randrange(len(article.spans))
    dropped = article.spans[:victim] + article.spans[victim + 1 :]
    doubled = [*article.spans, article.spans[victim]]
    for spans in (dropped, doubled):
        broken = page.model_copy(update={"articles": [article.model_copy(update={"spans": spans})]})
        with pytest.raises(LosslessError):
            verify_lossless(text, broken)
        with pytest.raises(AssertionError):
            check_page(text, broken)
