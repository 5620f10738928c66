"""Give each untitled group of body text to the titled story it belongs to (learned).

Where the links break a story, the chain matching often leaves its later
pieces as groups of their own: a page then holds many more groups than printed
stories, and most of the extra ones have no title. A printed story has one, so
an untitled group is more likely a lost piece than a story. Which story lost it
shows in two ways: the piece shares the story's names and terms (topic), and an
extractor that interleaves columns prints the piece's lines among the story's
own lines (adjacency in input order). A logistic model fitted on the train
pages weighs that evidence per (piece, story) pair; each piece joins its
best-scoring story when the model gives even odds or better.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from newsdeinterleave.features import FragmentTable, PairFeatures
from newsdeinterleave.models import Role
from newsdeinterleave.scoring import Scorer, decision_bar
from newsdeinterleave.structure import untitled_stories
from newsdeinterleave.topic import cross_similarity, text_vectors, word_vectors

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# Stories the model scores per piece: the few most similar or most adjacent ones
# (similarity itself is one sparse product over the page's groups).
HOSTS_PER_GUEST = 8


@dataclass(frozen=True)
class MergeCandidates:
    """(piece, story) pairs with their features; ``guests``/``hosts`` index the groups."""

    guests: list[int]
    hosts: list[int]
    ii: IntArray
    jj: IntArray
    features: PairFeatures


def titled_stories(articles: list[list[int]], roles: Sequence[Role]) -> list[int]:
    return [a for a, members in enumerate(articles) if any(roles[k] == "title" for k in members)]


def _adjacency(articles: list[list[int]], guests: list[int], hosts: list[int]) -> FloatArray:
    """Share of each guest's input-order neighbours (fragment k-1 and k+1) inside each host."""
    group_of = {k: a for a, members in enumerate(articles) for k in members}
    host_pos = {h: c for c, h in enumerate(hosts)}
    out = np.zeros((len(guests), len(hosts)))
    for r, g in enumerate(guests):
        for k in articles[g]:
            for nb in (k - 1, k + 1):
                c = host_pos.get(group_of.get(nb, -1))
                if c is not None:
                    out[r, c] += 1
        out[r] /= max(2 * len(articles[g]), 1)
    return out


def _gap_to(host_sorted: IntArray, members: IntArray) -> float:
    """Smallest distance in fragment order between any member and the host's fragments."""
    if len(host_sorted) == 1:
        return float(np.abs(members - host_sorted[0]).min())
    pos = np.clip(np.searchsorted(host_sorted, members), 1, len(host_sorted) - 1)
    near = np.minimum(np.abs(members - host_sorted[pos - 1]), np.abs(members - host_sorted[pos]))
    return float(near.min())


def _second_best(matrix: FloatArray) -> FloatArray:
    """Per row, the best value among the other columns (for margins); 0 with one column."""
    if matrix.shape[1] < 2:
        return np.zeros_like(matrix)
    top2 = -np.sort(-matrix, axis=1)[:, :2]
    best = matrix.max(axis=1, keepdims=True)
    return np.where(matrix >= best, top2[:, 1:2], best)


def merge_candidates(
    articles: list[list[int]],
    roles: Sequence[Role],
    table: FragmentTable,
    disable: Collection[str] = (),
) -> MergeCandidates | None:
    """Features of every untitled group against its likeliest titled groups, or None."""
    guests = untitled_stories(articles, roles)
    hosts = titled_stories(articles, roles)
    if not guests or not hosts:
        return None
    f = np.float64
    texts = table.texts
    group_texts = ["".join(texts[k] for k in articles[a]) for a in guests + hosts]
    chars = np.array([len(t) for t in group_texts], dtype=f)
    sim = cross_similarity(text_vectors(group_texts), len(guests))
    words = cross_similarity(word_vectors(group_texts), len(guests))
    adjacency = _adjacency(articles, guests, hosts)
    keep = min(HOSTS_PER_GUEST, len(hosts))
    order = np.argsort(-(sim + adjacency), axis=1, kind="stable")[:, :keep]
    ii = np.repeat(np.arange(len(guests), dtype=np.int64), keep)
    jj = order.ravel().astype(np.int64)
    host_sorted = [np.sort(np.asarray(articles[h], dtype=np.int64)) for h in hosts]
    guest_members = [np.asarray(articles[g], dtype=np.int64) for g in guests]
    gap = np.array([_gap_to(host_sorted[c], guest_members[r]) for r, c in zip(ii, jj, strict=True)])
    first_guest = np.array([m.min() for m in guest_members], dtype=f)[ii]
    host_lo = np.array([h[0] for h in host_sorted], dtype=f)[jj]
    host_hi = np.array([h[-1] for h in host_sorted], dtype=f)[jj]
    cols: list[tuple[str, str, FloatArray]] = [
        ("adjacency", "order", adjacency[ii, jj]),
        ("adjacency_margin", "order", (adjacency - _second_best(adjacency))[ii, jj]),
        ("log_gap", "order", np.log1p(gap)),
        ("inside", "order", ((first_guest > host_lo) & (first_guest < host_hi)).astype(f)),
        ("guest_before", "order", (first_guest < host_lo).astype(f)),
        ("log_guest_chars", "order", np.log1p(chars[: len(guests)])[ii]),
        ("log_host_chars", "order", np.log1p(chars[len(guests) :])[jj]),
        ("log_hosts", "order", np.full(len(ii), np.log(len(hosts)))),
    ]
    if "topic" not in disable:
        cols += [
            ("similarity", "topic", sim[ii, jj]),
            ("similarity_margin", "topic", (sim - _second_best(sim))[ii, jj]),
            ("word_similarity", "topic", words[ii, jj]),
            ("word_margin", "topic", (words - _second_best(words))[ii, jj]),
        ]
    if "length" not in disable:
        colw = np.log(np.maximum(table.colw, 1e-6))
        median = np.array([np.median(colw[articles[a]]) for a in guests + hosts])
        cols.append(("colw_diff", "length", np.abs(median[ii] - median[len(guests) + jj])))
    if "punctuation" not in disable:
        heads = np.array([articles[g][0] for g in guests], dtype=np.int64)
        mid_sentence = table.start_lower[heads] | table.start_close[heads]
        cols.append(("guest_mid_sentence", "punctuation", mid_sentence.astype(f)[ii]))
    matrix = np.column_stack([c[2] for c in cols])
    features = PairFeatures([c[0] for c in cols], [c[1] for c in cols], matrix)
    return MergeCandidates(guests, hosts, ii, jj, features)


def merge_stories(
    articles: list[list[int]],
    candidates: MergeCandidates | None,
    model: Scorer | None,
    threshold: float | None = None,
) -> list[list[int]]:
    """Append each piece to its best story, in input order, if its log-odds reach ``threshold``.

    The bar defaults to the model's own (even odds unless it says otherwise). A lower
    bar trades a few wrong merges for fewer stranded pieces, which the page's reader
    (and B-cubed recall) pays for more dearly than a piece in the wrong story.
    """
    if candidates is None or model is None or not len(candidates.ii):
        return articles
    model.check_features(candidates.features.names)
    log_odds = model.log_odds(candidates.features.matrix)
    if threshold is None:
        threshold = decision_bar(model)
    best = np.full(len(candidates.guests), -np.inf)
    np.maximum.at(best, candidates.ii, log_odds)
    pieces: dict[int, list[int]] = {}
    taken: set[int] = set()
    for r, c, score in zip(candidates.ii, candidates.jj, log_odds, strict=True):
        if score >= threshold and score == best[r] and int(r) not in taken:
            taken.add(int(r))
            pieces.setdefault(candidates.hosts[int(c)], []).append(candidates.guests[int(r)])
    moved = {g for found in pieces.values() for g in found}
    out: list[list[int]] = []
    for a, members in enumerate(articles):
        if a in moved:
            continue
        extra = sorted((articles[g] for g in pieces.get(a, [])), key=min)
        out.append(members + [k for piece in extra for k in piece])
    return out
