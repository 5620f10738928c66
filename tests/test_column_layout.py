"""The column pass sees each gap among the page's confident cuts and its column width."""

from __future__ import annotations

import numpy as np
import pytest

from newsdeinterleave.column_layout import (
    LAYOUT_FEATURES,
    chunk_positions,
    column_matrix,
    column_width,
    gap_geometry,
    layout_features,
)
from newsdeinterleave.segmentation import split_chunks
from newsdeinterleave.splicing import Splicer, gap_features, line_gaps, predict_breaks
from newsdeinterleave.text import display_width

# Two columns of ten display columns joined by one space, as OCR joins rows:
# the seam is at offset 11 on every line, the word spaces wander.
ROWS = [
    ("the quick", "and so on"),
    ("brown fox", "it went to"),
    ("jumps over", "the river"),
    ("a lazy dog", "bank where"),
    ("and then", "it stayed"),
    ("ran away", "for a day"),
]
TEXT = "\n".join(f"{a:<10} {b}" for a, b in ROWS)


def _geometry(text: str = TEXT):  # type: ignore[no-untyped-def]
    chunks = split_chunks(text)
    gaps = line_gaps(chunks)
    widths = np.array([display_width(c.text) for c in chunks], dtype=np.float64)
    return chunks, gaps, gap_geometry(chunks, widths, gaps.right)


def _at_seam(chunks, gaps) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Which gaps sit at the seam: the chunk after them starts at offset 11 of its line."""
    starts = [chunks[r].start for r in gaps.right.tolist()]
    return np.array([s - TEXT.rfind("\n", 0, s) - 1 == 11 for s in starts])


def test_positions_count_wide_characters_twice_and_spaces_once() -> None:
    chunks = split_chunks("新闻 ab  cd\nxy")
    widths = np.array([display_width(c.text) for c in chunks], dtype=np.float64)
    position, line_width = chunk_positions(chunks, widths)
    assert position.tolist() == [0.0, 5.0, 9.0, 0.0]
    assert line_width.tolist() == [11.0, 2.0]


def test_the_column_width_is_where_confident_first_cuts_fall() -> None:
    chunks, gaps, geometry = _geometry()
    at_seam = _at_seam(chunks, gaps)
    assert at_seam.sum() == len(ROWS)
    assert column_width(geometry, at_seam) == pytest.approx(11.0)
    # Without confident cuts the width falls back to the long lines' width.
    assert column_width(geometry, np.zeros(len(at_seam), dtype=bool)) >= 20


def test_a_seam_the_lines_around_agree_on_is_supported_and_a_word_space_is_not() -> None:
    chunks, gaps, geometry = _geometry()
    at_seam = _at_seam(chunks, gaps)
    # A first pass that is only lukewarm about every seam and doubts every word space.
    first_pass = np.where(at_seam, 0.6, 0.1)
    rows = layout_features(geometry, first_pass)
    assert rows.shape == (len(at_seam), len(LAYOUT_FEATURES))
    support = rows[:, LAYOUT_FEATURES.index("layout_support_mean")]
    assert support[at_seam].min() > support[~at_seam].max()
    segment = rows[:, LAYOUT_FEATURES.index("layout_segment")]
    # A word space inside the first column sits in a segment one column wide.
    assert segment[~at_seam].max() <= 2.0
    matrix = column_matrix(geometry, np.zeros((len(at_seam), 3)), first_pass)
    assert matrix.shape == (len(at_seam), 3 + len(LAYOUT_FEATURES))


def test_no_gaps_give_no_rows() -> None:
    _, _, geometry = _geometry("one\ntwo")
    assert layout_features(geometry, np.zeros(0)).shape == (0, len(LAYOUT_FEATURES))


class _Constant:
    """A scorer that records the feature names it is asked about and returns fixed odds."""

    def __init__(self, names: list[str], log_odds: float) -> None:
        self.names = names
        self.value = log_odds
        self.seen: list[str] = []

    def check_features(self, names: list[str]) -> None:
        self.seen = names

    def log_odds(self, matrix: np.ndarray) -> np.ndarray:
        return np.full(len(matrix), self.value)


def test_the_column_pass_decides_unless_length_evidence_is_switched_off() -> None:
    chunks = split_chunks(TEXT)
    names, _, _ = gap_features(TEXT, chunks, line_gaps(chunks), general=None, page=None)
    first = _Constant(names, -10.0)  # cuts nothing
    columns = _Constant(names + list(LAYOUT_FEATURES), 10.0)  # cuts everything
    splicer = Splicer(first, columns)  # type: ignore[arg-type]
    common = dict(general=None, page=None, fallback_cut_all=False)
    every_gap = set(line_gaps(chunks).right.tolist())
    assert predict_breaks(TEXT, chunks, splicer, **common) == every_gap  # type: ignore[arg-type]
    assert columns.seen == names + list(LAYOUT_FEATURES)
    no_length = predict_breaks(TEXT, chunks, splicer, disable={"length"}, **common)  # type: ignore[arg-type]
    assert no_length == set()
