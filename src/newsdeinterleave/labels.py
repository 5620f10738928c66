"""Read link labels off a gold page: which fragment truly follows which.

Training and diagnostics both need "the successor of fragment i" in the gold
reading order, expressed in the engine's own fragments.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray

from newsdeinterleave.segmentation import Fragment

IntArray = NDArray[np.int64]

END = -1
UNKNOWN = -2


def next_char_map(text: str, articles: Iterable[Sequence[tuple[int, int]]]) -> IntArray:
    """``nxt[p]`` = offset of the character read after offset p in its article, END, or UNKNOWN."""
    nxt = np.full(len(text), UNKNOWN, dtype=np.int64)
    for spans in articles:
        chars = [p for s, e in spans for p in range(s, e) if not text[p].isspace()]
        for a, b in zip(chars, chars[1:], strict=False):
            nxt[a] = b
        if chars:
            nxt[chars[-1]] = END
    return nxt


def article_of_char(text: str, articles: Iterable[Sequence[tuple[int, int]]]) -> IntArray:
    owner = np.full(len(text), -1, dtype=np.int64)
    for k, spans in enumerate(articles):
        for s, e in spans:
            owner[s:e] = k
    return owner


def fragment_successors(fragments: Sequence[Fragment], nxt: IntArray) -> IntArray:
    """Gold successor fragment per fragment: index, END, or UNKNOWN.

    UNKNOWN marks fragments whose last character is unlabelled or whose gold
    successor starts mid-fragment (the segmentation cut in the wrong place);
    training leaves such rows out rather than teach a wrong answer.
    """
    start_of = {f.start: f.index for f in fragments}
    out = np.full(len(fragments), UNKNOWN, dtype=np.int64)
    for f in fragments:
        target = int(nxt[f.end - 1])
        if target == END:
            out[f.index] = END
        elif target >= 0 and target in start_of:
            out[f.index] = start_of[target]
    return out


def chunk_gap_breaks(chunk_bounds: Sequence[tuple[int, int]], nxt: IntArray) -> list[bool]:
    """For consecutive chunks of a line: is the gap between them a break in reading order?"""
    return [
        int(nxt[a[1] - 1]) != b[0] for a, b in zip(chunk_bounds, chunk_bounds[1:], strict=False)
    ]
