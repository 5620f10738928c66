"""Fit the story-ordering models of ``ordering.py`` on the stories the engine gathers.

``python -m newsdeinterleave.training_order --pages benchmarks/pages /tmp/sim --out DIR``
refits only these models on the stages already in ``DIR`` (the full training run
fits them last, after the same-story models). On each train page the engine's
own chains are gathered into stories by the shipped same-story model; in each
story the chains of its main gold story, sorted by where their first character
sits in that story, give the labels: a chain pair is 1 where the second directly
follows the first, a start row is 1 for the chain that opens the story.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from newsdeinterleave.boosting import BoostedLinkModel
from newsdeinterleave.clustering import _directed, story_groups
from newsdeinterleave.engine import LinkGraph, language_family
from newsdeinterleave.ordering import FEATURES, ORDER_LANGUAGES, START, story_features
from newsdeinterleave.roles import RoleModel
from newsdeinterleave.scoring import Scorer, decision_bar, model_filename, save
from newsdeinterleave.training import (
    LabelledPage,
    TrainingSet,
    labelled_pages,
    load_model,
    load_stages,
    page_arguments,
    scored_graph,
    stack,
)
from newsdeinterleave.training_clusters import page_chains


def gold_rank(page: LabelledPage) -> NDArray[np.int64]:
    """Each character's position in its gold article's reading order (-1 outside any)."""
    nxt = page.nxt
    rank = np.full(len(nxt), -1, dtype=np.int64)
    targets = set(nxt[nxt >= 0].tolist())
    for p in np.flatnonzero((page.article >= 0) & (nxt != -2)).tolist():
        if p in targets or rank[p] >= 0:
            continue
        r, q = 0, p
        while q >= 0 and rank[q] < 0:
            rank[q] = r
            r += 1
            q = int(nxt[q])
    return rank


def order_examples(
    page: LabelledPage,
    graph: LinkGraph,
    role_model: RoleModel,
    chain_model: Scorer,
    cluster_model: Scorer,
) -> TrainingSet | None:
    """Pairs within the stories the engine gathers on this page, labelled by gold order."""
    seen = page_chains(page, graph, role_model, chain_model)
    if seen is None:
        return None
    fragments = graph.fragments
    roles, chains, gold, sizes = seen.roles, seen.chains, seen.gold, seen.sizes
    pair_log_odds = cluster_model.log_odds(seen.pairs.features.matrix)
    groups = story_groups(chains, roles, seen.pairs, pair_log_odds, decision_bar(cluster_model))
    succ, _ = _directed(len(chains), seen.links, seen.chain_log_odds)
    rank = gold_rank(page)
    parts: list[TrainingSet] = []
    for group in groups:
        if len(group) < 2:
            continue
        owners = gold[group]
        weight = np.bincount(owners + 1, weights=sizes[group])
        main = int(np.argmax(weight)) - 1
        ranked = [
            (int(rank[fragments[chains[c][0]].start]), local)
            for local, c in enumerate(group)
            if owners[local] == main and main >= 0
        ]
        order = [local for r, local in sorted(ranked) if r >= 0]
        if not order:
            continue
        follows = {(START, order[0])} | set(zip(order, order[1:], strict=False))
        src, dst, matrix = story_features(group, chains, roles, succ)
        labels = np.array(
            [(a, b) in follows for a, b in zip(src.tolist(), dst.tolist(), strict=True)],
            dtype=np.int64,
        )
        parts.append(
            TrainingSet(
                list(FEATURES), ["order"] * len(FEATURES), matrix, labels, np.ones(len(labels))
            )
        )
    return stack(parts) if parts else None


def fit_order(
    labelled: list[LabelledPage],
    graphs: list[LinkGraph],
    family: str,
    models: tuple[RoleModel, Scorer, Scorer],
    out: Path,
    seed: int,
) -> Scorer:
    """Fit and save the ordering model of one language (it serves every ablation); return it."""
    examples = [order_examples(p, g, *models) for p, g in zip(labelled, graphs, strict=True)]
    data = stack([e for e in examples if e])
    meta: dict[str, object] = {
        "language": family,
        "disabled": [],
        "rows": int(len(data.labels)),
        "positives": int(data.labels.sum()),
        "seed": seed,
    }
    model = BoostedLinkModel.fit(
        data.matrix, data.labels, data.names, data.families, seed=seed, meta=meta
    )
    save(model.to_json(), out, model_filename("order", family))
    print(f"{family}: order pairs {len(data.labels)} ({int(data.labels.sum())} follow)", flush=True)
    return model


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    page_arguments(parser)
    args = parser.parse_args(argv)
    for language in args.languages:
        t0 = time.perf_counter()
        family = language_family(language)
        if family not in ORDER_LANGUAGES:
            print(f"{language}: stories are ordered without a model (ordering.ORDER_LANGUAGES)")
            continue
        labelled = labelled_pages(args, language)
        splicer, prune, links, role_model, chain_model = load_stages(args.out, family)
        cluster_model = load_model(args.out, "cluster", family)
        graphs = [scored_graph(p, splicer, prune, links) for p in labelled]
        fit_order(
            labelled, graphs, family, (role_model, chain_model, cluster_model), args.out, args.seed
        )
        print(f"{language}: {len(labelled)} pages fitted in {time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main()
