"""A second look at the splices, with the page's columns in view.

The first splice pass judges every gap on its own evidence. Columns are a
fact about the whole page, though: a column row is about as wide as the
page's other rows, a splice has splices at about the same place in the lines
above and below, and a line two columns wide holds a seam somewhere near one
column's width from its start. An OCR engine that joins the rows of two to
four columns with single spaces leaves nothing else to find the seams by.

This pass takes the first pass's cut probabilities, estimates the column
width from its confident cuts, and describes every gap by where it sits among
them. A second model, fitted on out-of-fold first-pass probabilities, reads
these features beside the first pass's own and adds the seams the first pass
missed or drops the ones no column explains. All features belong to the
``length`` family (they are column-width evidence), so the ``-length``
ablation runs the first pass alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from newsdeinterleave.segmentation import Chunk

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# Languages whose splices get the column pass. Chinese splices are found at
# 0.94 recall by the first pass alone (zh-dev gaps), and a column pass fitted
# for Chinese traded B-cubed F1 for broken joins on the dev pages
# (docs/engine.md), so Chinese keeps the first pass.
COLUMN_LANGUAGES = frozenset({"en"})
# A first-pass cut this likely anchors the column estimate and the segments.
ANCHOR_PROBABILITY = 0.5
# Lines above and below that vote on whether a column edge runs through a gap.
SUPPORT_RADIUS = 3
# Fewer anchored first columns than this and the column width is read from
# the line widths instead.
MIN_ANCHORS = 5

LAYOUT_FEATURES = (
    "layout_first_pass",
    "layout_segment",
    "layout_from_left",
    "layout_to_right",
    "layout_local_best",
    "layout_support_mean",
    "layout_support_max",
    "layout_line_columns",
    "layout_other_cuts",
    "layout_column_width",
)


@dataclass(frozen=True)
class GapGeometry:
    """Where each within-line gap sits: its line and display offset from the line start."""

    line: IntArray
    x: FloatArray
    line_width: FloatArray


def chunk_positions(chunks: Sequence[Chunk], widths: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Display offset of each chunk's start within its line, and each line's display width.

    Spaces count one column each and wide (CJK) characters two, so offsets
    compare across lines the way printed positions do.
    """
    position = np.zeros(len(chunks))
    current = 0.0
    for k, chunk in enumerate(chunks):
        if chunk.first_in_line:
            current = 0.0
        else:
            current += chunk.start - chunks[k - 1].end
        position[k] = current
        current += widths[k]
    n_lines = max((c.line for c in chunks), default=-1) + 1
    line_width = np.zeros(n_lines)
    if len(chunks):
        lines = np.array([c.line for c in chunks], dtype=np.int64)
        np.maximum.at(line_width, lines, position + widths)
    return position, line_width


def gap_geometry(chunks: Sequence[Chunk], widths: FloatArray, right: IntArray) -> GapGeometry:
    """Geometry of the gaps before chunks ``right``."""
    position, line_width = chunk_positions(chunks, widths)
    lines = np.array([c.line for c in chunks], dtype=np.int64)
    return GapGeometry(line=lines[right], x=position[right], line_width=line_width)


def column_width(geometry: GapGeometry, cut: NDArray[np.bool_]) -> float:
    """The page's column width: the median offset of each line's first confident cut.

    A first cut closes the line's first column row, so its offset is one
    column wide; short lines (a lone word before the seam) are left out.
    """
    first: dict[int, float] = {}
    for k in np.argsort(geometry.x, kind="stable").tolist():
        line = int(geometry.line[k])
        if cut[k] and line not in first:
            first[line] = float(geometry.x[k])
    anchors = [x for x in first.values() if x > 3]
    if len(anchors) >= MIN_ANCHORS:
        return max(float(np.median(anchors)), 4.0)
    widths = geometry.line_width[geometry.line_width > 0]
    return max(float(np.quantile(widths, 0.8)) if len(widths) else 1.0, 4.0)


def layout_features(geometry: GapGeometry, first_pass: FloatArray) -> FloatArray:
    """One row per gap, columns as in :data:`LAYOUT_FEATURES`.

    ``first_pass`` is the first splice model's cut probability for each gap.
    """
    n = len(first_pass)
    out = np.zeros((n, len(LAYOUT_FEATURES)))
    if not n:
        return out
    p = np.clip(first_pass, 1e-6, 1 - 1e-6)
    logit = np.log(p / (1 - p))
    cut = first_pass >= ANCHOR_PROBABILITY
    width = column_width(geometry, cut)
    by_line: dict[int, IntArray] = {}
    order = np.lexsort((geometry.x, geometry.line))
    lines_sorted = geometry.line[order]
    bounds = np.flatnonzero(np.r_[True, lines_sorted[1:] != lines_sorted[:-1], True])
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        by_line[int(lines_sorted[a])] = order[a:b]
    window = max(2.0, 0.15 * width)
    for line, members in by_line.items():
        xs = geometry.x[members]
        cuts = cut[members]
        line_width = float(geometry.line_width[line])
        neighbours = [
            (geometry.x[other], first_pass[other])
            for r in range(-SUPPORT_RADIUS, SUPPORT_RADIUS + 1)
            if r and (other := by_line.get(line + r)) is not None
        ]
        for pos, k in enumerate(members.tolist()):
            x = float(xs[pos])
            left = max((float(v) for v in xs[:pos][cuts[:pos]]), default=0.0)
            right = min((float(v) for v in xs[pos + 1 :][cuts[pos + 1 :]]), default=line_width)
            near = np.abs(xs - x) <= window
            near[pos] = False
            rival = float(logit[members[near]].max()) if near.any() else -15.0
            support = [
                float(ps[np.abs(ox - x) <= 1.0 + 0.05 * x].max(initial=0.0))
                for ox, ps in neighbours
            ]
            out[k] = (
                logit[k],
                (right - left) / width,
                (x - left) / width,
                (right - x) / width,
                logit[k] - rival,
                float(np.mean(support)) if support else -1.0,
                max(support) if support else -1.0,
                line_width / width,
                int(cuts.sum()) - int(cuts[pos]),
                np.log(width),
            )
    return out


def column_matrix(geometry: GapGeometry, matrix: FloatArray, first_pass: FloatArray) -> FloatArray:
    """The column pass's input: the per-gap features, then the layout features."""
    return np.hstack([matrix, layout_features(geometry, first_pass)])
