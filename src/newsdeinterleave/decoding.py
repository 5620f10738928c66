"""Global decoding: give every fragment at most one predecessor and one successor.

Greedy left-to-right chaining lets an early, slightly-better link steal the
fragment a later line needed. Instead we solve a minimum-cost bipartite
matching between "out ports" (fragment i continues into ...) and "in ports"
(... continues into fragment j), where leaving a port free costs nothing and a
link earns its log-odds. The matching may close cycles; each cycle is cut at
its weakest link.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


def decode_links(
    n: int, ii: IntArray, jj: IntArray, log_odds: FloatArray, threshold: float = 0.0
) -> IntArray:
    """``successor[i]`` = the fragment following i, or -1 where i ends a chain.

    A link is worth taking when its log-odds exceed ``threshold``: the
    threshold is fitted on training pages (a fragment nearly always has some
    successor, so the right bar sits below even odds).
    """
    successor = np.full(n, -1, dtype=np.int64)
    gain_all = log_odds - threshold
    keep = gain_all > 0
    ii, jj, gain = ii[keep], jj[keep], gain_all[keep]
    if n == 0 or len(ii) == 0:
        return successor
    # Left nodes: out-port of i (0..n-1), start-dummy of j (n..2n-1).
    # Right nodes: in-port of j (0..n-1), end-dummy of i (n..2n-1).
    # Every full matching has 2n edges, so a constant offset keeps weights positive
    # (explicit zeros would read as missing edges) without moving the optimum.
    offset = float(gain.max()) + 1.0
    idx = np.arange(n, dtype=np.int64)
    rows = np.concatenate([ii, idx, idx + n, jj + n])
    cols = np.concatenate([jj, idx + n, idx, ii + n])
    weights = np.concatenate([offset - gain, np.full(2 * n, offset), offset * np.ones(len(ii))])
    graph = sparse.csr_matrix((weights, (rows, cols)), shape=(2 * n, 2 * n))
    rows_matched, cols_matched = min_weight_full_bipartite_matching(graph)
    linked = (rows_matched < n) & (cols_matched < n)
    successor[rows_matched[linked]] = cols_matched[linked]
    gain_of = {(int(a), int(b)): float(g) for a, b, g in zip(ii, jj, gain, strict=True)}
    return _break_cycles(successor, gain_of)


def _break_cycles(successor: IntArray, gain_of: dict[tuple[int, int], float]) -> IntArray:
    n = len(successor)
    has_pred = np.zeros(n, dtype=bool)
    has_pred[successor[successor >= 0]] = True
    seen = np.zeros(n, dtype=bool)
    # Walk every chain from its head; whatever is left unseen lies on cycles.
    for head in np.flatnonzero(~has_pred):
        k = int(head)
        while k >= 0 and not seen[k]:
            seen[k] = True
            k = int(successor[k])
    for start in np.flatnonzero(~seen):
        if seen[start]:
            continue
        cycle = []
        k = int(start)
        while not seen[k]:
            seen[k] = True
            cycle.append(k)
            k = int(successor[k])
        weakest = min(cycle, key=lambda a: gain_of.get((a, int(successor[a])), 0.0))
        successor[weakest] = -1
    return successor


def chains(successor: IntArray) -> list[list[int]]:
    """Chains in order of their head fragment."""
    n = len(successor)
    has_pred = np.zeros(n, dtype=bool)
    has_pred[successor[successor >= 0]] = True
    out: list[list[int]] = []
    for head in np.flatnonzero(~has_pred):
        chain = []
        k = int(head)
        while k >= 0:
            chain.append(k)
            k = int(successor[k])
        out.append(chain)
    return out
