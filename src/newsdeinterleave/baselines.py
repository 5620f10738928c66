"""The simple baseline the engine has to beat: greedy bigram chaining.

Each fragment, left to right, picks as its successor one not-yet-claimed
fragment among the next few dozen, scoring the junction (last character of
the fragment, first character of the candidate) with character-bigram
statistics of the page itself. It keeps the input order unless another
candidate is clearly better, so it departs from doing nothing only where the
page's own text gives strong evidence. It uses no trained model, which is
what makes it a fair reference point for the learned features.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from newsdeinterleave.assembly import ArticlePlan, Piece
from newsdeinterleave.segmentation import Chunk
from newsdeinterleave.text import is_cjk

# How much better (in nats) a far candidate must score than the adjacent fragment before
# the chain jumps. Chosen on generated train/dev pages by join accuracy, never on test pages
# (the seed page included). CJK fragments end mid-word, so their junction bigram is some
# evidence; in spaced scripts a fragment boundary is a word boundary, where a character
# bigram says almost nothing: on train/dev pages every Latin jump margin up to 5 lost
# more joins than it repaired, so there the baseline in effect keeps the input order.
CJK_MARGIN = 2.5
SPACED_MARGIN = 6.0
UNSEEN = "\uffff"  # a character no page bigram starts with: the score of an unattested pair


@dataclass(frozen=True, slots=True)
class BigramModel:
    """Add-one smoothed ``P(next char | char)`` estimated from within-fragment pairs."""

    pairs: Counter[tuple[str, str]]
    left: Counter[str]
    vocabulary: int

    @classmethod
    def from_chunks(cls, text: str, chunks: list[Chunk]) -> BigramModel:
        # Only pairs inside a fragment are certain to be real reading order;
        # pairs across fragments are exactly what is in doubt.
        pairs: Counter[tuple[str, str]] = Counter()
        chars: set[str] = set()
        for chunk in chunks:
            run = text[chunk.start : chunk.end]
            chars.update(run)
            pairs.update(zip(run, run[1:], strict=False))
        left: Counter[str] = Counter()
        for (a, _), n in pairs.items():
            left[a] += n
        return cls(pairs=pairs, left=left, vocabulary=len(chars) + 1)

    def log_prob(self, a: str, b: str) -> float:
        return math.log((self.pairs[(a, b)] + 1) / (self.left[a] + self.vocabulary))


def _successor(
    text: str,
    chunks: list[Chunk],
    i: int,
    claimed: list[bool],
    model: BigramModel,
    window: int,
    margin: float | None,
) -> int | None:
    """The fragment that continues fragment ``i``, or None to end its chain.

    Inside a line the neighbour always continues (extractors rarely reorder
    words within one line). At a line end the chain may jump to a clearly
    better unclaimed fragment; when the neighbour is already taken, a far
    candidate must clearly beat an unattested pair, else the chain ends --
    forcing a jump there would start a cascade of wrong ones.
    """
    n = len(chunks)
    adjacent = i + 1 if i + 1 < n and not claimed[i + 1] else None
    if adjacent is not None and not chunks[i].last_in_line:
        return adjacent
    candidates = [j for j in range(i + 1, min(n, i + 1 + window)) if not claimed[j]]
    if not candidates:
        return None
    last = text[chunks[i].end - 1]
    scores = {j: model.log_prob(last, text[chunks[j].start]) for j in candidates}
    best = max(candidates, key=lambda j: (scores[j], -j))
    reference = scores[adjacent] if adjacent is not None else model.log_prob(last, UNSEEN)
    needed = margin if margin is not None else CJK_MARGIN if is_cjk(last) else SPACED_MARGIN
    if scores[best] - reference > needed:
        return best
    return adjacent


def greedy_plans(
    text: str,
    chunks: list[Chunk],
    *,
    window: int = 50,
    margin: float | None = None,
) -> list[ArticlePlan]:
    """Chain fragments greedily; every chain becomes one article of body pieces.

    ``margin`` (in nats) is how much better than the adjacent fragment another
    candidate must score before the chain jumps to it; by default it depends
    on whether the fragment ends in a CJK character.
    """
    if not chunks:
        return []
    model = BigramModel.from_chunks(text, chunks)
    n = len(chunks)
    successor: list[int | None] = [None] * n
    claimed = [False] * n
    for i in range(n):
        choice = _successor(text, chunks, i, claimed, model, window, margin)
        if choice is not None:
            successor[i] = choice
            claimed[choice] = True
    plans: list[ArticlePlan] = []
    for start in range(n):
        if claimed[start]:
            continue
        pieces: list[Piece] = []
        k: int | None = start
        while k is not None:
            pieces.append(Piece(chunks[k].start, chunks[k].end, "body", para=not pieces))
            k = successor[k]
        plans.append(ArticlePlan(pieces=pieces, confidence=0.0))
    return plans
