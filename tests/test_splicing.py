"""Splice evidence: where a gap inside a line lines up with gaps in the lines around it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from newsdeinterleave.features import WordPairs
from newsdeinterleave.segmentation import split_chunks
from newsdeinterleave.splicing import (
    Splicer,
    column_alignment,
    gap_features,
    line_gaps,
    neighbour_continuity,
    predict_breaks,
    word_contexts,
)
from newsdeinterleave.text import display_width

# Two columns of ten display columns each, joined by one space as OCR does:
# the splice sits at position 11 on every line, the word spaces wander.
ROWS = [
    ("the quick", "and so on"),
    ("brown fox", "it went to"),
    ("jumps over", "the market"),
    ("a lazy dog", "on monday"),
    ("while all", "the other"),
    ("were still", "cows ate"),
]


def _page(rows: list[tuple[str, str]]) -> str:
    return "\n".join(f"{left:<10} {right}" for left, right in rows) + "\n"


def _alignment(text: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    chunks = split_chunks(text)
    widths = np.array([display_width(c.text) for c in chunks], dtype=np.float64)
    gaps = line_gaps(chunks)
    share, chance = column_alignment(chunks, widths, gaps)
    return [chunks[r].text for r in gaps.right.tolist()], share, chance


def test_a_column_edge_lines_up_and_word_spaces_do_not() -> None:
    text = _page(ROWS)
    chunks = split_chunks(text)
    gaps = line_gaps(chunks)
    widths = np.array([display_width(c.text) for c in chunks], dtype=np.float64)
    share, chance = column_alignment(chunks, widths, gaps)
    line_start = {c.line: c.start for c in chunks if c.first_in_line}
    position = np.array([chunks[r].start - line_start[chunks[r].line] for r in gaps.right])
    splice = position == 11
    assert splice.sum() == len(ROWS)
    assert share[splice].min() == 1.0
    # Short words put spaces everywhere; the excess over chance tells the edge.
    excess = share - chance
    assert excess[splice].mean() > excess[~splice].mean() + 0.2
    assert np.all((chance >= 0.0) & (chance <= 1.0))


def test_wide_characters_count_twice_when_lining_up() -> None:
    # "中文" is four display columns wide, like "abcd": the next chunks align.
    text = "中文 右边\nabcd 右边\n中文 右边\n"
    _, share, _ = _alignment(text)
    assert share.tolist() == [1.0, 1.0, 1.0]


def test_alignment_is_part_of_the_gap_features_and_can_be_switched_off() -> None:
    text = _page(ROWS)
    chunks = split_chunks(text)
    gaps = line_gaps(chunks)
    names, families, matrix = gap_features(text, chunks, gaps, general=None, page=None)
    assert {"align_share", "align_chance"} <= set(names)
    assert families[names.index("align_share")] == "length"
    assert matrix.shape == (len(gaps.right), len(names))
    names_off, _, _ = gap_features(text, chunks, gaps, general=None, page=None, disable=("length",))
    assert "align_share" not in names_off


def test_no_gaps_gives_empty_features() -> None:
    rights, share, chance = _alignment("one\ntwo\n")
    assert rights == [] and len(share) == 0 and len(chance) == 0


class _ColumnReader:
    """A toy continuity model that knows which word follows which in each column."""

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        self.follows: set[tuple[str, str]] = set()
        for column in zip(*rows, strict=True):
            words = " ".join(column).split()
            self.follows |= set(zip(words, words[1:], strict=False))

    def continuity_batch(self, lefts: Sequence[str], rights: Sequence[str]) -> np.ndarray:
        pairs = zip(lefts, rights, strict=True)
        return np.array(
            [5.0 if (a.split()[-1], b.split()[0]) in self.follows else -5.0 for a, b in pairs]
        )


def test_a_splice_reads_on_into_the_lines_around_it_and_a_word_space_does_not() -> None:
    text = _page(ROWS)
    chunks = split_chunks(text)
    gaps = line_gaps(chunks)
    names, _, matrix = gap_features(text, chunks, gaps, general=_ColumnReader(ROWS), page=None)
    down = matrix[:, names.index("lm_down_first")]
    up = matrix[:, names.index("lm_up_last")]
    line_start = {c.line: c.start for c in chunks if c.first_in_line}
    position = np.array([chunks[r].start - line_start[chunks[r].line] for r in gaps.right])
    splice = position == 11
    middle = np.array([0 < chunks[r].line < len(ROWS) - 1 for r in gaps.right])
    # Left column's row runs on at the next line's start, the right column's row
    # runs on from the previous line's end; across the splice it reads on worse.
    assert np.all(down[splice & middle] == 10.0)
    assert np.all(up[splice & middle] == 10.0)
    # Across a word space the text already reads on: nothing better elsewhere.
    assert np.all(matrix[~splice, names.index("lm_down_best")] <= 0.0)
    assert np.all(matrix[~splice, names.index("lm_up_best")] <= 0.0)


def test_first_and_last_lines_have_no_neighbour_evidence() -> None:
    text = _page(ROWS)
    chunks = split_chunks(text)
    gaps = line_gaps(chunks)
    names, _, matrix = gap_features(text, chunks, gaps, general=_ColumnReader(ROWS), page=None)
    line = np.array([chunks[r].line for r in gaps.right])
    assert np.all(matrix[line == 0, names.index("lm_up_last")] == 0.0)
    assert np.all(matrix[line == 0, names.index("lm_up_best")] == 0.0)
    last = line == line.max()
    assert np.all(matrix[last, names.index("lm_down_first")] == 0.0)


def test_neighbour_search_looks_at_a_bounded_number_of_chunks() -> None:
    # The left word "alpha" reads on only into the fifth word of the next line.
    text = "alpha omega\nw1 w2 w3 w4 beta w6\n"
    chunks = split_chunks(text)
    gaps = line_gaps(chunks)
    reader = _ColumnReader([("alpha beta", "")])
    lefts = ["alpha"] + ["x"] * (len(gaps.right) - 1)
    rights = [chunks[r].text for r in gaps.right.tolist()]
    wide = dict(neighbour_continuity(text, chunks, gaps, reader, lefts, rights))
    narrow = dict(neighbour_continuity(text, chunks, gaps, reader, lefts, rights, cap=4))
    assert wide["down_best"][0] == 5.0
    assert narrow["down_best"][0] == -5.0
    assert np.isnan(wide["up_best"][0])


class _NamesOnly:
    """A stand-in splice model: records the features it is scored on, cuts nothing."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.seen: list[str] = []

    def check_features(self, names: list[str]) -> None:
        self.seen = names

    def log_odds(self, matrix: np.ndarray) -> np.ndarray:
        return np.full(len(matrix), -10.0)


@pytest.mark.parametrize("neighbours", [True, False])
def test_a_splice_model_is_scored_on_the_features_it_was_fitted_with(neighbours: bool) -> None:
    text = _page(ROWS)
    chunks = split_chunks(text)
    reader = _ColumnReader(ROWS)
    names, _, _ = gap_features(
        text, chunks, line_gaps(chunks), general=reader, page=None, neighbours=neighbours
    )
    model = _NamesOnly(names)
    cuts = predict_breaks(
        text,
        chunks,
        Splicer(model),  # type: ignore[arg-type]
        general=reader,
        page=None,
        fallback_cut_all=False,  # type: ignore[arg-type]
    )
    assert cuts == set() and model.seen == names
    assert ("lm_down_first" in names) is neighbours


class _WordReader:
    """A toy word model: 5 where the right side's first word follows the left's last."""

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        self.follows = _ColumnReader(rows).follows
        self.calls: list[int] = []

    def continuity_pairs(
        self, texts: Sequence[str], left: np.ndarray, right: np.ndarray
    ) -> np.ndarray:
        self.calls.append(len(texts))
        pairs = zip(left.tolist(), right.tolist(), strict=True)
        return np.array(
            [
                5.0 if (texts[a].split()[-1], texts[b].split()[0]) in self.follows else -5.0
                for a, b in pairs
            ]
        )


def test_word_contexts_hold_whole_words_of_the_line_only() -> None:
    text = "alpha beta gamma delta\nnext line\n"
    chunks = split_chunks(text)
    before, after = word_contexts(text, chunks, [0, 0, 0, 0, 23, 23])
    assert before[2] == "alpha beta gamma" and after[2] == "gamma delta"
    assert before[4] == "next" and after[3] == "delta"
    long = "w" * 30 + " cut " + "x" * 30 + " y\n"
    chunks = split_chunks(long)
    before, after = word_contexts(long, chunks, [0] * len(chunks))
    # Context windows never start or end inside a word.
    assert before[-1] == "cut " + "x" * 30 + " y"
    assert after[0] == "w" * 30 + " cut"


def test_word_pairs_asks_the_word_model_about_each_distinct_text_once() -> None:
    reader = _WordReader([("a b", "")])
    scores = WordPairs(reader).continuity_batch(["a", "a", "x"], ["b", "b", "b"])
    assert scores.tolist() == [5.0, 5.0, -5.0]
    assert reader.calls == [3]  # "a", "b", "x"
    assert len(WordPairs(reader).continuity_batch([], [])) == 0


def test_word_continuity_reads_on_into_the_column_below() -> None:
    text = _page(ROWS)
    chunks = split_chunks(text)
    gaps = line_gaps(chunks)
    names, families, matrix = gap_features(
        text, chunks, gaps, general=None, page=None, word=_WordReader(ROWS)
    )
    assert families[names.index("lm_word_gap_cont")] == "lm"
    line_start = {c.line: c.start for c in chunks if c.first_in_line}
    position = np.array([chunks[r].start - line_start[chunks[r].line] for r in gaps.right])
    splice = position == 11
    middle = np.array([0 < chunks[r].line < len(ROWS) - 1 for r in gaps.right])
    assert np.all(matrix[splice, names.index("lm_word_gap_cont")] == -5.0)
    assert np.all(matrix[splice & middle, names.index("lm_word_down_first")] == 10.0)
    off, _, _ = gap_features(
        text, chunks, gaps, general=None, page=None, word=_WordReader(ROWS), disable=("lm",)
    )
    assert not any(n.startswith("lm_word") for n in off)


@pytest.mark.parametrize("fitted_with_words", [True, False])
def test_the_word_model_is_read_only_by_splice_models_fitted_with_it(
    fitted_with_words: bool,
) -> None:
    text = _page(ROWS)
    chunks = split_chunks(text)
    word = _WordReader(ROWS)
    names, _, _ = gap_features(
        text,
        chunks,
        line_gaps(chunks),
        general=None,
        page=None,
        word=word if fitted_with_words else None,
    )
    model = _NamesOnly(names)
    predict_breaks(
        text,
        chunks,
        Splicer(model),  # type: ignore[arg-type]
        general=None,
        page=None,
        word=word,
        fallback_cut_all=False,
    )
    assert model.seen == names
    assert ("lm_word_gap_cont" in names) is fitted_with_words


LAYOUT_TEXT = (
    "Gencorp plans a sale       Goodyear predicts net\n"
    "of its aerospace unit\tfirst quarter gains\n"
    "which  it  announced today\n"
)


def _layout_cuts(cut_column_gaps: bool, disable: frozenset[str] = frozenset()) -> list[str]:
    chunks = split_chunks(LAYOUT_TEXT)
    names, _, _ = gap_features(LAYOUT_TEXT, chunks, line_gaps(chunks), general=None, page=None)
    cuts = predict_breaks(
        LAYOUT_TEXT,
        chunks,
        Splicer(_NamesOnly(names)),  # type: ignore[arg-type]
        general=None,
        page=None,
        disable=disable,
        fallback_cut_all=False,
        cut_column_gaps=cut_column_gaps,
    )
    return [chunks[k].text for k in sorted(cuts)]


def test_runs_of_spaces_and_tabs_cut_where_the_models_would_not() -> None:
    # The stand-in model cuts nothing; a layout extractor's column padding (seven
    # spaces, a tab) is cut, a justified line's two-space word gaps are not.
    assert _layout_cuts(cut_column_gaps=True) == ["Goodyear", "first"]
    assert _layout_cuts(cut_column_gaps=False) == []


def test_column_gap_cuts_belong_to_the_length_family() -> None:
    assert _layout_cuts(cut_column_gaps=True, disable=frozenset({"length"})) == []
