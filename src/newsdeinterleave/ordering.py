"""Order the chains of one story: which reads on into which, decided within the story.

The chain model was fitted to tell a chain's continuation from every other chain
on the page, most of them other stories. Once the same-story model has gathered
a story, the question left is narrower (of these few chains, which follows
which, and which opens the story), and the answer depends on evidence the chain
model weighs for the wider question: how each score ranks within the story, and
the order the extractor printed the story's chains in. On the dev pages a tenth
of the gold articles came out with exactly their characters in a wrong order
(session 18). So a small boosted model scores every ordered pair of the story's
chains, and a virtual start before each chain, on those within-story features;
the order is the path through all chains with the best total log-probability
(exact for small stories, a beam for larger ones).

The features read only the chain model's scores and the story's structure (roles,
sizes, input order), so one model per language serves every ablation, each
feeding it its own chain model's scores.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from newsdeinterleave.models import Role
from newsdeinterleave.scoring import Scorer
from newsdeinterleave.structure import HEADER_ROLES, OPENING_ROLES

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# The row index standing for "the story starts here" in a pair list.
START = -1
# Stories of up to this many chains get the exact best path (2**n * n**2 steps).
EXACT_LIMIT = 9
BEAM_WIDTH = 64
# A story of more chains than this (a block of weak links gathered into one story)
# is ordered by the chain matching instead: the model scores count**2 pairs.
MAX_CHAINS = 400
# Languages whose stories are ordered by the model. English keeps the chain matching
# of ``clustering.order_story``: on en-dev the model repaired fewer broken joins
# (4 747 against 4 816 of 15 702), in stories of every size (session 18); refitted on the
# session 25 stages it still did (5 542 against 5 627, session 26).
ORDER_LANGUAGES: frozenset[str] = frozenset({"zh"})

FEATURES: tuple[str, ...] = (
    "from_start",
    "chain_lo",
    "chain_lo_back",
    "out_margin",
    "in_margin",
    "out_rank",
    "in_rank",
    "input_step",
    "input_next",
    "fragment_gap",
    "starts_after_end",
    "chains_between",
    "src_position",
    "dst_position",
    "dst_best_in",
    "src_best_out",
    "src_ends_header",
    "src_ends_credit",
    "dst_opens",
    "dst_header",
    "dst_caption",
    "dst_credit",
    "src_size",
    "dst_size",
    "story_chains",
)


def story_pairs(size: int) -> tuple[IntArray, IntArray]:
    """Every ordered pair of distinct chains (local indices) and a start before each."""
    src, dst = np.nonzero(~np.eye(size, dtype=bool))
    starts = np.arange(size, dtype=np.int64)
    return (
        np.concatenate([np.full(size, START, dtype=np.int64), src.astype(np.int64)]),
        np.concatenate([starts, dst.astype(np.int64)]),
    )


def _best_other(matrix: FloatArray, axis: int) -> tuple[FloatArray, FloatArray]:
    """Per cell, the best of the other cells of its row (axis 1) or column, and its rank there."""
    m = matrix if axis == 1 else matrix.T
    masked = m.copy()
    np.fill_diagonal(masked, -np.inf)
    size = len(m)
    top = np.argmax(masked, axis=1)
    first = masked[np.arange(size), top]
    second_src = masked.copy()
    second_src[np.arange(size), top] = -np.inf
    second = second_src.max(axis=1) if size else np.zeros(0)
    columns = np.arange(size)[None, :]
    best_other = np.where(columns == top[:, None], second[:, None], first[:, None])
    # How many cells of the row are strictly greater (the masked diagonal never is).
    ascending = np.sort(masked, axis=1)
    rank = np.empty((size, size))
    for r in range(size):
        rank[r] = size - np.searchsorted(ascending[r], masked[r], side="right")
    if axis == 0:
        return best_other.T, rank.T
    return best_other, rank


def story_features(
    group: Sequence[int],
    chains: Sequence[list[int]],
    roles: Sequence[Role],
    succ: FloatArray,
) -> tuple[IntArray, IntArray, FloatArray]:
    """Pairs of the story (local indices, START for the start) and their features.

    ``succ`` is the page's dense chain-model log-odds (row: the chain read first).
    """
    size = len(group)
    src, dst = story_pairs(size)
    local = succ[np.ix_(group, group)].astype(np.float64)
    out_best, out_rank = _best_other(local, axis=1)
    in_best, in_rank = _best_other(local, axis=0)
    firsts = np.array([chains[c][0] for c in group], dtype=np.float64)
    lasts = np.array([chains[c][-1] for c in group], dtype=np.float64)
    position = np.argsort(np.argsort(firsts)).astype(np.float64)
    span = max(float(lasts.max() - firsts.min()), 1.0)
    sizes = np.array([len(chains[c]) for c in group], dtype=np.float64)
    masked = local.copy()
    np.fill_diagonal(masked, -np.inf)
    best_in = masked.max(axis=0) if size > 1 else np.zeros(size)
    best_out = masked.max(axis=1) if size > 1 else np.zeros(size)
    first_role = [roles[chains[c][0]] for c in group]
    last_role = [roles[chains[c][-1]] for c in group]

    start = src == START
    s = np.where(start, 0, src)
    d = dst
    # Story chains opening between the end of the first chain and the start of the second.
    opened = np.sort(firsts)
    after_end = np.where(start, firsts.min() - 1, lasts[s])
    between = (
        np.searchsorted(opened, firsts[d], side="left")
        - np.searchsorted(opened, after_end, side="right")
    ).astype(np.float64)

    def flag(values: list[bool], index: IntArray) -> FloatArray:
        return np.asarray(values, dtype=np.float64)[index]

    def pick(matrix: FloatArray, fill: float) -> FloatArray:
        vals = np.where(start, fill, matrix[s, d])
        return np.asarray(np.where(np.isfinite(vals), vals, fill), dtype=np.float64)

    columns = [
        start.astype(np.float64),
        pick(local, 0.0),
        np.where(start, 0.0, local[d, s]),
        pick(local - out_best, 0.0),
        pick(local - in_best, 0.0),
        pick(out_rank, 0.0),
        pick(in_rank, 0.0),
        np.where(start, position[d] + 1, position[d] - position[s]),
        np.where(start, position[d] == 0, position[d] == position[s] + 1).astype(np.float64),
        np.where(start, firsts[d] - firsts.min(), firsts[d] - lasts[s]) / span,
        np.where(start, 1.0, firsts[d] > lasts[s]).astype(np.float64),
        between,
        np.where(start, -1.0, position[s] / size),
        position[d] / size,
        best_in[d],
        np.where(start, 0.0, best_out[s]),
        np.where(start, 0.0, flag([r in HEADER_ROLES for r in last_role], s)),
        np.where(start, 0.0, flag([r == "credit" for r in last_role], s)),
        flag([r in OPENING_ROLES for r in first_role], d),
        flag([r in HEADER_ROLES for r in first_role], d),
        flag([r == "caption" for r in first_role], d),
        flag([r == "credit" for r in first_role], d),
        np.where(start, 0.0, sizes[s]),
        sizes[d],
        np.full(len(src), float(size)),
    ]
    matrix = np.column_stack(columns) if len(src) else np.zeros((0, len(FEATURES)))
    return src, dst, np.asarray(matrix, dtype=np.float64)


def best_path(size: int, src: IntArray, dst: IntArray, log_odds: FloatArray) -> list[int]:
    """The order of all ``size`` chains with the best summed log-probability of its links."""
    gain = -np.logaddexp(0.0, -log_odds)  # log sigmoid
    start = np.zeros(size)
    step = np.full((size, size), -np.inf)
    for a, b, g in zip(src.tolist(), dst.tolist(), gain.tolist(), strict=True):
        if a == START:
            start[b] = g
        else:
            step[a, b] = g
    if size <= EXACT_LIMIT:
        return _exact_path(size, start, step)
    return _beam_path(size, start, step)


def _exact_path(size: int, start: FloatArray, step: FloatArray) -> list[int]:
    """Held-Karp over subsets: the best path visiting every chain once."""
    full = 1 << size
    best = np.full((full, size), -np.inf)
    back = np.full((full, size), -1, dtype=np.int64)
    best[1 << np.arange(size), np.arange(size)] = start
    bits = 1 << np.arange(size)
    for mask in range(1, full):
        row = best[mask]
        if not np.isfinite(row).any():
            continue
        # Best way into each next chain from any chain ending the paths over ``mask``.
        into = row[:, None] + step
        came = np.argmax(into, axis=0)
        value = into[came, np.arange(size)]
        free = (mask & bits) == 0
        targets = mask | bits[free]
        better = value[free] > best[targets, np.flatnonzero(free)]
        cols = np.flatnonzero(free)[better]
        best[targets[better], cols] = value[free][better]
        back[targets[better], cols] = came[free][better]
    mask, last = full - 1, int(np.argmax(best[full - 1]))
    order = []
    while last >= 0:
        order.append(last)
        prev = int(back[mask, last])
        mask ^= 1 << last
        last = prev
    return order[::-1]


def _beam_path(size: int, start: FloatArray, step: FloatArray) -> list[int]:
    """Beam search for a large story (exactness costs 2**size there), one array op a step."""
    width = min(BEAM_WIDTH, size)
    first = np.argsort(-start, kind="stable")[:width]
    paths = first[:, None].astype(np.int64)
    scores = start[first]
    visited = np.zeros((len(first), size), dtype=bool)
    visited[np.arange(len(first)), first] = True
    for _ in range(size - 1):
        grown = scores[:, None] + step[paths[:, -1]]
        grown = np.where(visited, -np.inf, grown)
        flat = np.argsort(-grown, axis=None, kind="stable")[:BEAM_WIDTH]
        flat = flat[np.isfinite(grown.ravel()[flat])]
        beam, nxt = np.divmod(flat, size)
        paths = np.column_stack([paths[beam], nxt])
        scores = grown[beam, nxt]
        visited = visited[beam]
        visited[np.arange(len(beam)), nxt] = True
    return [int(c) for c in paths[int(np.argmax(scores))]]


def order_chains(
    group: Sequence[int],
    chains: Sequence[list[int]],
    roles: Sequence[Role],
    succ: FloatArray,
    model: Scorer,
) -> list[int]:
    """The story's fragments: its chains in the order the ordering model prefers."""
    if len(group) == 1:
        return list(chains[group[0]])
    model.check_features(list(FEATURES))
    src, dst, matrix = story_features(group, chains, roles, succ)
    order = best_path(len(group), src, dst, model.log_odds(matrix))
    return [k for local in order for k in chains[group[local]]]
