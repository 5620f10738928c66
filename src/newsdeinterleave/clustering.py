"""Gather chains into stories by how likely each pair of chains is one printed story.

The chain matching (``grouping.py``) links chain ends one to one, so one wrong
join mixes two stories and one missed join strands a piece; on the dev pages the
chains themselves were nearly pure (fragment-level B-cubed precision 0.92 en,
0.98 zh) while the stories built from them were not (0.73, 0.82), and grouping
the same chains by their gold article would have scored F1 0.91 and 0.98
against 0.70 and 0.79. Whether two chains belong to one story is easier to
judge than which chain comes next, and the evidence adds up over a group: a
learned model scores every pair of chains (the chain model's log-odds in both
directions and their margins, shared vocabulary, interleaving in input order,
column width, roles), and average-linkage agglomeration gathers chains while
the mean log-odds between two groups reach a bar fitted on the train pages. A
printed story has one headline, so two titled groups must clear the bar by a
margin (TITLE_PENALTY). Each story's chains are then put in order by the chain
matching restricted to the story.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from newsdeinterleave.decoding import chains as follow_chains
from newsdeinterleave.decoding import decode_links
from newsdeinterleave.features import FragmentTable, PairFeatures
from newsdeinterleave.grouping import ChainLinks
from newsdeinterleave.models import Role
from newsdeinterleave.ordering import MAX_CHAINS, order_chains
from newsdeinterleave.scoring import Scorer
from newsdeinterleave.structure import HEADER_ROLES, OPENING_ROLES
from newsdeinterleave.topic import pair_similarity, text_vectors, word_vectors

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

# Log-odds taken for a chain pair the chain stage never scored (large pages score a
# window of chain order): far enough below any bar that such pairs only join
# through the pairs around them.
UNSCORED = -8.0
# Chain-model log-odds are clipped here before they become features.
CLIP = 15.0
# Log-odds two groups that both hold a title lose before their mean is held against
# the bar: a printed story has one headline, but the lines of one wrapped headline
# can sit in two chains. Chosen on the dev pages with the models unchanged (session
# 17), zh-dev / en-dev broken / join / F1 / perfect / titles: never merged 70.1 /
# 88.1 / 87.4 / 128 / 309 and 30.7 / 91.7 / 77.1 / 67 / 253; 2: 70.2 / 88.2 / 87.8
# / 133 / 306 and 30.7 / 91.7 / 77.2 / 68 / 252; 1: 70.3 / 88.3 / 88.3 / 136 / 302
# and 30.7 / 91.8 / 77.3 / 69 / 250; no penalty: 70.3 / 88.4 / 88.3 / 135 / 261 and
# 30.9 / 91.8 / 77.5 / 72 / 220. 2 gains perfect articles and F1 for the fewest titles.
TITLE_PENALTY = 2.0


@dataclass(frozen=True)
class ChainPairs:
    """Unordered chain pairs (``ii < jj``) and their same-story features."""

    ii: IntArray
    jj: IntArray
    features: PairFeatures


def no_pairs() -> ChainPairs:
    """The pairs of a page with fewer than two chains."""
    empty = np.zeros(0, dtype=np.int64)
    return ChainPairs(empty, empty, PairFeatures([], [], np.zeros((0, 0))))


def titled_chains(chains: Sequence[list[int]], roles: Sequence[Role]) -> BoolArray:
    return np.array([any(roles[k] == "title" for k in c) for c in chains], dtype=bool)


def _directed(count: int, links: ChainLinks, log_odds: FloatArray) -> tuple[FloatArray, BoolArray]:
    """Dense matrix of chain-model log-odds (UNSCORED where a pair was not scored)."""
    dense = np.full((count, count), UNSCORED)
    scored = np.zeros((count, count), dtype=bool)
    dense[links.ii, links.jj] = np.clip(log_odds, -CLIP, CLIP)
    scored[links.ii, links.jj] = True
    return dense, scored


def _row_best(matrix: FloatArray) -> FloatArray:
    """Per row the best value off the diagonal (UNSCORED for a lone chain)."""
    if len(matrix) < 2:
        return np.full(len(matrix), UNSCORED)
    masked = matrix.copy()
    np.fill_diagonal(masked, -np.inf)
    return np.asarray(masked.max(axis=1), dtype=np.float64)


def _interleaving(chains: Sequence[list[int]], count: int) -> FloatArray:
    """Share of chain a's input-order neighbours (fragments k-1, k+1) that lie in chain b."""
    chain_of = {k: c for c, members in enumerate(chains) for k in members}
    out = np.zeros((count, count))
    for c, members in enumerate(chains):
        for k in members:
            for nb in (k - 1, k + 1):
                other = chain_of.get(nb, c)
                if other != c:
                    out[c, other] += 1
        out[c] /= max(2 * len(members), 1)
    return out


def pair_features(
    chains: Sequence[list[int]],
    roles: Sequence[Role],
    table: FragmentTable,
    links: ChainLinks,
    chain_log_odds: FloatArray,
    disable: Collection[str] = (),
) -> ChainPairs:
    """Same-story evidence for every scored pair of chains, each pair once."""
    f = np.float64
    count = len(chains)
    succ, scored = _directed(count, links, chain_log_odds)
    either = scored | scored.T
    upper = np.triu(either, k=1)
    ii, jj = (np.asarray(x, dtype=np.int64) for x in np.nonzero(upper))
    best_out, best_in = _row_best(succ), _row_best(succ.T)
    weave = _interleaving(chains, count)
    lo = np.array([min(c) for c in chains], dtype=f)
    hi = np.array([max(c) for c in chains], dtype=f)
    overlap = np.maximum(0.0, np.minimum(hi[ii], hi[jj]) - np.maximum(lo[ii], lo[jj]))
    gap = np.maximum(0.0, np.maximum(lo[ii], lo[jj]) - np.minimum(hi[ii], hi[jj]))
    span = hi - lo
    sizes = np.array([sum(len(table.texts[k]) for k in c) for c in chains], dtype=f)
    titled = titled_chains(chains, roles).astype(f)
    header = np.array([roles[c[0]] in HEADER_ROLES for c in chains], dtype=f)
    credit = np.array([any(roles[k] == "credit" for k in c) for c in chains], dtype=f)
    ab, ba = succ[ii, jj], succ[jj, ii]
    cols: list[tuple[str, str, FloatArray]] = [
        ("succ_best", "order", np.maximum(ab, ba)),
        ("succ_worst", "order", np.minimum(ab, ba)),
        ("succ_out_margin", "order", np.maximum(ab - best_out[ii], ba - best_out[jj])),
        ("succ_in_margin", "order", np.maximum(ab - best_in[jj], ba - best_in[ii])),
        ("weave", "order", weave[ii, jj] + weave[jj, ii]),
        ("weave_max", "order", np.maximum(weave[ii, jj], weave[jj, ii])),
        ("overlap", "order", overlap / (np.minimum(span[ii], span[jj]) + 1)),
        ("log_gap", "order", np.log1p(gap)),
        ("log_size_small", "order", np.log1p(np.minimum(sizes[ii], sizes[jj]))),
        ("log_size_large", "order", np.log1p(np.maximum(sizes[ii], sizes[jj]))),
        ("titles", "order", titled[ii] + titled[jj]),
        ("headers", "order", header[ii] + header[jj]),
        ("credits", "order", credit[ii] + credit[jj]),
        ("log_chains", "order", np.full(len(ii), np.log(max(count, 1)))),
    ]
    if "topic" not in disable:
        texts = ["".join(table.texts[k] for k in c) for c in chains]
        for name, vectors in (("bigram", text_vectors(texts)), ("word", word_vectors(texts))):
            sim = pair_similarity(vectors, ii, jj)
            best = np.zeros(count)
            np.maximum.at(best, ii, sim)
            np.maximum.at(best, jj, sim)
            cols += [
                (f"{name}_sim", "topic", sim),
                (f"{name}_margin", "topic", sim - np.minimum(best[ii], best[jj])),
            ]
    if "length" not in disable:
        colw = np.log(np.maximum(table.colw, 1e-6))
        median = np.array([np.median(colw[c]) for c in chains])
        cols.append(("colw_diff", "length", np.abs(median[ii] - median[jj])))
    if "punctuation" not in disable:
        heads = np.array([c[0] for c in chains], dtype=np.int64)
        mid = (table.start_lower[heads] | table.start_close[heads]).astype(f)
        cols.append(("mid_sentence_starts", "punctuation", mid[ii] + mid[jj]))
    matrix = np.column_stack([c[2] for c in cols]) if len(ii) else np.zeros((0, len(cols)))
    return ChainPairs(ii, jj, PairFeatures([c[0] for c in cols], [c[1] for c in cols], matrix))


def gather(
    count: int,
    ii: IntArray,
    jj: IntArray,
    log_odds: FloatArray,
    titled: BoolArray,
    bar: float,
    title_penalty: float = np.inf,
) -> list[list[int]]:
    """Groups of chains by average-linkage agglomeration, two titled groups only at a cost.

    Groups merge best pair first while their mean pairwise log-odds reach ``bar``;
    pairs never scored count as UNSCORED, and two groups that both hold a title
    lose ``title_penalty`` (infinite: they never merge). Each step rescans only
    the rows whose best partner changed, so a page costs about O(count^2).
    """
    total = np.full((count, count), UNSCORED)
    total[ii, jj] = log_odds
    total[jj, ii] = log_odds
    np.fill_diagonal(total, 0.0)
    pairs = np.ones((count, count))
    members: list[list[int]] = [[c] for c in range(count)]
    active = np.ones(count, dtype=bool)
    title = titled.astype(bool).copy()

    def penalty(both: BoolArray) -> FloatArray:
        return np.where(both, title_penalty, 0.0)

    def row(r: int) -> tuple[float, int]:
        mean = total[r] / pairs[r] - penalty(title & title[r])
        allowed = active.copy()
        allowed[r] = False
        if not allowed.any():
            return -np.inf, -1
        mean = np.where(allowed, mean, -np.inf)
        best = int(np.argmax(mean))
        return float(mean[best]), best

    best_val = np.full(count, -np.inf)
    best_col = np.full(count, -1, dtype=np.int64)
    for r in range(count):
        best_val[r], best_col[r] = row(r)
    while count > 1:
        a = int(np.argmax(np.where(active, best_val, -np.inf)))
        if not active[a] or best_val[a] < bar:
            break
        b = int(best_col[a])
        a, b = min(a, b), max(a, b)
        total[a] += total[b]
        total[:, a] += total[:, b]
        pairs[a] += pairs[b]
        pairs[:, a] += pairs[:, b]
        members[a] += members[b]
        title[a] |= title[b]
        active[b] = False
        best_val[b] = -np.inf
        rows = np.flatnonzero(active)
        rows = rows[rows != a]
        stale = (best_col[rows] == a) | (best_col[rows] == b)
        fresh = rows[~stale]
        mean = total[fresh, a] / pairs[fresh, a] - penalty(title[fresh] & title[a])
        better = mean > best_val[fresh]
        best_val[fresh[better]] = mean[better]
        best_col[fresh[better]] = a
        for r in [a, *rows[stale].tolist()]:
            best_val[r], best_col[r] = row(r)
    return [sorted(members[c]) for c in np.flatnonzero(active).tolist()]


def order_story(
    group: list[int],
    chains: Sequence[list[int]],
    roles: Sequence[Role],
    succ: FloatArray,
    bar: float,
) -> list[int]:
    """The story's fragments: its chains in the order the chain matching gives them.

    The matching (restricted to the story, links above the chain model's own
    ``bar``) never reads on into a title or kicker except from another header
    line (a wrapped headline); the runs it leaves start with the one opening on
    a header, then follow input order.
    """
    if len(group) == 1:
        return list(chains[group[0]])
    size = len(group)
    opens = np.array([roles[chains[c][0]] in OPENING_ROLES for c in group])
    closes_header = np.array([roles[chains[c][-1]] in HEADER_ROLES for c in group])
    ii, jj = np.nonzero(~np.eye(size, dtype=bool) & ~(opens[None, :] & ~closes_header[:, None]))
    local = succ[np.ix_(group, group)]
    runs = follow_chains(decode_links(size, ii, jj, local[ii, jj], threshold=bar))
    heads = [chains[group[run[0]]][0] for run in runs]
    order = sorted(
        range(len(runs)),
        key=lambda r: (roles[heads[r]] not in HEADER_ROLES, min(chains[group[runs[r][0]]])),
    )
    return [k for r in order for c in runs[r] for k in chains[group[c]]]


def story_groups(
    chains: Sequence[list[int]],
    roles: Sequence[Role],
    pairs: ChainPairs,
    pair_log_odds: FloatArray,
    bar: float,
) -> list[list[int]]:
    """The chains gathered into stories (unordered), as the engine and its training see them."""
    titled = titled_chains(chains, roles)
    return gather(len(chains), pairs.ii, pairs.jj, pair_log_odds, titled, bar, TITLE_PENALTY)


def cluster_stories(
    chains: Sequence[list[int]],
    roles: Sequence[Role],
    pairs: ChainPairs,
    pair_log_odds: FloatArray,
    links: ChainLinks,
    chain_log_odds: FloatArray,
    bars: tuple[float, float],
    orderer: Scorer | None = None,
) -> list[list[int]]:
    """Stories as ordered fragment lists: chains gathered, then each story ordered.

    ``bars`` are the same-story model's (to gather) and the chain model's (to order
    without an ordering model). With ``orderer`` (``ordering.py``) each story's
    chains take the path that model prefers instead.
    """
    bar, link_bar = bars
    groups = story_groups(chains, roles, pairs, pair_log_odds, bar)
    succ, _ = _directed(len(chains), links, chain_log_odds)
    stories = [
        order_chains(g, chains, roles, succ, orderer)
        if orderer is not None and len(g) <= MAX_CHAINS
        else order_story(g, chains, roles, succ, link_bar)
        for g in groups
    ]
    return sorted(stories, key=min)


def story_confidence(
    stories: Sequence[list[int]],
    chains: Sequence[list[int]],
    pairs: ChainPairs,
    pair_log_odds: FloatArray,
    link_confidence: FloatArray,
) -> FloatArray:
    """Per fragment, how sure the engine is that its story is one printed story.

    A story gathered from several chains gets the mean same-story probability
    over its pairs of chains; one chain gets the mean probability of the links
    inside it (1 for a lone fragment). The mean confidence of the links leaving
    a story's fragments says less about that: telling articles at least 95 %
    from one gold story from the rest (``python -m benchmarks.eval_confidence``,
    the dev pages) it scores AUC 0.696 zh and 0.638 en, this 0.796 and 0.782.
    """
    n = len(link_confidence)
    chain_of = np.full(n, -1, dtype=np.int64)
    for c, members in enumerate(chains):
        chain_of[members] = c
    story_of_chain = np.full(len(chains), -1, dtype=np.int64)
    for s, story in enumerate(stories):
        story_of_chain[chain_of[story]] = s
    inside = story_of_chain[pairs.ii] == story_of_chain[pairs.jj]
    prob = 1.0 / (1.0 + np.exp(-pair_log_odds[inside]))
    owner = story_of_chain[pairs.ii[inside]]
    total = np.bincount(owner, weights=prob, minlength=len(stories))
    count = np.bincount(owner, minlength=len(stories))
    out = np.ones(n)
    for s, story in enumerate(stories):
        if count[s]:
            out[story] = total[s] / count[s]
        else:
            inner = [k for c in {int(chain_of[k]) for k in story} for k in chains[c][:-1]]
            out[story] = float(np.mean(link_confidence[inner])) if inner else 1.0
    return out
