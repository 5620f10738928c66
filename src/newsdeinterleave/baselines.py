"""The simple baseline the engine has to beat: greedy bigram chaining.

Each fragment, left to right, picks as its successor one not-yet-claimed
fragment among the next few dozen, scoring the junction (last character of
the fragment, first character of the candidate) with character-bigram
statistics of the page itself. It keeps the input order unless another
candidate is clearly better, so it can only improve on doing nothing where
the page's own text gives strong evidence. It uses no trained model, which is
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
# the chain jumps. Chosen on dev-split pages, never on test pages. CJK fragments end
# mid-word, so their junction bigram is real evidence; in spaced scripts a fragment
# boundary is a word boundary, where a character bigram says little, so jumps need more.
CJK_MARGIN = 1.0
SPACED_MARGIN = 4.0


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
    for i, chunk in enumerate(chunks):
        last = text[chunk.end - 1]
        candidates = [j for j in range(i + 1, min(n, i + 1 + window)) if not claimed[j]]
        if not candidates:
            continue
        scores = {j: model.log_prob(last, text[chunks[j].start]) for j in candidates}
        best = max(candidates, key=lambda j: (scores[j], -j))
        adjacent = i + 1
        choice = best
        needed = margin if margin is not None else CJK_MARGIN if is_cjk(last) else SPACED_MARGIN
        if adjacent in scores and scores[best] - scores[adjacent] <= needed:
            choice = adjacent
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
