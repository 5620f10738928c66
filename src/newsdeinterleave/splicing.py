"""Where a line holds text from more than one place in reading order.

Extractors splice the rows of neighbouring columns onto one line and join a
paragraph's visual lines with spaces; justified CJK lines may even come out
letter-spaced (``习 近 平``). Every whitespace gap inside a line is therefore
either an inner space (keep the two chunks in one fragment) or a possible
splice (cut, and let the link model decide what follows). A small learned
model decides from the two chunks' widths, punctuation and language-model
continuity across the gap. Cutting too often only costs the link model an
easy decision; failing to cut glues two articles together, so the threshold
leans towards cutting.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from newsdeinterleave.column_layout import (
    LAYOUT_FEATURES,
    GapGeometry,
    chunk_positions,
    column_matrix,
    gap_geometry,
)
from newsdeinterleave.features import Continuity, WordContinuity, WordPairs
from newsdeinterleave.punctuation import CLAUSE_END, NO_LINE_START, ends_sentence
from newsdeinterleave.scoring import Scorer, probability
from newsdeinterleave.segmentation import Chunk
from newsdeinterleave.text import display_width

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

CUT_THRESHOLD = 0.35

# A gap inside a line at least this many whitespace characters wide (or holding
# a tab) separates columns. Layout-preserving extractors (pdftotext -layout,
# PyMuPDF's sorted text) pad the columns of a row apart with runs of spaces;
# the extractors the Latin splice models were fitted on never put more than two
# spaces between the words of one printed line (pdfminer pads justified lines to
# two), so to those models a wide gap is an unknown thing, and they read it as
# the two-space gaps they know, which are never splices. A justified line set
# loose is cut too, which costs the link model an easy join of two fragments
# that stand next to each other.
COLUMN_GAP = 3


@dataclass(frozen=True)
class Splicer:
    """The splice models of one language: the per-gap pass and, where fitted, the column pass.

    ``columns`` reads the per-gap features plus :mod:`column_layout`'s view of
    the first pass's cuts (it is fitted on out-of-fold first-pass output).
    """

    gaps: Scorer
    columns: Scorer | None = None


@dataclass(frozen=True)
class Gaps:
    """The within-line gaps of a page: gap k lies before chunk ``right[k]``."""

    left: IntArray
    right: IntArray


def line_gaps(chunks: Sequence[Chunk]) -> Gaps:
    right = np.array([c.index for c in chunks if not c.first_in_line], dtype=np.int64)
    return Gaps(left=right - 1, right=right)


def gap_features(
    text: str,
    chunks: Sequence[Chunk],
    gaps: Gaps,
    *,
    general: Continuity | None,
    page: Continuity | None,
    word: WordContinuity | None = None,
    disable: Collection[str] = (),
    neighbours: bool = True,
) -> tuple[list[str], list[str], FloatArray]:
    """Feature matrix (one row per gap) with names and families.

    ``neighbours`` adds :func:`neighbour_continuity` (every LM given); a
    model fitted without it is scored without it. ``word`` (a word model,
    ``lm`` family) is asked about whole words on either side of each gap
    (:func:`word_contexts`), since in Latin OCR a splice sits between two
    words and twelve characters see little more than one of them.
    """
    f = np.float64
    widths = np.array([display_width(c.text) for c in chunks], dtype=f)
    typical = float(np.quantile(widths, 0.8)) if len(widths) else 1.0
    typical = max(typical, 1.0)
    lw, rw = widths[gaps.left], widths[gaps.right]
    # How letter-spaced is the line: share of its chunks that are one or two characters.
    line_ids = np.array([c.line for c in chunks], dtype=np.int64)
    tiny = (np.array([len(c.text) for c in chunks]) <= 2).astype(f)
    line_tiny = np.bincount(line_ids, weights=tiny) / np.maximum(np.bincount(line_ids), 1)
    starts = _line_starts(chunks)
    offset_in_line = np.array([chunks[r].start - starts[r] for r in gaps.right.tolist()], dtype=f)
    gap_len = np.array([chunks[r].start - chunks[r - 1].end for r in gaps.right.tolist()], dtype=f)
    cols: list[tuple[str, str, FloatArray]] = [
        ("gap_wide", "order", (gap_len >= 2).astype(f)),
        ("line_tiny_share", "order", line_tiny[line_ids[gaps.right]]),
    ]
    if "length" not in disable:
        line_end = _line_ends(chunks)
        line_len = np.array([line_end[r] - starts[r] for r in gaps.right.tolist()], dtype=f)
        all_lens = np.array(sorted(set(zip(starts, line_end, strict=True))), dtype=f)
        median_line = float(np.median(all_lens[:, 1] - all_lens[:, 0])) if len(all_lens) else 1.0
        cols += [
            ("offset_frac", "length", offset_in_line / np.maximum(line_len, 1)),
            ("line_rel", "length", np.minimum(line_len / max(median_line, 1.0), 4.0)),
            ("left_rel", "length", np.minimum(lw / typical, 2.0)),
            ("right_rel", "length", np.minimum(rw / typical, 2.0)),
            ("left_tiny", "length", (lw <= 2).astype(f)),
            ("right_tiny", "length", (rw <= 2).astype(f)),
            ("offset_rel", "length", np.minimum(offset_in_line / typical, 4.0)),
        ]
        share, chance = column_alignment(chunks, widths, gaps)
        cols += [("align_share", "length", share), ("align_chance", "length", chance)]
    if "punctuation" not in disable:
        ltext = [chunks[k].text for k in gaps.left.tolist()]
        rtext = [chunks[k].text for k in gaps.right.tolist()]
        cols += [
            ("left_sentence", "punctuation", np.array([ends_sentence(t) for t in ltext], f)),
            ("left_clause", "punctuation", np.array([t[-1] in CLAUSE_END for t in ltext], f)),
            ("right_close", "punctuation", np.array([t[0] in NO_LINE_START for t in rtext], f)),
            ("right_upper", "punctuation", np.array([t[0].isupper() for t in rtext], f)),
            ("right_lower", "punctuation", np.array([t[0].islower() for t in rtext], f)),
            ("left_hyphen", "punctuation", np.array([t.endswith("-") for t in ltext], f)),
        ]
    char_contexts = chunk_contexts(text, chunks, starts)
    models: list[tuple[str, str, Continuity | None, tuple[list[str], list[str]]]] = [
        ("lm", "lm", general, char_contexts),
        ("page_lm", "page_lm", page, char_contexts),
    ]
    if word is not None:
        models.append(("lm_word", "lm", WordPairs(word), word_contexts(text, chunks, starts)))
    built: dict[int, NeighbourPairs] = {}  # per context pair: built once, scored by each LM
    for name, family, model, contexts in models:
        if family in disable or model is None or not len(gaps.right):
            continue
        before, after = contexts
        lefts = [before[k] for k in gaps.left.tolist()]
        rights = [after[k] for k in gaps.right.tolist()]
        score = np.clip(np.nan_to_num(model.continuity_batch(lefts, rights)), -20, 20)
        cols.append((f"{name}_gap_cont", family, score))
        if neighbours:
            if id(contexts) not in built:
                built[id(contexts)] = neighbour_pairs(chunks, gaps, before, after, lefts, rights)
            pairs = built[id(contexts)]
            cols += [
                (f"{name}_{key}", family, np.where(np.isnan(value), 0.0, value - score))
                for key, value in score_neighbours(pairs, model)
            ]
    names = [c[0] for c in cols]
    families = [c[1] for c in cols]
    matrix = np.column_stack([c[2] for c in cols]) if len(gaps.right) else np.zeros((0, len(cols)))
    return names, families, matrix


# Continuity is scored on this many characters before a gap (within its line)
# and this many after it.
LEFT_CONTEXT = 12
RIGHT_CONTEXT = 8


def chunk_contexts(
    text: str, chunks: Sequence[Chunk], line_starts: Sequence[int]
) -> tuple[list[str], list[str]]:
    """Per chunk: its line's text up to the chunk's end, and the chunk's first characters."""
    before = [text[max(line_starts[k], c.end - LEFT_CONTEXT) : c.end] for k, c in enumerate(chunks)]
    after = [c.text[:RIGHT_CONTEXT] for c in chunks]
    return before, after


# The word model reads two words either side of a gap; this many characters
# hold them but for the rarest words.
WORD_CONTEXT = 48


def word_contexts(
    text: str, chunks: Sequence[Chunk], line_starts: Sequence[int]
) -> tuple[list[str], list[str]]:
    """Per chunk: its line up to the chunk's end, and its line from the chunk's start.

    The left side starts at a space (or the line start) so the word model
    never reads a word cut in half.
    """
    line_ends = _line_ends(chunks)
    before: list[str] = []
    after: list[str] = []
    for k, c in enumerate(chunks):
        left = text[max(line_starts[k], c.end - WORD_CONTEXT) : c.end]
        if c.end - WORD_CONTEXT > line_starts[k]:
            left = _drop_first_word(left)
        right = text[c.start : min(line_ends[k], c.start + WORD_CONTEXT)]
        if c.start + WORD_CONTEXT < line_ends[k]:
            right = _drop_first_word(right[::-1])[::-1]
        before.append(left)
        after.append(right)
    return before, after


def _drop_first_word(text: str) -> str:
    """``text`` without its first whitespace-separated token (unchanged if it has one)."""
    parts = text.split(None, 1)
    return parts[1] if len(parts) == 2 else text


# Continuations into the neighbouring lines are looked for among at most this
# many chunks of each line (a line of a four-column OCR page holds about 40 words).
NEIGHBOUR_CHUNKS = 40
# Each direction's nearest chunk (the next line's first, the previous line's
# last) and its best chunk; feature names end with these.
NEIGHBOUR_KEYS = ("down_first", "down_best", "up_last", "up_best")
NEIGHBOUR_SUFFIXES = tuple(f"_{key}" for key in NEIGHBOUR_KEYS)
# Languages whose splice models are fitted with neighbour continuity. Latin
# OCR joins column rows with one space, where little else tells a seam from a
# word space; CJK splices are already found at 0.94 recall without it (zh-dev),
# and the shipped Chinese models, fitted without it, score better on the dev
# pages than a Chinese refit with it (docs/engine.md).
NEIGHBOUR_LANGUAGES = frozenset({"en"})


@dataclass(frozen=True)
class NeighbourPairs:
    """The texts to score for every gap against the lines below (down) and above (up).

    Built once per page and scored with each language model. Within each
    direction a gap's pairs are consecutive, nearest chunk first.
    """

    n_gaps: int
    down_gap: IntArray
    down_texts: tuple[list[str], list[str]]
    up_gap: IntArray
    up_texts: tuple[list[str], list[str]]


def neighbour_pairs(
    chunks: Sequence[Chunk],
    gaps: Gaps,
    before: Sequence[str],
    after: Sequence[str],
    lefts: Sequence[str],
    rights: Sequence[str],
    cap: int = NEIGHBOUR_CHUNKS,
) -> NeighbourPairs:
    """Each gap's left side against the next line's first ``cap`` chunks, and the
    previous line's last ``cap`` chunks against its right side."""
    first_of_line = [c.index for c in chunks if c.first_in_line]
    line_no = np.cumsum([c.first_in_line for c in chunks]) - 1
    bounds = np.array(first_of_line + [len(chunks)], dtype=np.int64)
    n_lines = len(first_of_line)
    gap_line = line_no[gaps.left]

    def candidates(offset: int, last: bool) -> tuple[IntArray, list[int]]:
        other = gap_line + offset
        valid = (other >= 0) & (other < n_lines)
        other = np.clip(other, 0, max(n_lines - 1, 0))
        size = np.where(valid, np.minimum(bounds[other + 1] - bounds[other], cap), 0)
        gap_idx = np.repeat(np.arange(len(gap_line)), size)
        rank = np.arange(int(size.sum())) - np.repeat(np.cumsum(size) - size, size)
        line_of = other[gap_idx]
        chunk = bounds[line_of + 1] - 1 - rank if last else bounds[line_of] + rank
        return gap_idx, chunk.tolist()

    down_gap, down_chunk = candidates(1, last=False)
    up_gap, up_chunk = candidates(-1, last=True)
    return NeighbourPairs(
        n_gaps=len(gap_line),
        down_gap=down_gap,
        down_texts=([lefts[g] for g in down_gap.tolist()], [after[k] for k in down_chunk]),
        up_gap=up_gap,
        up_texts=([before[k] for k in up_chunk], [rights[g] for g in up_gap.tolist()]),
    )


def score_neighbours(pairs: NeighbourPairs, model: Continuity) -> list[tuple[str, FloatArray]]:
    """Nearest and best continuity per gap and direction (NaN where there is no such line)."""
    out: list[tuple[str, FloatArray]] = []
    directions = (
        (NEIGHBOUR_KEYS[:2], pairs.down_gap, pairs.down_texts),
        (NEIGHBOUR_KEYS[2:], pairs.up_gap, pairs.up_texts),
    )
    for (nearest_key, best_key), gap_idx, (left, right) in directions:
        scores = np.clip(np.nan_to_num(model.continuity_batch(left, right)), -20, 20)
        best = np.full(pairs.n_gaps, -np.inf)
        nearest = np.full(pairs.n_gaps, np.nan)
        if len(gap_idx):
            np.maximum.at(best, gap_idx, scores)
            head = np.flatnonzero(np.r_[True, gap_idx[1:] != gap_idx[:-1]])
            nearest[gap_idx[head]] = scores[head]
        out += [(nearest_key, nearest), (best_key, np.where(best > -np.inf, best, np.nan))]
    return out


def neighbour_continuity(
    text: str,
    chunks: Sequence[Chunk],
    gaps: Gaps,
    model: Continuity,
    lefts: Sequence[str],
    rights: Sequence[str],
    cap: int = NEIGHBOUR_CHUNKS,
) -> list[tuple[str, FloatArray]]:
    """How well each gap's two sides continue into the lines above and below.

    Across a splice the text on the left runs on at the next line (into the
    first chunk when the splice is the first column edge) and the text on the
    right runs on from the line above (from its last chunk at the last column
    edge). An OCR engine joining column rows with one space leaves only this
    and the column alignment as evidence: the words on either side of a splice
    often read on plausibly, but they read on better where the column does.
    Each score is the best continuity found, to be compared with the
    continuity across the gap itself (NaN where there is no such line).
    ``lefts`` and ``rights`` are the gaps' two sides; :func:`gap_features`
    builds the pairs once and scores them with each language model.
    """
    before, after = chunk_contexts(text, chunks, _line_starts(chunks))
    return score_neighbours(neighbour_pairs(chunks, gaps, before, after, lefts, rights, cap), model)


ALIGN_RADIUS = 6


def column_alignment(
    chunks: Sequence[Chunk], widths: FloatArray, gaps: Gaps, radius: int = ALIGN_RADIUS
) -> tuple[FloatArray, FloatArray]:
    """How many nearby lines have a gap at the same place, and how many would by chance.

    A splice sits where a column edge falls, and column edges fall at the same
    printed position line after line, while the spaces between words wander.
    When an OCR engine joins the rows of two columns with a single space this
    is the only layout evidence of the cut: the gap lines up with gaps above
    and below. Positions are display widths from the start of the line, with
    a tolerance that grows with the position (proportional fonts drift).
    """
    n_gaps = len(gaps.right)
    if not n_gaps:
        return np.zeros(0), np.zeros(0)
    line = np.array([c.line for c in chunks], dtype=np.int64)
    position, line_width = chunk_positions(chunks, widths)
    gaps_per_line = np.bincount(line[gaps.right], minlength=len(line_width)).astype(np.float64)

    x = position[gaps.right]
    gline = line[gaps.right]
    # Lines are laid end to end on one axis, far enough apart that no
    # tolerance window reaches into the next line.
    scale = 2.0 * (float(line_width.max()) + 2.0)
    keys = np.sort(gline * scale + x)
    tol = 1.0 + 0.05 * x
    hits = np.zeros(n_gaps)
    seen = np.zeros(n_gaps)
    chance = np.zeros(n_gaps)
    for r in range(-radius, radius + 1):
        other = gline + r
        if r == 0:
            continue
        valid = (other >= 0) & (other < len(line_width))
        other_c = np.clip(other, 0, len(line_width) - 1)
        valid &= line_width[other_c] > 0
        lo = np.searchsorted(keys, other_c * scale + x - tol, side="left")
        hi = np.searchsorted(keys, other_c * scale + x + tol, side="right")
        hits += valid & (hi > lo)
        seen += valid
        density = gaps_per_line[other_c] / np.maximum(line_width[other_c], 1.0)
        chance += valid * np.minimum(1.0, density * (2 * tol + 1))
    seen = np.maximum(seen, 1)
    return hits / seen, chance / seen


def _line_ends(chunks: Sequence[Chunk]) -> list[int]:
    """Offset just past the last chunk of each chunk's line."""
    out = [0] * len(chunks)
    current = 0
    for k in range(len(chunks) - 1, -1, -1):
        if chunks[k].last_in_line:
            current = chunks[k].end
        out[k] = current
    return out


def _line_starts(chunks: Sequence[Chunk]) -> list[int]:
    """Offset of the first chunk of each chunk's line."""
    out: list[int] = []
    current = 0
    for c in chunks:
        if c.first_in_line:
            current = c.start
        out.append(current)
    return out


def predict_breaks(
    text: str,
    chunks: Sequence[Chunk],
    splicer: Splicer | None,
    *,
    general: Continuity | None,
    page: Continuity | None,
    word: WordContinuity | None = None,
    disable: Collection[str] = (),
    fallback_cut_all: bool,
    cut_column_gaps: bool = False,
) -> set[int]:
    """Chunk indices that start a new fragment inside their line.

    The column pass runs when the splicer has one and column-width evidence
    (the ``length`` family) is switched on. The word model is read only by
    splice models fitted with it. ``cut_column_gaps`` adds the cuts of
    :func:`column_gaps` (``length`` family) to the models' own: for models
    that never saw such gaps in training.
    """
    gaps = line_gaps(chunks)
    if not len(gaps.right):
        return set()
    wide = column_gaps(text, chunks, gaps) if cut_column_gaps and "length" not in disable else set()
    return wide | _model_breaks(
        text,
        chunks,
        gaps,
        splicer,
        general=general,
        page=page,
        word=word,
        disable=disable,
        fallback_cut_all=fallback_cut_all,
    )


def column_gaps(text: str, chunks: Sequence[Chunk], gaps: Gaps) -> set[int]:
    """Chunks after a gap of :data:`COLUMN_GAP` or more whitespace characters, or a tab.

    Only gaps inside one input line count: two chunks a flattened page's
    reconstructed line (:func:`segmentation.unflatten`) holds may lie on
    different input lines.
    """
    out = set()
    for r in gaps.right.tolist():
        gap = text[chunks[r - 1].end : chunks[r].start]
        if "\n" not in gap and (len(gap) >= COLUMN_GAP or "\t" in gap):
            out.add(r)
    return out


def _model_breaks(
    text: str,
    chunks: Sequence[Chunk],
    gaps: Gaps,
    splicer: Splicer | None,
    *,
    general: Continuity | None,
    page: Continuity | None,
    word: WordContinuity | None,
    disable: Collection[str],
    fallback_cut_all: bool,
) -> set[int]:
    if splicer is None:
        if fallback_cut_all:
            return set(gaps.right.tolist())
        wide = [r for r in gaps.right.tolist() if chunks[r].start - chunks[r - 1].end >= 2]
        return set(wide)
    neighbours = any(name.endswith(NEIGHBOUR_SUFFIXES) for name in splicer.gaps.names)
    if not reads_words(splicer.gaps):
        word = None
    names, _, matrix = gap_features(
        text,
        chunks,
        gaps,
        general=general,
        page=page,
        word=word,
        disable=disable,
        neighbours=neighbours,
    )
    splicer.gaps.check_features(names)
    prob = probability(splicer.gaps.log_odds(matrix))
    if splicer.columns is not None and "length" not in disable:
        widths = np.array([display_width(c.text) for c in chunks], dtype=np.float64)
        geometry = gap_geometry(chunks, widths, gaps.right)
        prob = column_probability(splicer.columns, names, matrix, geometry, prob)
    return set(gaps.right[prob >= CUT_THRESHOLD].tolist())


def reads_words(model: Scorer) -> bool:
    """Whether a splice model was fitted with word-model columns (those before were not)."""
    return any(name.startswith("lm_word_") for name in model.names)


def column_probability(
    columns: Scorer,
    names: list[str],
    matrix: FloatArray,
    geometry: GapGeometry,
    first_pass: FloatArray,
) -> FloatArray:
    """The column pass's cut probability per gap, from the first pass's features and output."""
    columns.check_features(names + list(LAYOUT_FEATURES))
    return probability(columns.log_odds(column_matrix(geometry, matrix, first_pass)))
