"""Second-level decoding: join chains of fragments into whole articles.

The fragment links are local: a paragraph that ends a sentence on a short
line gives little evidence of what follows, and a title says nothing about
its first line. Whole chains carry more: their vocabulary (names and terms
recur through an article), their roles (a title chain opens an article, a
bracketed credit closes one) and the link evidence between their ends. A
second learned model scores chain-to-chain links on that evidence and the
same matching decoder joins them into articles.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from newsdeinterleave.decoding import chains as follow_chains
from newsdeinterleave.decoding import decode_links
from newsdeinterleave.engine import LinkGraph, PageModels
from newsdeinterleave.features import PairFeatures, continuity_of_pairs
from newsdeinterleave.models import Role
from newsdeinterleave.scoring import Scorer, decision_bar
from newsdeinterleave.topic import pair_similarity, text_vectors

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

ROLE_GROUPS: dict[str, tuple[Role, ...]] = {
    "title": ("title",),
    "kicker": ("kicker",),
    "sub": ("subtitle", "byline"),
    "credit": ("credit",),
    "caption": ("caption",),
    "heading": ("heading",),
}
MAX_ALL_PAIRS = 400
# Chain pairs scored on one (block of a) page: all pairs up to MAX_ALL_PAIRS chains, a
# window over chain order beyond, so boosted scoring stays a fixed cost per chain.
PAIR_BUDGET = 200_000


@dataclass(frozen=True)
class ChainLinks:
    ii: IntArray
    jj: IntArray
    features: PairFeatures


def chain_pairs(count: int, budget: int = PAIR_BUDGET) -> tuple[IntArray, IntArray]:
    """All ordered pairs for small pages; a window over chain order for large ones."""
    idx = np.arange(count, dtype=np.int64)
    if count <= MAX_ALL_PAIRS:
        grid_i, grid_j = np.meshgrid(idx, idx, indexing="ij")
        mask = grid_i != grid_j
        return grid_i[mask].ravel(), grid_j[mask].ravel()
    window = max(4, min(300, budget // (2 * count)))
    offsets = np.concatenate([np.arange(-window, 0), np.arange(1, window + 1)])
    ii = np.repeat(idx, len(offsets))
    jj = ii + np.tile(offsets, count)
    keep = (jj >= 0) & (jj < count)
    return ii[keep], jj[keep]


def _lookup_links(
    graph: LinkGraph, a: IntArray, b: IntArray, n: int
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Fragment-link log-odds for the pairs (a, b); -15 where (a, b) was never a candidate."""
    keys = graph.ii * n + graph.jj
    order = np.argsort(keys)
    sorted_keys = keys[order]
    query = a * n + b
    pos = np.clip(np.searchsorted(sorted_keys, query), 0, max(len(sorted_keys) - 1, 0))
    if not len(sorted_keys):
        return np.full(len(a), -15.0), np.zeros(len(a), dtype=bool)
    found = sorted_keys[pos] == query
    values = np.where(found, graph.log_odds[order][pos], -15.0)
    return np.clip(values, -15, 15), found


def chain_features(
    graph: LinkGraph,
    chains: Sequence[list[int]],
    roles: Sequence[Role],
    models: PageModels,
    disable: Collection[str] = (),
    budget: int = PAIR_BUDGET,
) -> ChainLinks:
    f = np.float64
    count = len(chains)
    ii, jj = chain_pairs(count, budget)
    table = graph.table
    last = np.array([c[-1] for c in chains], dtype=np.int64)
    head = np.array([c[0] for c in chains], dtype=np.int64)
    a, b = last[ii], head[jj]
    # Fragment-level evidence for the boundary link, where it was a candidate.
    n = len(graph.fragments)
    link, is_candidate = _lookup_links(graph, a, b, n)
    dist = (b - a).astype(f)
    natural = (dist == 1) & ((table.line[b] == table.line[a]) | (table.last[a] & table.first[b]))
    sizes = np.array([sum(len(table.texts[k]) for k in c) for c in chains], dtype=f)
    cols: list[tuple[str, str, FloatArray]] = [
        ("frag_link", "order", link),
        ("frag_candidate", "order", is_candidate.astype(f)),
        ("natural", "order", natural.astype(f)),
        ("backward", "order", (dist < 0).astype(f)),
        ("log_dist", "order", np.log1p(np.abs(dist))),
        ("log_size_a", "order", np.log1p(sizes[ii])),
        ("log_size_b", "order", np.log1p(sizes[jj])),
        ("style_multi_natural", "order", table.style[0] * natural),
    ]
    chain_roles = [[roles[k] for k in c] for c in chains]
    for name, group in ROLE_GROUPS.items():
        end_a = np.array([r[-1] in group for r in chain_roles], dtype=f)[ii]
        start_b = np.array([r[0] in group for r in chain_roles], dtype=f)[jj]
        cols += [(f"a_ends_{name}", "order", end_a), (f"b_starts_{name}", "order", start_b)]
    if "length" not in disable:
        rel = table.rel
        cols += [
            ("a_last_rel", "length", np.minimum(rel[a], 1.5)),
            ("b_head_rel", "length", np.minimum(rel[b], 1.5)),
            ("colw_diff", "length", np.abs(np.log(table.colw[a] / table.colw[b]))),
        ]
    if "punctuation" not in disable:
        cols += [
            ("a_end_sentence", "punctuation", table.end_sentence[a].astype(f)),
            ("b_start_close", "punctuation", table.start_close[b].astype(f)),
            ("b_start_lower", "punctuation", table.start_lower[b].astype(f)),
        ]
    for name, family, model in (("lm", "lm", models.general), ("page_lm", "page_lm", models.page)):
        if family in disable or model is None:
            continue
        score = np.clip(np.nan_to_num(continuity_of_pairs(model, table.texts, a, b)), -20, 20)
        cols.append((f"{name}_boundary", family, score))
    if "topic" not in disable:
        texts = ["".join(table.texts[k] for k in c) for c in chains]
        sim = pair_similarity(text_vectors(texts), ii, jj)
        best_out = np.full(count, 0.0)
        np.maximum.at(best_out, ii, sim)
        best_in = np.full(count, 0.0)
        np.maximum.at(best_in, jj, sim)
        cols += [
            ("topic_sim", "topic", sim),
            ("topic_gap_out", "topic", sim - best_out[ii]),
            ("topic_gap_in", "topic", sim - best_in[jj]),
        ]
    matrix = np.column_stack([c[2] for c in cols]) if len(ii) else np.zeros((0, len(cols)))
    features = PairFeatures([c[0] for c in cols], [c[1] for c in cols], matrix)
    return ChainLinks(ii, jj, features)


def group_chains(
    chains: list[list[int]], links: ChainLinks, model: Scorer | None
) -> tuple[list[list[int]], FloatArray]:
    """Articles as ordered lists of fragments, and the probability of each chain-to-chain join."""
    if model is None or not len(links.ii):
        return chains, np.zeros(0)
    model.check_features(links.features.names)
    log_odds = model.log_odds(links.features.matrix)
    successor = decode_links(len(chains), links.ii, links.jj, log_odds, decision_bar(model))
    articles = [[k for c in group for k in chains[c]] for group in follow_chains(successor)]
    chosen = successor[links.ii] == links.jj
    return articles, 1.0 / (1.0 + np.exp(-log_odds[chosen]))
