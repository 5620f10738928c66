"""Splice evidence: where a gap inside a line lines up with gaps in the lines around it."""

from __future__ import annotations

import numpy as np

from newsdeinterleave.segmentation import split_chunks
from newsdeinterleave.splicing import column_alignment, gap_features, line_gaps
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
    names_off, _, _ = gap_features(
        text, chunks, gaps, general=None, page=None, disable=("length",)
    )
    assert "align_share" not in names_off


def test_no_gaps_gives_empty_features() -> None:
    rights, share, chance = _alignment("one\ntwo\n")
    assert rights == [] and len(share) == 0 and len(chance) == 0
