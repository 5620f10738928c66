"""The decoder gives each fragment at most one predecessor and successor, optimally."""

from __future__ import annotations

import numpy as np

from newsdeinterleave.decoding import chains, decode_links


def _decode(n: int, links: dict[tuple[int, int], float]) -> list[int]:
    ii = np.array([a for a, _ in links], dtype=np.int64)
    jj = np.array([b for _, b in links], dtype=np.int64)
    gain = np.array(list(links.values()), dtype=np.float64)
    return decode_links(n, ii, jj, gain).tolist()


def test_global_matching_beats_greedy_choice() -> None:
    # Greedy left to right would give 0 -> 2 (gain 3) and leave 1 with nothing (total 3).
    # The matching takes 0 -> 3 and 1 -> 2 (total 2 + 2.5 = 4.5).
    succ = _decode(4, {(0, 2): 3.0, (0, 3): 2.0, (1, 2): 2.5})
    assert succ == [3, 2, -1, -1]


def test_each_fragment_has_at_most_one_predecessor() -> None:
    rng = np.random.default_rng(0)
    n = 30
    links = {
        (int(a), int(b)): float(g)
        for a, b, g in zip(
            rng.integers(0, n, 200), rng.integers(0, n, 200), rng.normal(1, 2, 200), strict=True
        )
        if a != b
    }
    succ = _decode(n, links)
    targets = [s for s in succ if s >= 0]
    assert len(targets) == len(set(targets))
    assert all(links[(i, s)] > 0 for i, s in enumerate(succ) if s >= 0)


def test_negative_links_are_never_taken() -> None:
    assert _decode(3, {(0, 1): -0.5, (1, 2): -3.0}) == [-1, -1, -1]


def test_cycles_are_cut_at_the_weakest_link() -> None:
    succ = _decode(3, {(0, 1): 5.0, (1, 2): 4.0, (2, 0): 1.0})
    assert succ == [1, 2, -1]
    assert chains(np.array(succ)) == [[0, 1, 2]]


def test_chains_cover_every_fragment_once() -> None:
    succ = np.array([2, -1, -1, 1, -1])
    found = chains(succ)
    assert sorted(k for c in found for k in c) == [0, 1, 2, 3, 4]
    assert [0, 2] in found and [3, 1] in found and [4] in found


def test_empty_input() -> None:
    assert decode_links(0, np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)).size == 0
