"""Evidence that fragment ``j`` directly continues fragment ``i``.

Features come in families so that each can be switched off for ablation:

* ``order``: where the extractor put the two (always on: it is the prior that
  most joins are already in order);
* ``length``: line width against the local column width (full lines continue,
  short lines end paragraphs, lines of one column share a width);
* ``punctuation``: CJK line-breaking rules, sentence ends, brackets, Latin
  hyphenation and capitalisation;
* ``lm``: continuity under the shipped statistical language model;
* ``page_lm``: continuity under counts taken from the page itself;
* ``topic``: shared rare characters between the two fragments' lines.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import percentile_filter

from newsdeinterleave.punctuation import (
    CLAUSE_END,
    NO_LINE_END,
    NO_LINE_START,
    ends_sentence,
    leading_close,
    unbalanced_open,
)
from newsdeinterleave.segmentation import Fragment
from newsdeinterleave.text import display_width

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

FAMILIES = ("length", "punctuation", "lm", "page_lm", "topic")


class Continuity(Protocol):
    def continuity_batch(self, lefts: Sequence[str], rights: Sequence[str]) -> FloatArray: ...


class WordContinuity(Protocol):
    """Word-level continuity of index pairs (``word_model.WordModel``)."""

    def continuity_pairs(
        self, texts: Sequence[str], left: IntArray, right: IntArray
    ) -> FloatArray: ...


@dataclass(frozen=True)
class WordPairs:
    """A word model asked about text pairs, as :class:`Continuity` asks a character model.

    The splice stage scores each within-line gap against many neighbouring
    chunks, so the same few hundred contexts recur in thousands of pairs;
    each distinct text is handed to the word model once.
    """

    word: WordContinuity

    def continuity_batch(self, lefts: Sequence[str], rights: Sequence[str]) -> FloatArray:
        if not len(lefts):
            return np.zeros(0)
        texts, inverse = np.unique(np.array([*lefts, *rights], dtype=object), return_inverse=True)
        inverse = inverse.astype(np.int64)
        n = len(lefts)
        return self.word.continuity_pairs(texts.tolist(), inverse[:n], inverse[n:])


@dataclass(frozen=True)
class FragmentTable:
    """Per-fragment measurements, as parallel arrays, computed once per page."""

    texts: list[str]
    width: FloatArray
    colw: FloatArray
    line: IntArray
    first: BoolArray
    last: BoolArray
    end_sentence: BoolArray
    end_clause: BoolArray
    end_open: BoolArray
    start_close: BoolArray
    start_lower: BoolArray
    start_upper: BoolArray
    start_digit: BoolArray
    end_digit: BoolArray
    end_hyphen: BoolArray
    unbalanced: BoolArray
    lead_close: BoolArray
    # Blank lines above each fragment's line, over the whole page (raw line minus line rank).
    blanks_above: IntArray

    @property
    def style(self) -> tuple[float, float]:
        """Page style: share of lines holding several fragments, log median width.

        Extractors differ (one visual line per line, paragraphs joined into one
        line, columns spliced side by side); the same evidence means different
        things under each, so link features are also given crossed with these.
        """
        if not self.size:
            return 0.0, 0.0
        per_line = np.bincount(self.line)
        multi = float((per_line[per_line > 0] > 1).mean())
        return multi, float(np.log1p(np.median(self.width)))

    @property
    def size(self) -> int:
        return len(self.texts)

    @property
    def blank_before(self) -> BoolArray:
        """Fragments whose line has a blank line (or the page start) above it."""
        line_blanks = np.zeros(int(self.line.max()) + 1 if self.size else 0, dtype=np.int64)
        line_blanks[self.line] = self.blanks_above
        gap: BoolArray = np.diff(line_blanks, prepend=-1) > 0
        return gap[self.line]

    @property
    def blank_after(self) -> BoolArray:
        """Fragments whose line has a blank line (or the page end) below it."""
        line_blanks = np.zeros(int(self.line.max()) + 1 if self.size else 0, dtype=np.int64)
        line_blanks[self.line] = self.blanks_above
        gap: BoolArray = np.append(np.diff(line_blanks) > 0, True)
        return gap[self.line]

    @property
    def block_end(self) -> BoolArray:
        """Fragments that end a line followed by a blank line (or end the page)."""
        return self.last & self.blank_after

    @property
    def block_start(self) -> BoolArray:
        """Fragments that start a line after a blank line (or start the page)."""
        return self.first & self.blank_before

    @property
    def blank_share(self) -> float:
        """Share of the page's line ends followed by a blank line (how it marks blocks)."""
        ends = self.last[:-1]
        if not ends.any():
            return 0.0
        return float(self.block_end[:-1][ends].mean())

    @property
    def single(self) -> BoolArray:
        return self.first & self.last

    @property
    def rel(self) -> FloatArray:
        return self.width / np.maximum(self.colw, 1.0)


def local_column_width(width: FloatArray, radius: int = 12) -> FloatArray:
    """A robust local maximum of line widths: the width a full line of this region has.

    Columns differ in width across a page, so one page-wide estimate would
    call every line of a narrow column "short"; a high quantile over the
    neighbouring fragments follows the column the fragment sits in.
    """
    out = percentile_filter(width, 80, size=2 * radius + 1, mode="nearest")
    return np.maximum(np.asarray(out, dtype=np.float64), 1.0)


def fragment_table(fragments: Sequence[Fragment]) -> FragmentTable:
    texts = [f.text for f in fragments]
    width = np.array([display_width(t) for t in texts], dtype=np.float64)
    lines = np.array([f.line for f in fragments], dtype=np.int64)
    # Rank of non-empty lines, so blank separator lines don't count as distance.
    _, line_rank = np.unique(lines, return_inverse=True)

    def flag(pred: Callable[[str], object]) -> BoolArray:
        return np.array([bool(pred(t)) for t in texts], dtype=np.bool_)

    return FragmentTable(
        texts=texts,
        width=width,
        colw=local_column_width(width) if len(texts) else width,
        line=line_rank.astype(np.int64),
        first=np.array([f.first_in_line for f in fragments], dtype=bool),
        last=np.array([f.last_in_line for f in fragments], dtype=bool),
        end_sentence=flag(ends_sentence),
        end_clause=flag(lambda t: t[-1] in CLAUSE_END),
        end_open=flag(lambda t: t[-1] in NO_LINE_END),
        start_close=flag(lambda t: t[0] in NO_LINE_START),
        start_lower=flag(lambda t: t[0].islower()),
        start_upper=flag(lambda t: t[0].isupper()),
        start_digit=flag(lambda t: t[0].isdigit()),
        end_digit=flag(lambda t: t[-1].isdigit()),
        end_hyphen=flag(lambda t: len(t) > 1 and t[-1] == "-" and t[-2].isalpha()),
        unbalanced=flag(lambda t: unbalanced_open(t) > 0),
        lead_close=flag(leading_close),
        blanks_above=(lines - line_rank).astype(np.int64),
    )


def candidate_pairs(n: int, window: int) -> tuple[IntArray, IntArray]:
    """All ordered pairs within ``window`` fragments of each other (never i -> i)."""
    if n < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    offsets = np.concatenate([np.arange(-window, 0), np.arange(1, window + 1)])
    ii = np.repeat(np.arange(n, dtype=np.int64), len(offsets))
    jj = ii + np.tile(offsets, n)
    keep = (jj >= 0) & (jj < n)
    return ii[keep], jj[keep]


def continuity_of_pairs(
    model: Continuity, texts: Sequence[str], ii: IntArray, jj: IntArray
) -> FloatArray:
    """Continuity for index pairs, through the model's fast path when it has one."""
    fast = getattr(model, "continuity_pairs", None)
    if fast is not None:
        # Only a fragment's ends matter; trimming bounds the cost of very long fragments.
        ends = [t if len(t) <= 64 else t[:32] + t[-32:] for t in texts]
        return np.asarray(fast(ends, ii, jj), dtype=np.float64)
    left = [texts[i][-12:] for i in ii.tolist()]
    right = [texts[j][:8] for j in jj.tolist()]
    return np.asarray(model.continuity_batch(left, right), dtype=np.float64)


def bigram_continuity(
    model: Continuity, texts: Sequence[str], ii: IntArray, jj: IntArray
) -> FloatArray:
    """Continuity of j's first character after i's last one, computed once per distinct pair."""
    if not len(ii):
        return np.zeros(0)
    last = [t[-1] for t in texts]
    first = [t[0] for t in texts]
    alphabet = {ch: k for k, ch in enumerate(sorted(set(last) | set(first)))}
    a = np.array([alphabet[c] for c in last], dtype=np.int64)[ii]
    b = np.array([alphabet[c] for c in first], dtype=np.int64)[jj]
    codes, inverse = np.unique(a * len(alphabet) + b, return_inverse=True)
    chars = list(alphabet)
    lefts = [chars[int(c) // len(alphabet)] for c in codes]
    rights = [chars[int(c) % len(alphabet)] for c in codes]
    score = np.asarray(model.continuity_batch(lefts, rights), dtype=np.float64)
    score = np.clip(np.nan_to_num(score, nan=0.0, posinf=20.0, neginf=-20.0), -20, 20)
    return np.asarray(score[inverse.ravel()], dtype=np.float64)


def order_reliability(ii: IntArray, jj: IntArray, score: FloatArray, n: int) -> float:
    """Share of fragments whose best-scoring continuation is simply the next fragment.

    Some extractors keep nearly everything in order (their pages need few
    repairs); others interleave constantly. The same adjacency evidence should
    weigh differently on the two, and this page-level statistic from the cheap
    first-stage scores tells them apart.
    """
    if n < 2 or not len(ii):
        return 0.0
    best = np.full(n, -np.inf)
    np.maximum.at(best, ii, score)
    adjacent = jj == ii + 1
    hits = np.zeros(n, dtype=bool)
    hits[ii[adjacent]] = score[adjacent] >= best[ii[adjacent]]
    return float(hits[:-1].mean())


STRIDE_RADIUS = 6


@dataclass(frozen=True)
class BestOffsets:
    """Per fragment, how far away its best-scoring continuation and predecessor lie."""

    out: IntArray
    into: IntArray


def best_offsets(n: int, ii: IntArray, jj: IntArray, score: FloatArray) -> BestOffsets:
    """Offsets (j - i) of each fragment's top-scoring successor and predecessor.

    Fragments without a candidate get an offset no pair can have.
    """
    none = np.int64(1 << 40)

    def best(key: IntArray) -> IntArray:
        out = np.full(n, none, dtype=np.int64)
        if not len(key):
            return out
        top = _group_max(key, score, n)
        winners = np.flatnonzero(score >= top[key])
        # Ties go to the first pair in candidate order.
        _, first = np.unique(key[winners], return_index=True)
        chosen = winners[first]
        out[key[chosen]] = (jj - ii)[chosen]
        return out

    return BestOffsets(out=best(ii), into=best(jj))


def stride_votes(
    n: int, ii: IntArray, jj: IntArray, best: BestOffsets, radius: int = STRIDE_RADIUS
) -> list[tuple[str, FloatArray]]:
    """How many neighbours of i (and of j) prefer a link of the same length as i -> j.

    Extractors that read across columns interleave them with a steady
    period: when the lines around i continue k fragments later, i most likely
    does too. The votes turn that regularity into evidence for each pair,
    from the first-stage scores of the neighbours alone.
    """
    offset = jj - ii

    def vote(anchor: IntArray, prefer: IntArray, reach: int) -> FloatArray:
        hits = np.zeros(len(anchor))
        seen = np.zeros(len(anchor))
        for r in range(-reach, reach + 1):
            if r == 0:
                continue
            k = anchor + r
            valid = (k >= 0) & (k < n)
            hits += valid & (prefer[np.clip(k, 0, max(n - 1, 0))] == offset)
            seen += valid
        return np.asarray(hits / np.maximum(seen, 1), dtype=np.float64)

    f = np.float64
    return [
        ("stride_out", vote(ii, best.out, radius)),
        ("stride_in", vote(jj, best.into, radius)),
        ("stride_out_near", vote(ii, best.out, 2)),
        ("stride_in_near", vote(jj, best.into, 2)),
        ("first_stage_best_out", (best.out[ii] == offset).astype(f)),
        ("first_stage_best_in", (best.into[jj] == offset).astype(f)),
    ]


DIAGONAL_RADIUS = 3


@dataclass(frozen=True)
class Diagonals:
    """Candidate pairs sorted along their diagonals once, for several averages.

    When an extractor interleaves columns with a steady period, the lines
    around ``i`` continue the same distance away as ``i`` does: pairs
    ``(i+r, j+r)`` share the fate of ``(i, j)``. One line break gives a
    language model little to go on (an English line ends and the next begins
    with ordinary words), but the evidence of a whole run of parallel breaks
    adds up; :meth:`mean` averages it along the diagonal, ignoring the pair
    itself.
    """

    n: int
    ii: IntArray
    base: IntArray
    order: IntArray
    sorted_key: IntArray

    @classmethod
    def of(cls, n: int, ii: IntArray, jj: IntArray) -> Diagonals:
        base = (jj - ii + n) * (n + 1)
        key = base + ii
        order = np.argsort(key, kind="stable")
        return cls(n=n, ii=ii, base=base, order=order, sorted_key=key[order])

    def mean(
        self, values: FloatArray, radius: int = DIAGONAL_RADIUS
    ) -> tuple[FloatArray, FloatArray]:
        """Mean of ``values`` over the pairs parallel to each pair, and the share present."""
        if not len(self.ii):
            return np.zeros(0), np.zeros(0)
        prefix = np.concatenate([[0.0], np.cumsum(values[self.order])])
        # Parallel pairs share the base; clamping keeps the range inside it.
        lo = np.searchsorted(
            self.sorted_key, self.base + np.maximum(self.ii - radius, 0), side="left"
        )
        hi = np.searchsorted(
            self.sorted_key, self.base + np.minimum(self.ii + radius, self.n - 1), side="right"
        )
        total = prefix[hi] - prefix[lo] - values
        count = (hi - lo - 1).astype(np.float64)
        mean = np.where(count > 0, total / np.maximum(count, 1), 0.0)
        return np.asarray(mean, dtype=np.float64), np.asarray(count / (2 * radius), np.float64)


def diagonal_mean(
    n: int, ii: IntArray, jj: IntArray, values: FloatArray, radius: int = DIAGONAL_RADIUS
) -> tuple[FloatArray, FloatArray]:
    """:meth:`Diagonals.mean` for one array of values."""
    return Diagonals.of(n, ii, jj).mean(values, radius)


def score_diagonals(
    n: int, ii: IntArray, jj: IntArray, score: FloatArray
) -> list[tuple[str, FloatArray]]:
    """The first-stage score's margins averaged along each pair's diagonal, near and wide.

    The margins (a pair's score minus the best for its source, and for its
    target) say how clearly each neighbour prefers the same stride; unlike the
    votes of :func:`stride_votes` they keep how clearly. Computed over every
    windowed pair, so the parallel pairs are there even when pruning drops them.
    """
    out_margin = score - _group_max(ii, score, n)[ii]
    in_margin = score - _group_max(jj, score, n)[jj]
    diagonals = Diagonals.of(n, ii, jj)
    near_out, _ = diagonals.mean(out_margin)
    near_in, _ = diagonals.mean(in_margin)
    wide_out, _ = diagonals.mean(out_margin, radius=3 * DIAGONAL_RADIUS)
    wide_in, _ = diagonals.mean(in_margin, radius=3 * DIAGONAL_RADIUS)
    return [
        ("first_stage_diag_out", near_out),
        ("first_stage_diag_in", near_in),
        ("first_stage_diag_out_wide", wide_out),
        ("first_stage_diag_in_wide", wide_in),
    ]


def top_k_mask(ii: IntArray, jj: IntArray, score: FloatArray, k: int) -> BoolArray:
    """Pairs among the ``k`` best for their source or among the ``k`` best for their target."""
    keep = np.zeros(len(ii), dtype=bool)
    for key in (ii, jj):
        order = np.lexsort((-score, key))
        sorted_key = key[order]
        group_start = np.searchsorted(sorted_key, sorted_key, side="left")
        rank = np.arange(len(order)) - group_start
        keep[order[rank < k]] = True
    return keep


def _group_max(keys: IntArray, values: FloatArray, n: int) -> FloatArray:
    out = np.full(n, -np.inf)
    np.maximum.at(out, keys, values)
    return out


@dataclass(frozen=True)
class PairFeatures:
    names: list[str]
    families: list[str]
    matrix: FloatArray


# Languages whose link models read the page's blank lines (block_columns). The
# Chinese models were refitted with them (session 14: zh-dev broken / join / F1 /
# perfect / titles 69.7 / 88.0 / 77.6 / 96 / 276 -> 70.6 / 88.5 / 77.8 / 107 / 287),
# the English ones in session 15 (en-dev 30.0 / 91.7 / 66.2 / 55 / 243 ->
# 31.4 / 91.9 / 65.1 / 56 / 248; en-test broken joins 29.8 -> 32.4 %). A language
# joins this set only once its models were fitted with these columns.
BLOCK_LANGUAGES = frozenset({"zh", "en"})


def block_columns(
    table: FragmentTable, ii: IntArray, jj: IntArray, adj: FloatArray
) -> list[tuple[str, str, FloatArray]]:
    """Blank-line evidence: where the extractor ends a text block, the input order breaks.

    Layout-analysing extractors (pdfminer, pdftotext, Tesseract) print a
    blank line between the text boxes they found and order whole boxes, so
    the line after a blank line continues the line before it far less often
    than the next line inside a box does (zh-dev, pdfminer: 39 % against
    99 %; pdftotext: 4 % against 75 %). Line distances count only non-empty
    lines, so without these columns the link model cannot see a box end.
    """
    f = np.float64
    blanks = np.abs(table.blanks_above[jj] - table.blanks_above[ii])
    across = (blanks > 0).astype(f)
    return [
        ("blank_lines_between", "order", np.log1p(blanks.astype(f))),
        ("adj_across_blank", "order", adj * across),
        ("i_block_end", "order", table.block_end[ii].astype(f)),
        ("j_block_start", "order", table.block_start[jj].astype(f)),
        ("style_blank_adj", "order", table.blank_share * adj),
        ("style_blank_across", "order", table.blank_share * across),
    ]


def pair_features(
    table: FragmentTable,
    ii: IntArray,
    jj: IntArray,
    *,
    general: Continuity | None,
    page: Continuity | None,
    topic: FloatArray | None,
    word: WordContinuity | None = None,
    disable: Collection[str] = (),
    rich: bool = True,
    order_reliability: float | None = None,
    first_stage: BestOffsets | None = None,
    first_stage_columns: Sequence[tuple[str, FloatArray]] = (),
    blocks: bool = False,
) -> PairFeatures:
    """The feature matrix for candidate links ``ii[k] -> jj[k]``.

    ``rich=False`` gives the cheap subset used to prune candidates: layout,
    punctuation, one-character language-model evidence and topic.

    Relative features (a score minus the best score any rival achieves)
    matter as much as absolute ones: a link is good when it beats the other
    ways to continue ``i`` and the other ways to reach ``j``.
    """
    cols: list[tuple[str, str, FloatArray]] = []
    n = table.size
    f = np.float64
    adj = (jj == ii + 1).astype(f)
    same_line = (table.line[jj] == table.line[ii]).astype(f)
    next_line = (table.line[jj] == table.line[ii] + 1).astype(f)
    natural = adj * np.maximum(same_line, (table.last[ii] & table.first[jj]).astype(f))
    dist = (jj - ii).astype(f)
    cols += [
        ("adj", "order", adj),
        ("natural", "order", natural),
        ("same_line", "order", same_line),
        ("next_line", "order", next_line),
        ("backward", "order", (dist < 0).astype(f)),
        ("log_dist", "order", np.log1p(np.abs(dist))),
        ("log_line_dist", "order", np.log1p(np.abs(table.line[jj] - table.line[ii]).astype(f))),
        ("j_first_in_line", "order", table.first[jj].astype(f)),
        ("i_last_in_line", "order", table.last[ii].astype(f)),
    ]
    multi, median_width = table.style
    if order_reliability is not None:
        cols += [
            ("reliability_natural", "order", order_reliability * natural),
            ("reliability_adj", "order", order_reliability * adj),
            ("reliability_dist", "order", order_reliability * np.log1p(np.abs(dist))),
        ]
    if first_stage is not None:
        cols += [(name, "order", col) for name, col in stride_votes(n, ii, jj, first_stage)]
    cols += [(name, "order", col) for name, col in first_stage_columns]
    cols += [
        ("style_multi_natural", "order", multi * natural),
        ("style_width_natural", "order", median_width * natural),
        ("style_multi_next_line", "order", multi * next_line),
        ("style_width_dist", "order", median_width * np.log1p(np.abs(dist))),
    ]
    if blocks and rich:
        cols += block_columns(table, ii, jj, adj)
    if "length" not in disable:
        rel = table.rel
        rel_i, rel_j = rel[ii], rel[jj]
        full_i = (rel_i >= 0.85).astype(f)
        w_i, w_j = table.width[ii], table.width[jj]
        cols += [
            ("rel_i", "length", np.minimum(rel_i, 1.5)),
            ("rel_j", "length", np.minimum(rel_j, 1.5)),
            ("full_i", "length", full_i),
            ("short_i", "length", (rel_i < 0.6).astype(f)),
            ("width_diff", "length", np.abs(w_i - w_j) / np.maximum(np.maximum(w_i, w_j), 1)),
            ("colw_diff", "length", np.abs(np.log(table.colw[ii] / table.colw[jj]))),
            ("single_i", "length", table.single[ii].astype(f)),
            ("single_j", "length", table.single[jj].astype(f)),
            ("full_i_adj", "length", full_i * adj),
            ("short_i_natural_multi", "length", (rel_i < 0.6).astype(f) * natural * multi),
            ("short_i_adj", "length", (rel_i < 0.6).astype(f) * adj),
            ("log_width_i", "length", np.log1p(w_i)),
            ("log_width_j", "length", np.log1p(w_j)),
        ]
    if "punctuation" not in disable:
        end_sent = table.end_sentence[ii].astype(f)
        cols += [
            ("i_end_sentence", "punctuation", end_sent),
            ("i_end_clause", "punctuation", table.end_clause[ii].astype(f)),
            ("i_end_open", "punctuation", table.end_open[ii].astype(f)),
            ("j_start_close", "punctuation", table.start_close[jj].astype(f)),
            ("j_start_lower", "punctuation", table.start_lower[jj].astype(f)),
            ("j_start_upper", "punctuation", table.start_upper[jj].astype(f)),
            (
                "hyphen_lower",
                "punctuation",
                (table.end_hyphen[ii] & table.start_lower[jj]).astype(f),
            ),
            (
                "bracket_close",
                "punctuation",
                (table.unbalanced[ii] & table.lead_close[jj]).astype(f),
            ),
            ("digit_digit", "punctuation", (table.end_digit[ii] & table.start_digit[jj]).astype(f)),
            ("end_sentence_adj", "punctuation", end_sent * adj),
            ("end_sentence_natural_multi", "punctuation", end_sent * natural * multi),
            ("start_close_adj", "punctuation", table.start_close[jj].astype(f) * adj),
        ]
    diagonals = Diagonals.of(n, ii, jj)
    for name, family, model in (("lm", "lm", general), ("page_lm", "page_lm", page)):
        if family in disable or model is None:
            continue
        bigram = bigram_continuity(model, table.texts, ii, jj)
        bigram_diag, _ = diagonals.mean(bigram - _group_max(ii, bigram, n)[ii])
        cols += [(f"{name}_bigram", family, bigram), (f"{name}_bigram_diag", family, bigram_diag)]
        if not rich:
            continue
        score = continuity_of_pairs(model, table.texts, ii, jj)
        score = np.clip(np.nan_to_num(score, nan=0.0, posinf=20.0, neginf=-20.0), -20, 20)
        best_out = _group_max(ii, score, n)[ii]
        best_in = _group_max(jj, score, n)[jj]
        diag_out, support = diagonals.mean(score - best_out)
        diag_in, _ = diagonals.mean(score - best_in)
        diag_wide, _ = diagonals.mean(score - best_out, radius=3 * DIAGONAL_RADIUS)
        cols += [
            (f"{name}_cont", family, score),
            (f"{name}_gap_out", family, score - best_out),
            (f"{name}_gap_in", family, score - best_in),
            (f"{name}_adj", family, score * adj),
            (f"{name}_diag_out", family, diag_out),
            (f"{name}_diag_in", family, diag_in),
            (f"{name}_diag_support", family, support),
            (f"{name}_diag_out_wide", family, diag_wide),
        ]
    if rich and word is not None and "lm" not in disable:
        cols += word_columns(word, table.texts, ii, jj, diagonals, n)
    if "topic" not in disable and topic is not None:
        best_out = _group_max(ii, topic, n)[ii]
        cols += [
            ("topic_sim", "topic", topic),
            ("topic_gap_out", "topic", topic - best_out),
        ]
    return PairFeatures(
        names=[c[0] for c in cols],
        families=[c[1] for c in cols],
        matrix=np.column_stack([c[2] for c in cols]) if len(ii) else np.zeros((0, len(cols))),
    )


def word_columns(
    word: WordContinuity,
    texts: Sequence[str],
    ii: IntArray,
    jj: IntArray,
    diagonals: Diagonals,
    n: int,
) -> list[tuple[str, str, FloatArray]]:
    """Word-trigram continuity, with its margins over the rivals of i and of j.

    Part of the ``lm`` family: it is the same question ("does j read on from
    i?") asked of whole words, which a character model sees only the start of.
    """
    ends = [t if len(t) <= 96 else t[:48] + t[-48:] for t in texts]
    score = np.clip(np.nan_to_num(word.continuity_pairs(ends, ii, jj)), -20, 20)
    best_out = _group_max(ii, score, n)[ii]
    best_in = _group_max(jj, score, n)[jj]
    diag_out, _ = diagonals.mean(score - best_out)
    diag_in, _ = diagonals.mean(score - best_in)
    return [
        ("lm_word", "lm", score),
        ("lm_word_gap_out", "lm", score - best_out),
        ("lm_word_gap_in", "lm", score - best_in),
        ("lm_word_diag_out", "lm", diag_out),
        ("lm_word_diag_in", "lm", diag_in),
    ]
